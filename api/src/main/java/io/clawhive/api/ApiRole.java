package io.clawhive.api;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.Connection;
import io.clawhive.api.admin.AdminApi;
import io.clawhive.api.admin.AdmissionResource;
import io.clawhive.api.admin.DeadLettersResource;
import io.clawhive.api.admin.InstanceOpsResource;
import io.clawhive.api.admin.InstancesResource;
import io.clawhive.api.admin.JobRunsResource;
import io.clawhive.api.admin.JobsResource;
import io.clawhive.api.admin.OpenApiResource;
import io.clawhive.api.admin.OpsPageServlet;
import io.clawhive.api.admin.ReopenFailedUpdate;
import io.clawhive.api.admin.SkillsResource;
import io.clawhive.api.admin.UpdatesResource;
import io.clawhive.api.admin.UsageResource;
import io.clawhive.api.admin.WorkersResource;
import io.clawhive.api.telegram.LongPoller;
import io.clawhive.api.telegram.NoticeSender;
import io.clawhive.api.telegram.Placement;
import io.clawhive.api.telegram.TelegramIngress;
import io.clawhive.api.telegram.TenantRouter;
import io.clawhive.api.telegram.WebhookRegistration;
import io.clawhive.api.telegram.WebhookResource;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.DeadLetters;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.jobs.JobTrigger;
import io.clawhive.core.reply.ReplyTopology;
import io.clawhive.core.reply.ReplyWaiter;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.telegram.TelegramBotApi;
import io.dropwizard.core.setup.Environment;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the api role into a node: the admin API under {@code /api/v1} on the admin port behind its
 * token (workers, dead letters, chat over HTTP with this node's reply queue) and, with a bot token,
 * the Telegram front door (long polling by default, or the webhook).
 */
public final class ApiRole {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRole.class);

  private ApiRole() {}

  /**
   * The Bot API client for this config, empty without a bot token. Shared with the worker; counts
   * unexpected answers in {@code metrics}.
   */
  public static Optional<TelegramBotApi> telegramClient(
      TelegramConfig telegram, MetricRegistry metrics) {
    return telegram.enabled()
        ? Optional.of(new TelegramBotApi(telegram.getApiUrl(), telegram.botToken(), metrics))
        : Optional.empty();
  }

  public static void install(
      Environment environment,
      ApiConfig config,
      String nodeId,
      Storage storage,
      Connection connection,
      BrokerTopology topology,
      TaskPublisher publisher,
      Optional<TelegramBotApi> telegram,
      JobTrigger jobs,
      Clock clock) {
    TenantRouter router =
        new TenantRouter(
            storage,
            new Placement(storage, clock, config.getAccess().firstAllowedUser()),
            publisher,
            config.getAccess().getMaxInstances(),
            clock);
    ReplyWaiter replies = new ReplyWaiter(connection, new ReplyTopology(topology), nodeId);
    environment.lifecycle().manage(replies);
    installAdminApi(
        environment,
        config,
        storage,
        connection,
        topology,
        publisher,
        router,
        replies,
        jobs,
        clock);

    TelegramConfig settings = config.getTelegram();
    if (telegram.isEmpty()) {
      LOG.info("Telegram ingress off (no TELEGRAM_BOT_TOKEN); chat over HTTP only");
      return;
    }
    NoticeSender notices = config.getNotices().build(settings, environment.metrics(), clock);
    environment.lifecycle().manage(notices);
    LOG.info("Telegram front door: {}, {}", config.getAccess(), config.getNotices());
    TelegramIngress ingress =
        new TelegramIngress(storage, router, notices, config.getAccess(), clock);
    if (settings.webhook()) {
      environment
          .jersey()
          .register(
              new WebhookResource(
                  settings.webhookSecret(),
                  settings.getWebhookMaxBody().toBytes(),
                  telegram.get(),
                  ingress,
                  storage,
                  environment.metrics(),
                  clock));
      environment
          .lifecycle()
          .manage(
              new WebhookRegistration(
                  telegram.get(),
                  settings.getWebhookUrl(),
                  settings.webhookSecret(),
                  settings.getWebhookMaxConnections()));
    } else {
      environment
          .lifecycle()
          .manage(
              new LongPoller(
                  telegram.get(),
                  ingress,
                  storage,
                  Duration.ofMillis(settings.getPollTimeout().toMilliseconds()),
                  environment.metrics(),
                  clock));
    }
  }

  /** The admin API on the admin port, every method behind the admin token. */
  private static void installAdminApi(
      Environment environment,
      ApiConfig config,
      Storage storage,
      Connection connection,
      BrokerTopology topology,
      TaskPublisher publisher,
      TenantRouter router,
      ReplyWaiter replies,
      JobTrigger jobs,
      Clock clock) {
    DeadLetters deadLetters =
        new DeadLetters(connection, topology, new TaskCodec(), environment.metrics());
    List<Object> resources =
        List.of(
            new WorkersResource(storage, clock),
            new InstanceOpsResource(storage, publisher, clock),
            new JobRunsResource(storage),
            new JobsResource(jobs),
            new SkillsResource(storage),
            new UpdatesResource(storage),
            new AdmissionResource(storage),
            new UsageResource(storage, clock),
            new DeadLettersResource(deadLetters, new ReopenFailedUpdate(storage)),
            new OpenApiResource(),
            new InstancesResource(
                router,
                replies,
                Duration.ofMillis(config.getHttpReplyTimeout().toMilliseconds()),
                clock));
    AdminApi.install(
        environment,
        AdminApi.resourceConfig(
            environment,
            config.adminToken(),
            config.getAdminAuthFailuresPerMinute(),
            clock,
            resources));
    environment
        .admin()
        .addServlet(
            "ops",
            new OpsPageServlet(
                storage,
                deadLetters,
                config.adminToken(),
                config.getAdminAuthFailuresPerMinute(),
                environment.metrics(),
                clock))
        .addMapping(OpsPageServlet.PATH, OpsPageServlet.PATH + "/*");
  }
}
