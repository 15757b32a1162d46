package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * The model provider written into every gateway's config. Unset (blank base URL) means gateways get
 * no provider and cannot answer chats; the node still runs.
 */
public class ModelProviderConfig {
  static final String DEFAULT_API = "openai-completions";

  @NotNull
  @Pattern(regexp = "|https?://\\S+", message = "must be blank or an http(s) URL")
  private String baseUrl = "";

  @NotNull private String apiKey = "";

  @NotNull private String id = "";

  @NotNull
  @Pattern(
      regexp = "[a-z0-9-]+",
      message = "must be an OpenClaw model API name such as openai-completions")
  private String api = DEFAULT_API;

  @JsonProperty
  public String getBaseUrl() {
    return baseUrl;
  }

  @JsonProperty
  public void setBaseUrl(String baseUrl) {
    this.baseUrl = baseUrl == null ? "" : baseUrl.trim();
  }

  @JsonProperty
  public void setApiKey(String apiKey) {
    this.apiKey = apiKey == null ? "" : apiKey;
  }

  public String apiKey() {
    return apiKey;
  }

  @JsonProperty
  public String getId() {
    return id;
  }

  @JsonProperty
  public void setId(String id) {
    this.id = id == null ? "" : id.trim();
  }

  @JsonProperty
  public String getApi() {
    return api;
  }

  @JsonProperty
  public void setApi(String api) {
    this.api = api == null || api.isBlank() ? DEFAULT_API : api.trim();
  }

  public boolean configured() {
    return !baseUrl.isEmpty();
  }

  @AssertTrue(message = "CLAWHIVE_MODEL_BASE_URL is set, so CLAWHIVE_MODEL_ID must be set too")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isIdGivenWithBaseUrl() {
    return baseUrl.isEmpty() || !id.isEmpty();
  }

  /** Never shows the API key. */
  @Override
  public String toString() {
    return "model{baseUrl="
        + (baseUrl.isEmpty() ? "<unset>" : baseUrl)
        + ", id="
        + id
        + ", api="
        + api
        + ", apiKey="
        + (apiKey.isEmpty() ? "<none>" : "****")
        + "}";
  }
}
