package io.clawhive.worker.modelproxy;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.clawhive.core.storage.ModelCredentialHolder;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.routing.BudgetRefusals;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's model proxy: the only holder of the operator's model key. Gateways call it as their
 * OpenAI-compatible provider ({@code POST /v1/chat/completions}, {@code GET /v1/models}) with their
 * own credential ({@link ProxyCredentials}); it checks the credential (and the caller's address
 * where one is expected), the tenant's budgets ({@link Budgets}), adds the real key, relays JSON
 * and SSE unchanged and streaming, caps request and answer sizes, and records usage per tenant and
 * day ({@link UsageLedger}). It listens on 127.0.0.1 and on any address handed to {@link
 * #listenAlso} (where network namespaces reach the host). It binds when built, so its port is known
 * before the egress policy is made; it serves from {@link #start()}.
 */
public final class ModelProxy implements Managed {

  private static final Logger LOG = LoggerFactory.getLogger(ModelProxy.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String LOOPBACK = "127.0.0.1";
  static final String CHAT = "/v1/chat/completions";
  static final String MODELS = "/v1/models";
  private static final String BEARER = "Bearer ";

  /** At most this much of a refused, oversized request body is read and dropped. */
  static final long DRAIN_LIMIT_BYTES = 64L * 1024 * 1024;

  /** Seconds a stopping server waits for exchanges in flight. */
  private static final int STOP_DELAY_SECONDS = 1;

  private final ModelProxySettings settings;
  private final Optional<Upstream> upstream;
  private final List<String> modelIds;
  private final ProxyCredentials credentials;
  private final Budgets budgets;
  private final UsageLedger ledger;
  private final ProxyMetrics metrics;
  private final Optional<ChatForwarder> forwarder;
  private final ExecutorService executor;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final Map<String, InetAddress> expectedSources = new ConcurrentHashMap<>();
  private final int port;
  private volatile boolean running;

  /**
   * @param upstream the real provider; empty = none configured (every chat gets a clear error)
   * @param modelIds the model ids the gateways are configured with ({@code GET /v1/models})
   * @param credentials issues and checks the per-instance credentials
   */
  public ModelProxy(
      ModelProxySettings settings,
      Optional<Upstream> upstream,
      List<String> modelIds,
      ProxyCredentials credentials,
      Storage storage,
      MetricRegistry registry,
      Clock clock) {
    this.settings = settings;
    this.upstream = upstream;
    this.modelIds = List.copyOf(modelIds);
    this.credentials = credentials;
    this.budgets =
        new Budgets(settings.requestsPerMinute(), settings.tokensPerDay(), storage, clock);
    this.ledger = new UsageLedger(storage, clock);
    this.metrics = new ProxyMetrics(registry);
    this.forwarder = upstream.map(u -> new ChatForwarder(u, settings, metrics));
    this.executor = Executors.newFixedThreadPool(settings.threads(), daemonThreads());
    HttpServer loopback = bind(InetAddress.getLoopbackAddress(), settings.port());
    this.port = loopback.getAddress().getPort();
  }

  /** The port the proxy listens on (on every address). */
  public int port() {
    return port;
  }

  /** The per-instance credentials, as the fleet's {@link io.clawhive.worker.fleet.ModelAccess}. */
  public ProxyCredentials credentials() {
    return credentials;
  }

  /** Where routing learns about budget refusals. */
  public BudgetRefusals budgetRefusals() {
    return budgets;
  }

  /** Also listens on {@code address} (same port), e.g. where network namespaces reach the host. */
  public synchronized void listenAlso(InetAddress address) {
    HttpServer server = bind(address, port);
    if (running) {
      server.start();
    }
    LOG.info("model proxy also listens on {}:{}", address.getHostAddress(), port);
  }

  /** Requests with {@code instanceId}'s credential must come from {@code source}. */
  public void expectSource(String instanceId, InetAddress source) {
    expectedSources.put(instanceId, source);
  }

  public void forgetSource(String instanceId) {
    expectedSources.remove(instanceId);
  }

  @Override
  public synchronized void start() {
    servers.forEach(HttpServer::start);
    running = true;
    LOG.info(
        "model proxy on {}:{} -> {}; {} threads, request cap {} bytes, answer cap {} bytes,"
            + " budgets per tenant: {} requests/min, {} tokens/day (0 = unlimited)",
        LOOPBACK,
        port,
        upstream.map(Upstream::toString).orElse("<no model provider configured>"),
        settings.threads(),
        settings.maxRequestBytes(),
        settings.maxAnswerBytes(),
        settings.requestsPerMinute(),
        settings.tokensPerDay());
  }

  @Override
  public synchronized void stop() {
    running = false;
    servers.forEach(s -> s.stop(STOP_DELAY_SECONDS));
    executor.shutdownNow();
    LOG.info("model proxy on port {} stopped", port);
  }

  private HttpServer bind(InetAddress address, int onPort) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(address, onPort), 0);
      server.setExecutor(executor);
      server.createContext("/", this::handle);
      servers.add(server);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "model proxy cannot listen on "
              + address.getHostAddress()
              + ":"
              + onPort
              + " (worker.modelProxy.port / CLAWHIVE_MODEL_PROXY_PORT): "
              + e.getMessage(),
          e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      metrics.requests.mark();
      String path = exchange.getRequestURI().getRawPath();
      String method = exchange.getRequestMethod();
      boolean chat = CHAT.equals(path);
      boolean models = MODELS.equals(path) || path.startsWith(MODELS + "/");
      if (!chat && !models) {
        LOG.debug("model proxy: {} {} not served", method, path);
        ProxyErrors.send(
            exchange, 404, "not served by the model proxy", "invalid_request_error", "not_found");
        return;
      }
      if (!(chat ? "POST" : "GET").equals(method)) {
        ProxyErrors.send(
            exchange, 405, "method not allowed", "invalid_request_error", "method_not_allowed");
        return;
      }
      Optional<ModelCredentialHolder> holder = authenticate(exchange);
      if (holder.isEmpty()) {
        metrics.refusedCredential.mark();
        ProxyErrors.send(
            exchange,
            401,
            "unknown or revoked model credential",
            "invalid_request_error",
            "invalid_api_key");
        return;
      }
      if (models) {
        listModels(exchange);
        return;
      }
      Long tenant = holder.get().tenantId();
      if (tenant == null) {
        ProxyErrors.send(
            exchange,
            403,
            "this instance serves no tenant yet",
            "invalid_request_error",
            "no_tenant");
        return;
      }
      chat(exchange, tenant);
    } catch (Throwable t) {
      LOG.warn("model proxy request failed: {}", t.toString());
    } finally {
      exchange.close();
    }
  }

  private Optional<ModelCredentialHolder> authenticate(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith(BEARER)) {
      return Optional.empty();
    }
    Optional<ModelCredentialHolder> holder =
        credentials.holder(header.substring(BEARER.length()).trim());
    if (holder.isPresent()) {
      InetAddress expected = expectedSources.get(holder.get().instanceId());
      InetAddress peer = exchange.getRemoteAddress().getAddress();
      if (expected != null && !expected.equals(peer)) {
        LOG.warn(
            "model credential of instance {} used from {} instead of {}: refused",
            holder.get().instanceId(),
            peer.getHostAddress(),
            expected.getHostAddress());
        return Optional.empty();
      }
    }
    return holder;
  }

  /** Reads and drops at most {@link #DRAIN_LIMIT_BYTES} of what is left of a request body. */
  private static void drain(java.io.InputStream body) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long left = DRAIN_LIMIT_BYTES;
    int read;
    while (left > 0 && (read = body.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
      left -= read;
    }
  }

  private void chat(HttpExchange exchange, long tenant) throws IOException {
    byte[] body = exchange.getRequestBody().readNBytes((int) settings.maxRequestBytes() + 1);
    if (body.length > settings.maxRequestBytes()) {
      metrics.tooLarge.mark();
      // read (and drop) what the sender is still sending, up to a bound, so that it can read the
      // 413: closing on an unread body resets the connection under the sender's feet
      drain(exchange.getRequestBody());
      ProxyErrors.send(
          exchange,
          413,
          "request larger than " + settings.maxRequestBytes() + " bytes",
          "invalid_request_error",
          "request_too_large");
      return;
    }
    ChatForwarder.Request request = ChatForwarder.parse(body);
    if (request == null) {
      ProxyErrors.send(
          exchange,
          400,
          "the request is not a JSON object",
          "invalid_request_error",
          "invalid_json");
      return;
    }
    if (forwarder.isEmpty()) {
      ProxyErrors.send(
          exchange,
          503,
          "no model provider is configured on this worker (CLAWHIVE_MODEL_BASE_URL is unset)",
          "server_error",
          "model_unconfigured");
      return;
    }
    Optional<Budgets.Refusal> refusal = budgets.admit(tenant);
    if (refusal.isPresent()) {
      metrics.refusedBudget.mark();
      ledger.record(tenant, UsageLedger.Entry.refusal());
      LOG.info("tenant {} over its model budget ({}): refused", tenant, refusal.get().kind());
      exchange
          .getResponseHeaders()
          .set(
              "Retry-After",
              Long.toString(
                  Math.max(
                      1,
                      refusal.get().resetAt().getEpochSecond()
                          - refusal.get().at().getEpochSecond())));
      ProxyErrors.send(
          exchange, 429, refusal.get().message(), "rate_limit_exceeded", "budget_exceeded");
      return;
    }
    ledger.record(tenant, forwarder.get().forward(exchange, request));
  }

  private void listModels(HttpExchange exchange) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("object", "list");
    ArrayNode data = root.putArray("data");
    for (String id : modelIds) {
      data.addObject().put("id", id).put("object", "model").put("owned_by", "clawhive");
    }
    ProxyErrors.sendJson(exchange, 200, root.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "model-proxy-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
