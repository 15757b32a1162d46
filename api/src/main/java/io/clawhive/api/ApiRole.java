package io.clawhive.api;

import com.rabbitmq.client.Connection;
import io.clawhive.api.admin.AdminAuthFilter;
import io.clawhive.api.admin.DeadLettersResource;
import io.clawhive.api.admin.InstanceOpsResource;
import io.clawhive.api.admin.InstancesResource;
import io.clawhive.api.admin.JobRunsResource;
import io.clawhive.api.admin.UsageResource;
import io.clawhive.api.admin.WorkersResource;
import io.clawhive.api.telegram.LongPoller;
import io.clawhive.api.telegram.Placement;
import io.clawhive.api.telegram.TelegramIngress;
import io.clawhive.api.telegram.TenantRouter;
import io.clawhive.api.telegram.WebhookRegistration;
import io.clawhive.api.telegram.WebhookResource;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.DeadLetters;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.reply.ReplyTopology;
import io.clawhive.core.reply.ReplyWaiter;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.telegram.TelegramBotApi;
import io.dropwizard.core.setup.Environment;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the api role into a node: the admin API under {@code /api/v1} behind its token (workers,
 * dead letters, chat over HTTP with this node's reply queue) and, with a bot token, the Telegram
 * front door (long polling by default, or the webhook).
 */
public final class ApiRole {
  private static final Logger LOG = LoggerFactory.getLogger(ApiRole.class);

  private ApiRole() {}

  /** The Bot API client for this config, empty without a bot token. Shared with the worker. */
  public static Optional<TelegramBotApi> telegramClient(TelegramConfig telegram) {
    return telegram.enabled()
        ? Optional.of(new TelegramBotApi(telegram.getApiUrl(), telegram.botToken()))
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
      Clock clock) {
    environment.jersey().register(new AdminAuthFilter(config.adminToken()));
    environment.jersey().register(new WorkersResource(storage, clock));
    environment.jersey().register(new InstanceOpsResource(storage, publisher, clock));
    environment.jersey().register(new JobRunsResource(storage));
    environment.jersey().register(new UsageResource(storage, clock));
    environment
        .jersey()
        .register(
            new DeadLettersResource(
                new DeadLetters(connection, topology, new TaskCodec(), environment.metrics())));

    TenantRouter router =
        new TenantRouter(
            storage,
            new Placement(storage, clock),
            publisher,
            config.getAccess().getMaxInstances(),
            clock);
    ReplyWaiter replies = new ReplyWaiter(connection, new ReplyTopology(topology), nodeId);
    environment.lifecycle().manage(replies);
    environment
        .jersey()
        .register(
            new InstancesResource(
                router,
                replies,
                Duration.ofMillis(config.getHttpReplyTimeout().toMilliseconds()),
                clock));

    TelegramConfig settings = config.getTelegram();
    if (telegram.isEmpty()) {
      LOG.info("Telegram ingress off (no TELEGRAM_BOT_TOKEN); chat over HTTP only");
      return;
    }
    TelegramIngress ingress =
        new TelegramIngress(storage, router, telegram.get(), config.getAccess(), clock);
    if (settings.webhook()) {
      environment
          .jersey()
          .register(
              new WebhookResource(
                  settings.webhookSecret(),
                  settings.getWebhookMaxBody().toBytes(),
                  telegram.get(),
                  ingress));
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
                  clock));
    }
  }
}
