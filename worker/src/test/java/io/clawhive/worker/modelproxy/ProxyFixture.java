package io.clawhive.worker.modelproxy;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.ModelUsage;
import io.clawhive.core.storage.ModelUsageDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.gateway.ModelProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * A model proxy on 127.0.0.1 (port 0) in front of {@link FakeModelServer}, on a fresh H2 database
 * with two tenants (1, 2) whose instances hold proxy credentials, and one pool instance.
 */
final class ProxyFixture implements AutoCloseable {

  static final String MODEL_KEY = "sk-operator-model-key-7f3a9c";
  static final ModelProvider TEMPLATE =
      new ModelProvider(
          "clawhive",
          "http://127.0.0.1/v1",
          "placeholder",
          null,
          List.of(FakeModelServer.MODEL_ID));

  final TestDatabase db = TestDatabases.h2();
  final Storage storage = db.storage();
  final FakeModelServer model;
  final MetricRegistry metrics = new MetricRegistry();
  final ModelProxy proxy;
  final ProxyCredentials credentials;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final String credentialOf1;
  final String credentialOf2;
  final String credentialOfPool;

  ProxyFixture(ModelProxySettings settings, boolean withUpstream) throws Exception {
    model = FakeModelServer.start(MODEL_KEY);
    int[] port = new int[1];
    credentials =
        new ProxyCredentials(
            storage, TEMPLATE, () -> port[0], id -> "127.0.0.1", Clock.systemUTC());
    proxy =
        new ModelProxy(
            settings.withPort(0),
            withUpstream ? Optional.of(new Upstream(model.baseUrl(), MODEL_KEY)) : Optional.empty(),
            TEMPLATE.modelIds(),
            credentials,
            storage,
            metrics,
            Clock.systemUTC());
    port[0] = proxy.port();
    proxy.start();
    Instant now = Instant.now();
    for (long tenant : List.of(1L, 2L)) {
      storage
          .dao(TenantDao.class)
          .insert(new Tenant(tenant, null, null, "s" + tenant, TenantStatus.ACTIVE, now, now));
    }
    credentialOf1 = instance("i-1", 1L, 20000);
    credentialOf2 = instance("i-2", 2L, 20020);
    credentialOfPool = instance("i-pool", null, 20040);
  }

  private String instance(String id, Long tenant, int port) {
    storage
        .dao(InstanceDao.class)
        .insert(Instance.provisioning(id, tenant, "n", port, "t", null, "/x/" + id, Instant.now()));
    ModelProvider provider = credentials.issue(id);
    if (!provider.baseUrl().equals(baseUrl())) {
      throw new IllegalStateException("issued base URL " + provider.baseUrl());
    }
    return provider.apiKey();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + proxy.port() + "/v1";
  }

  HttpResponse<byte[]> post(String base, String key, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> viaProxy(String credential, String body) throws Exception {
    return post(baseUrl(), credential, body);
  }

  Optional<ModelUsage> usageToday(long tenant) {
    return storage.dao(ModelUsageDao.class).find(tenant, LocalDate.now(ZoneOffset.UTC));
  }

  static String chat(String text, boolean stream) {
    return "{\"model\":\"fake-model\",\"stream\":"
        + stream
        + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
        + ",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":\""
        + text
        + "\"}]}";
  }

  @Override
  public void close() {
    proxy.stop();
    model.close();
    db.close();
  }
}
