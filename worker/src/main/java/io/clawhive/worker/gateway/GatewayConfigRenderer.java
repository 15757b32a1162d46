package io.clawhive.worker.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clawhive.core.ClawhiveException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Renders one instance's {@code openclaw.json}. Only keys that openclaw 2026.9.6's schema knows are
 * written (unknown keys make the gateway refuse to start): local mode on loopback, token auth, the
 * OpenAI chat-completions endpoint, a per-instance log file, the workspace, one model provider, and
 * the browser tool off (it would open extra ports near the base port).
 */
public final class GatewayConfigRenderer {

  public static final String MODE = "local";
  public static final String BIND = "loopback";

  /**
   * With a network namespace per instance: {@code gateway.bind: "custom"} on {@code
   * gateway.customBindHost} (the namespace's address); openclaw then also listens on the
   * namespace's own 127.0.0.1, which only that namespace can reach.
   */
  public static final String BIND_CUSTOM = "custom";

  public static final String CONFIG_FILE_PERMISSIONS = "rw-------";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public String render(GatewayConfigSpec spec) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode gateway = root.putObject("gateway");
    gateway.put("mode", MODE);
    gateway.put("port", spec.port());
    if (spec.bindHost().isPresent()) {
      gateway.put("bind", BIND_CUSTOM);
      gateway.put("customBindHost", spec.bindHost().get());
    } else {
      gateway.put("bind", BIND);
    }
    ObjectNode auth = gateway.putObject("auth");
    auth.put("mode", "token");
    auth.put("token", spec.token());
    gateway
        .putObject("http")
        .putObject("endpoints")
        .putObject("chatCompletions")
        .put("enabled", true);
    root.putObject("logging").put("file", spec.logFile().toString());
    root.putObject("browser").put("enabled", false);
    ObjectNode defaults = root.putObject("agents").putObject("defaults");
    defaults.put("workspace", spec.workspace().toString());
    defaults.putObject("model").put("primary", spec.provider().primaryModel());
    ModelProvider provider = spec.provider();
    ObjectNode providerNode =
        root.putObject("models").putObject("providers").putObject(provider.id());
    providerNode.put("baseUrl", provider.baseUrl());
    providerNode.put("apiKey", provider.apiKey());
    providerNode.put("api", provider.api());
    ArrayNode models = providerNode.putArray("models");
    for (String modelId : provider.modelIds()) {
      models.addObject().put("id", modelId).put("name", modelId);
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new ClawhiveException("cannot render gateway config: " + e.getMessage(), e);
    }
  }

  /** Writes the rendered config to {@code configFile} (mode 0600, replaced atomically). */
  public void write(GatewayConfigSpec spec, Path configFile) {
    Path target = configFile.toAbsolutePath();
    Path temp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(temp);
      Files.createFile(
          temp,
          PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString(CONFIG_FILE_PERMISSIONS)));
      Files.writeString(temp, render(spec), StandardCharsets.UTF_8);
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ClawhiveException(
          "cannot write gateway config " + target + ": " + e.getMessage(), e);
    }
  }
}
