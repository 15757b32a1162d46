package io.clawhive.worker.gateway;

import java.util.List;
import java.util.Objects;

/**
 * The model provider written into each gateway's config ({@code models.providers.<id>}). The first
 * model is the agents' primary model. The API key never appears in {@link #toString()}.
 */
public record ModelProvider(
    String id, String baseUrl, String apiKey, String api, List<String> modelIds) {

  /** OpenAI-compatible chat completions, the API the gateway speaks to most providers. */
  public static final String DEFAULT_API = "openai-completions";

  public ModelProvider {
    requireText(id, "id");
    requireText(baseUrl, "baseUrl");
    requireText(apiKey, "apiKey");
    api = api == null || api.isBlank() ? DEFAULT_API : api;
    Objects.requireNonNull(modelIds, "modelIds");
    if (modelIds.isEmpty()) {
      throw new IllegalArgumentException("modelIds must name at least one model");
    }
    modelIds = List.copyOf(modelIds);
    if (id.contains("/")) {
      throw new IllegalArgumentException("provider id must not contain '/': " + id);
    }
  }

  /** This provider at another base URL (the same key and models). */
  public ModelProvider withBaseUrl(String url) {
    return new ModelProvider(id, url, apiKey, api, modelIds);
  }

  /** {@code <provider id>/<first model id>}, as {@code agents.defaults.model.primary} wants it. */
  public String primaryModel() {
    return id + "/" + modelIds.get(0);
  }

  @Override
  public String toString() {
    return "ModelProvider[id="
        + id
        + ", baseUrl="
        + baseUrl
        + ", api="
        + api
        + ", apiKey=***, modelIds="
        + modelIds
        + "]";
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
