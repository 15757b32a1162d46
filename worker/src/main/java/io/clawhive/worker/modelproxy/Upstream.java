package io.clawhive.worker.modelproxy;

import java.util.Objects;

/**
 * The real model provider behind the proxy: its OpenAI-compatible base URL (such as {@code
 * https://api.openai.com/v1}) and the operator's key, which stays in the worker. The key never
 * appears in {@link #toString()}.
 */
public record Upstream(String baseUrl, String apiKey) {

  public Upstream {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(apiKey, "apiKey");
    if (!baseUrl.startsWith("http://") && !baseUrl.startsWith("https://")) {
      throw new IllegalArgumentException("baseUrl must be an http(s) URL: " + baseUrl);
    }
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
  }

  /** {@code <baseUrl>/<path>}, path relative to the base (such as {@code chat/completions}). */
  String resolve(String path) {
    return baseUrl + "/" + path;
  }

  @Override
  public String toString() {
    return "Upstream[baseUrl="
        + baseUrl
        + ", apiKey="
        + (apiKey.isEmpty() ? "<none>" : "***")
        + "]";
  }
}
