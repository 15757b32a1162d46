package io.clawhive.worker.modelproxy;

import io.clawhive.core.storage.ModelCredentialDao;
import io.clawhive.core.storage.ModelCredentialHolder;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.fleet.ModelAccess;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.instance.AuthTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The model proxy's credentials, one per instance: random (256 bits), kept in storage only as
 * SHA-256 (so they survive worker restarts and a database dump does not reveal them), written into
 * the instance's {@code openclaw.json} as the provider's {@code apiKey} with {@code baseUrl =
 * http://<host>:<proxy port>/v1}. {@code hostOf} says where an instance reaches the proxy (the
 * loopback address today; a network namespace's host-side address later).
 */
public final class ProxyCredentials implements ModelAccess {

  /** Marks a proxy credential, so a leaked one is recognisable in logs and scans. */
  static final String PREFIX = "chp-";

  private final Storage storage;
  private final ModelProvider template;
  private final IntSupplier port;
  private final Function<String, String> hostOf;
  private final Clock clock;

  /**
   * @param template the provider's id, API and model ids written into each config (its base URL and
   *     key are replaced)
   * @param port the proxy's port (known once it is bound)
   * @param hostOf instance id to the address its gateway reaches the proxy on
   */
  public ProxyCredentials(
      Storage storage,
      ModelProvider template,
      IntSupplier port,
      Function<String, String> hostOf,
      Clock clock) {
    this.storage = storage;
    this.template = template;
    this.port = port;
    this.hostOf = hostOf;
    this.clock = clock;
  }

  @Override
  public ModelProvider issue(String instanceId) {
    String credential = PREFIX + AuthTokens.newToken();
    storage.dao(ModelCredentialDao.class).replace(instanceId, hash(credential), clock.instant());
    return new ModelProvider(
        template.id(),
        "http://" + hostOf.apply(instanceId) + ":" + port.getAsInt() + "/v1",
        credential,
        template.api(),
        template.modelIds());
  }

  @Override
  public boolean holds(String instanceId) {
    return storage.dao(ModelCredentialDao.class).exists(instanceId);
  }

  @Override
  public void revoke(String instanceId) {
    storage.dao(ModelCredentialDao.class).delete(instanceId);
  }

  /** Whose {@code credential} is; empty when unknown or revoked. */
  Optional<ModelCredentialHolder> holder(String credential) {
    if (credential == null || !credential.startsWith(PREFIX)) {
      return Optional.empty();
    }
    return storage.dao(ModelCredentialDao.class).findHolder(hash(credential));
  }

  static String hash(String credential) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(credential.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
