package io.clawhive.worker;

import com.codahale.metrics.health.HealthCheck;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.TaskConsumer;
import io.clawhive.core.broker.TaskConsumerSettings;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.reply.ReplyPublisher;
import io.clawhive.core.reply.ReplyTopology;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.worker.admission.AdmissionGate;
import io.clawhive.worker.admission.WaitingLine;
import io.clawhive.worker.fleet.ConfigCheck;
import io.clawhive.worker.fleet.Fleet;
import io.clawhive.worker.fleet.FleetMetrics;
import io.clawhive.worker.fleet.FleetSettings;
import io.clawhive.worker.fleet.HostMemory;
import io.clawhive.worker.fleet.SkillSource;
import io.clawhive.worker.fleet.TenantNotices;
import io.clawhive.worker.gateway.GatewayConfigValidator;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.limits.LimiterSettings;
import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.modelproxy.ModelProxy;
import io.clawhive.worker.modelproxy.ProxyCredentials;
import io.clawhive.worker.modelproxy.Upstream;
import io.clawhive.worker.node.TaskDispatcher;
import io.clawhive.worker.node.WorkerHeartbeat;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.openclaw.RuntimeVerifier;
import io.clawhive.worker.openclaw.VerifiedRuntime;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.LauncherSettings;
import io.clawhive.worker.routing.BusyTenantDecliner;
import io.clawhive.worker.routing.MovedTenants;
import io.clawhive.worker.routing.RouteMessageHandler;
import io.clawhive.worker.routing.TelegramNotices;
import io.clawhive.worker.sandbox.EgressAllowance;
import io.clawhive.worker.sandbox.EgressRepair;
import io.clawhive.worker.sandbox.EndpointAllowances;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.IsolationConfig;
import io.clawhive.worker.sandbox.TenantReach;
import io.clawhive.worker.skills.SkillPolicy;
import io.clawhive.worker.tasks.FleetTaskHandlers;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the worker role into a node: the runtime check, the fleet of gateways with its task
 * handlers, the worker's own task queue and consumer, and the heartbeat.
 */
public final class WorkerRole {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRole.class);

  /**
   * A stand-in gateway still gets skills when a runtime is installed: clawhub only works on files.
   */
  private static Optional<VerifiedRuntime> optionalRuntime(FleetSettings settings) {
    try {
      return Optional.of(new RuntimeVerifier().verify(settings.runtime().dir()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Provider id written into gateway configs for the configured model. */
  public static final String MODEL_PROVIDER_ID = "clawhive";

  /** Where gateways reach the model proxy (the netns work supplies an address per instance). */
  static final String MODEL_PROXY_HOST = "127.0.0.1";

  /** Placeholder key of the template provider: each instance gets its own credential. */
  static final String ISSUED_PER_INSTANCE = "issued-per-instance";

  /** Used when no model is configured: gateways run, the proxy tells them there is no model. */
  static final ModelProvider UNCONFIGURED_MODEL =
      new ModelProvider(
          MODEL_PROVIDER_ID,
          "http://" + MODEL_PROXY_HOST + "/v1",
          ISSUED_PER_INSTANCE,
          null,
          List.of("none"));

  /** What the role made, for wiring more handlers (routing) onto it. */
  public record Installed(Fleet fleet, TaskDispatcher dispatcher) {}

  private WorkerRole() {}

  public static Installed install(
      Environment environment,
      WorkerConfig config,
      String nodeId,
      Path dataDir,
      Storage storage,
      Connection connection,
      BrokerTopology topology,
      TaskConsumerSettings settings,
      Optional<TelegramBotApi> telegram,
      Clock clock) {
    TenantReach.require(
        config.getIsolation().effectiveMode(SystemUsers.runningAsRoot()),
        config.instancesDir(dataDir),
        Path.of(config.getRuntimeDir()));
    // the proxy binds first (its port may be chosen by the OS); the isolation then lets every
    // tenant reach exactly that port, and gateways are told the host their namespace reaches it on
    AtomicReference<Isolation> isolated = new AtomicReference<>();
    ModelProxy modelProxy =
        modelProxy(environment, config, storage, id -> isolated.get().modelEndpointHost(id), clock);
    Isolation isolation = isolation(config, modelProxy.port());
    isolated.set(isolation);
    isolation.modelProxyListenAddress().ifPresent(modelProxy::listenAlso);
    FleetSettings fleetSettings = fleetSettings(config, nodeId, dataDir, isolation.ownUsers());
    ConfigCheck configCheck = ConfigCheck.NONE;
    SkillSource skills = SkillSource.UNAVAILABLE;
    Optional<VerifiedRuntime> runtime = Optional.empty();
    if (fleetSettings.realGateway()) {
      runtime = Optional.of(new RuntimeVerifier().verify(fleetSettings.runtime().dir()));
      GatewayConfigValidator validator = new GatewayConfigValidator(runtime.get().layout());
      configCheck = validator::validate;
    } else {
      runtime = optionalRuntime(fleetSettings);
      LOG.warn(
          "worker runs the configured gatewayCommand {} instead of openclaw: no config validation,"
              + " skills {}",
          config.getGatewayCommand(),
          runtime.isPresent() ? "through the runtime's clawhub" : "unavailable (no runtime)");
    }
    if (runtime.isPresent()) {
      LOG.info(
          "runtime {}: node {}, openclaw {}, clawhub {}",
          runtime.get().layout().dir(),
          runtime.get().nodeVersion(),
          runtime.get().openclawVersion(),
          runtime.get().clawhubVersion());
      SkillPolicy policy = config.getSkills().policy(config.getRecommendedSkills());
      skills =
          SkillSource.clawhub(
              runtime.get().layout(),
              Optional.of(config.getClawhubRegistry()),
              policy,
              config.getSkills().getConcurrency());
      LOG.info(
          "skills: allowlist {}, denylist {}, {} at once",
          policy.allowed(),
          policy.denied(),
          config.getSkills().getConcurrency());
    }
    declareQueue(connection, topology, nodeId);
    GatewayLauncher launcher =
        new GatewayLauncher(
            LauncherSettings.defaults(), ResourceLimiter.detect(LimiterSettings.defaults()), clock);
    Fleet fleet =
        new Fleet(
            fleetSettings,
            storage,
            launcher,
            configCheck,
            skills,
            new FleetMetrics(environment.metrics()),
            isolation,
            modelProxy.credentials(),
            clock);
    WorkerHeartbeat heartbeat =
        new WorkerHeartbeat(
            storage,
            nodeId,
            capacity(config, isolation),
            clock,
            config.getHeartbeatInterval().toJavaDuration());
    heartbeat.liveInstancesFrom(fleet::liveCount);
    heartbeat.stopMovedInstancesOf(fleet);
    heartbeat.freePortsFrom(fleet::freePorts);
    fleet.limitSeats(
        capacity(config, isolation), config.getMemoryPerGateway().toBytes(), HostMemory.HOST);
    environment.lifecycle().manage(heartbeat);
    environment.lifecycle().manage(closing(launcher));
    environment.lifecycle().manage(modelProxy); // before the fleet starts gateways
    environment.lifecycle().manage(fleet);
    TaskDispatcher dispatcher = FleetTaskHandlers.register(new TaskDispatcher(nodeId), fleet);
    telegram.ifPresent(bot -> fleet.setNotices(new TelegramNotices(storage, bot)));
    fleet.setChatTimeout(config.getChatTimeout().toJavaDuration());
    ScheduledExecutorService typingTimer = typingTimer();
    environment.lifecycle().manage(shuttingDown(typingTimer));
    RouteMessageHandler routing =
        new RouteMessageHandler(
            fleet,
            storage,
            telegram,
            new ReplyPublisher(connection, new ReplyTopology(topology)),
            settings.maxAttempts(),
            typingTimer,
            modelProxy.budgetRefusals(),
            config.getAnswers().build(),
            environment.metrics(),
            clock);
    WaitingLine line =
        new WaitingLine(
            nodeId,
            storage,
            fleet,
            new TaskPublisher(connection, topology, new TaskCodec(), environment.metrics()),
            environment.metrics(),
            clock);
    environment.lifecycle().manage(line); // after the fleet: it seats users there
    TenantNotices notices =
        telegram
            .<TenantNotices>map(bot -> new TelegramNotices(storage, bot))
            .orElse(TenantNotices.LOGGING);
    TaskPublisher passOn =
        new TaskPublisher(connection, topology, new TaskCodec(), environment.metrics());
    // a moved tenant's message is passed on before it could take a seat here
    dispatcher.register(
        RouteMessage.class,
        new MovedTenants(
            nodeId,
            storage,
            passOn,
            notices,
            new AdmissionGate(routing, fleet, line, telegram),
            clock));
    warnIfThreadsBelowCapacity(config);
    TaskConsumer consumer =
        new TaskConsumer(
            connection,
            topology,
            nodeId,
            dispatcher,
            BusyTenantDecliner.of(routing, storage, environment.metrics()),
            new TaskCodec(),
            environment.metrics(),
            settings.withMaxQueuedPerTenant(config.getQueuedPerTenant()),
            clock);
    environment.lifecycle().manage(consumer);
    environment.healthChecks().register("worker", combined(heartbeat.healthCheck(), fleet));
    environment.healthChecks().register("isolation", isolation.healthCheck());
    environment.lifecycle().manage(repairing(new EgressRepair(isolation, environment.metrics())));
    return new Installed(fleet, dispatcher);
  }

  /**
   * The model proxy: the only holder of the model key. Bound here (its port goes into the egress
   * policy), started with the node. Gateways reach it on {@link #MODEL_PROXY_HOST}.
   */
  static ModelProxy modelProxy(
      Environment environment,
      WorkerConfig config,
      Storage storage,
      Function<String, String> hostOf,
      Clock clock) {
    ModelProviderConfig model = config.getModel();
    if (!model.configured()) {
      LOG.warn(
          "no model provider configured (CLAWHIVE_MODEL_BASE_URL unset): gateways start but"
              + " cannot answer chats (the model proxy tells them so)");
    }
    ModelProvider template = modelTemplate(model);
    int[] port = new int[1];
    ProxyCredentials credentials =
        new ProxyCredentials(storage, template, () -> port[0], hostOf, clock);
    ModelProxy proxy =
        new ModelProxy(
            config.getModelProxy().toSettings(),
            model.configured()
                ? Optional.of(new Upstream(model.getBaseUrl(), model.apiKey()))
                : Optional.empty(),
            template.modelIds(),
            credentials,
            storage,
            environment.metrics(),
            clock);
    port[0] = proxy.port();
    return proxy;
  }

  /**
   * The isolation of this worker with the model proxy on loopback port {@code modelProxyPort}:
   * tenants may reach the proxy, never the model endpoint itself (see {@link
   * #isolation(WorkerConfig, int)}).
   */
  public static Isolation isolation(WorkerConfig config) {
    return isolation(config, config.getModelProxy().getPort());
  }

  /**
   * The isolation of this worker, checked against the host (throws {@link
   * io.clawhive.worker.sandbox.IsolationUnavailableException}, one line, when the host cannot
   * provide the mode). Tenants may reach the worker's model proxy on loopback (gateways never talk
   * to the model endpoint itself, so it gets no allowance), and the ClawHub registry when its URL
   * names a loopback or private IP literal.
   */
  public static Isolation isolation(WorkerConfig config, int modelProxyPort) {
    IsolationConfig iso = config.getIsolation();
    iso.setModelProxyPort(modelProxyPort);
    List<EgressAllowance> endpoints = new ArrayList<>();
    // model proxy (issue #8): the only model endpoint tenants reach; not the upstream
    endpoints.addAll(EndpointAllowances.modelProxy(MODEL_PROXY_HOST, modelProxyPort));
    endpoints.addAll(EndpointAllowances.of(config.getClawhubRegistry()));
    endpoints.removeAll(iso.allowances());
    if (!endpoints.isEmpty()) {
      iso.addAllowances(endpoints);
      LOG.info(
          "egress: tenants may reach {} (the model proxy / a local ClawHub registry from the"
              + " worker config)",
          endpoints);
    }
    return Isolation.forMode(iso, config.getCapacity());
  }

  /** Tenants this worker takes: its capacity, or one seat when it is single-tenant. */
  static int capacity(WorkerConfig config, Isolation isolation) {
    return isolation.singleTenant() ? 1 : config.getCapacity();
  }

  /** The fleet's settings from the worker config; users per instance when isolation wants them. */
  public static FleetSettings fleetSettings(
      WorkerConfig config, String nodeId, Path dataDir, boolean ownUsers) {
    return new FleetSettings(
        nodeId,
        config.instancesDir(dataDir),
        config.getPorts().allocator(),
        config.getPool().getSize(),
        config.getLimits().toLimits(),
        config.getSupervision().toPolicy(),
        config.getHibernateAfter().toJavaDuration(),
        config.getDiskQuota().toBytes(),
        config.getHousekeepingInterval().toJavaDuration(),
        config.getRecommendedSkills(),
        ownUsers ? Optional.of(config.getInstanceUserPrefix()) : Optional.empty(),
        config.getGatewayCommand(),
        new RuntimeLayout(Path.of(config.getRuntimeDir())),
        modelTemplate(config.getModel()));
  }

  /**
   * The provider's id, API and model ids as gateways see them; its base URL and key are
   * placeholders, replaced per instance by the proxy's address and credential. The operator's key
   * is never in it.
   */
  static ModelProvider modelTemplate(ModelProviderConfig model) {
    if (!model.configured()) {
      return UNCONFIGURED_MODEL;
    }
    return new ModelProvider(
        MODEL_PROVIDER_ID,
        "http://" + MODEL_PROXY_HOST + "/v1",
        ISSUED_PER_INSTANCE,
        model.getApi(),
        List.of(model.getId()));
  }

  private static void declareQueue(Connection connection, BrokerTopology topology, String nodeId) {
    try (Channel channel = connection.createChannel()) {
      topology.declareWorkerQueue(channel, nodeId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot declare the queue of worker " + nodeId, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out declaring the queue of worker " + nodeId, e);
    }
  }

  /** A tenant uses one task thread at most; with no more threads than gateways all can be busy. */
  private static void warnIfThreadsBelowCapacity(WorkerConfig config) {
    if (config.getTaskConcurrency() <= config.getCapacity()) {
      LOG.warn(
          "taskConcurrency {} <= capacity {}: when every live gateway is busy with a long chat,"
              + " no thread is left for other tenants' messages; raise taskConcurrency",
          config.getTaskConcurrency(),
          config.getCapacity());
    }
  }

  private static ScheduledExecutorService typingTimer() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread thread = new Thread(r, "typing-indicator");
          thread.setDaemon(true);
          return thread;
        });
  }

  private static Managed repairing(EgressRepair repair) {
    return new Managed() {
      @Override
      public void start() {
        repair.start();
      }

      @Override
      public void stop() {
        repair.close();
      }
    };
  }

  private static Managed shuttingDown(ScheduledExecutorService executor) {
    return new Managed() {
      @Override
      public void stop() {
        executor.shutdownNow();
      }
    };
  }

  private static Managed closing(GatewayLauncher launcher) {
    return new Managed() {
      @Override
      public void stop() {
        launcher.close();
      }
    };
  }

  private static HealthCheck combined(HealthCheck heartbeat, Fleet fleet) {
    HealthCheck fleetCheck = fleet.healthCheck();
    return new HealthCheck() {
      @Override
      protected Result check() {
        Result beat = heartbeat.execute();
        Result gateways = fleetCheck.execute();
        String message = beat.getMessage() + "; " + gateways.getMessage();
        return beat.isHealthy() && gateways.isHealthy()
            ? Result.healthy(message)
            : Result.unhealthy(message);
      }
    };
  }
}
