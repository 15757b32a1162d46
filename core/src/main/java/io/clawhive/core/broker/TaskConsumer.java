package io.clawhive.core.broker;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.task.UndecodableTaskException;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes a worker node's queue: manual ack after the handler returns, bounded prefetch, tasks of
 * one tenant in order and different tenants in parallel, retries with back-off, dead- lettering of
 * poison and undecodable messages. A tenant holds at most {@link
 * TaskConsumerSettings#maxHeldPerTenant()} deliveries (one running, the rest waiting in its lane);
 * a declinable task beyond that goes to the {@link TaskOverflow} and is acked, so no tenant's
 * backlog fills the prefetch window or takes more than one task thread. The connection should
 * recover automatically ({@link AmqpConnections}); a channel closed by a channel error is reopened
 * here.
 */
public final class TaskConsumer implements Managed, AutoCloseable {

  public static final Duration CHANNEL_REOPEN_DELAY = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(TaskConsumer.class);

  private final Connection connection;
  private final BrokerTopology topology;
  private final String nodeId;
  private final TaskCodec codec;
  private final TaskConsumerSettings settings;
  private final TaskMetrics metrics;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService scheduler;
  private final SerialLanes lanes;
  private final DeadLetterSender deadLetters;
  private final TaskExecution execution;
  private final TaskOverflow overflow;
  private final LaneAdmission admission;
  private final ExecutorService declines;
  private final ExecutorService notices;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queued = new AtomicInteger();
  private final Object drained = new Object();
  private volatile boolean stopping;
  private volatile Channel channel;

  public TaskConsumer(
      Connection connection,
      BrokerTopology topology,
      String nodeId,
      TaskHandler handler,
      TaskCodec codec,
      MetricRegistry metrics,
      TaskConsumerSettings settings,
      Clock clock) {
    this(connection, topology, nodeId, handler, TaskOverflow.NONE, codec, metrics, settings, clock);
  }

  /**
   * A consumer whose tenants are bounded: beyond {@link TaskConsumerSettings#maxHeldPerTenant()}
   * held deliveries, tasks that {@code overflow} calls declinable are declined through it.
   */
  public TaskConsumer(
      Connection connection,
      BrokerTopology topology,
      String nodeId,
      TaskHandler handler,
      TaskOverflow overflow,
      TaskCodec codec,
      MetricRegistry metrics,
      TaskConsumerSettings settings,
      Clock clock) {
    this.connection = connection;
    this.overflow = overflow;
    this.admission = new LaneAdmission(settings.maxHeldPerTenant());
    this.topology = topology;
    this.nodeId = nodeId;
    this.codec = codec;
    this.settings = settings;
    this.metrics = new TaskMetrics(metrics);
    topology.workerQueue(nodeId);
    this.workers =
        new ThreadPoolExecutor(
            settings.parallelism(),
            settings.parallelism(),
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            named("task-worker-" + nodeId));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(named("task-retry-" + nodeId));
    // declining records a row and acks; never on the broker's delivery thread, never on a task
    // thread that another tenant's message waits for
    this.declines = Executors.newSingleThreadExecutor(named("task-decline-" + nodeId));
    this.notices = Executors.newSingleThreadExecutor(named("task-decline-notice-" + nodeId));
    this.metrics.queuedGauge(queued::get);
    this.lanes = new SerialLanes(workers);
    this.deadLetters = new DeadLetterSender(connection, topology, clock, settings.confirmTimeout());
    this.execution =
        new TaskExecution(
            nodeId,
            handler,
            settings,
            scheduler,
            workers,
            this.metrics,
            deadLetters,
            () -> stopping);
  }

  @Override
  public synchronized void start() throws IOException {
    stopping = false;
    subscribe();
    LOG.info(
        "Consuming {} (prefetch {}, parallelism {}, {} queued per tenant, max attempts {},"
            + " back-off {}..{})",
        topology.workerQueue(nodeId),
        settings.prefetch(),
        settings.parallelism(),
        overflow == TaskOverflow.NONE ? "unbounded" : settings.maxQueuedPerTenant(),
        settings.maxAttempts(),
        settings.initialBackoff(),
        settings.maxBackoff());
    if (overflow != TaskOverflow.NONE && !settings.prefetchCoversBusyTenants()) {
      LOG.warn(
          "prefetch {} <= parallelism {} x {} held per tenant: busy tenants can fill the prefetch"
              + " window and delay other tenants' messages; raise the prefetch",
          settings.prefetch(),
          settings.parallelism(),
          settings.maxHeldPerTenant());
    }
  }

  /** Stops taking deliveries, waits up to the stop timeout for in-flight tasks, then closes. */
  @Override
  public synchronized void stop() {
    if (stopping) {
      return;
    }
    stopping = true;
    Channel current = channel;
    cancel(current);
    if (!awaitDrained(settings.stopTimeout())) {
      LOG.warn(
          "{} task(s) still in flight on {} after {}; closing, the broker will redeliver them",
          inFlight.get(),
          nodeId,
          settings.stopTimeout());
    }
    workers.shutdownNow();
    scheduler.shutdownNow();
    declines.shutdownNow();
    notices.shutdownNow();
    closeQuietly(current);
    deadLetters.close();
    LOG.info("Stopped consuming {}", topology.workerQueue(nodeId));
  }

  @Override
  public void close() {
    stop();
  }

  /** Deliveries received and not yet finished (acked, dead-lettered or abandoned). */
  public int inFlight() {
    return inFlight.get();
  }

  /** Admitted deliveries waiting behind their tenant's running task. */
  public int queued() {
    return queued.get();
  }

  private void subscribe() throws IOException {
    Channel opened = connection.createChannel();
    String queue = topology.declareWorkerQueue(opened, nodeId);
    opened.basicQos(settings.prefetch());
    opened.addShutdownListener(signal -> onChannelShutdown(opened, signal));
    opened.basicConsume(queue, false, consumerTag(), new Deliveries(opened));
    channel = opened;
  }

  private void onDelivery(Received received) {
    Task task;
    try {
      task = codec.decode(received.body());
    } catch (UndecodableTaskException e) {
      metrics.undecodable().mark();
      execution.deadLetter(DeadLetter.UNDECODABLE_TYPE, received, e.getMessage());
      return;
    }
    metrics.mark(TaskMetrics.DELIVERED, task.type());
    inFlight.incrementAndGet();
    String key = task.orderingKey();
    // a redelivery was admitted once (or its decline was never acked): it takes its place again,
    // rather than being declined because a stale copy still holds the lane
    LaneAdmission.Verdict verdict =
        admission.admit(key, !received.redelivered() && overflow.declinable(task));
    if (verdict != LaneAdmission.Verdict.ADMIT) {
      decline(task, received, verdict == LaneAdmission.Verdict.DECLINE_FIRST);
      return;
    }
    queued.incrementAndGet();
    lanes
        .submit(
            key,
            () -> {
              queued.decrementAndGet();
              return execution.attempt(task, received);
            })
        .whenComplete(
            (ignored, failure) -> {
              admission.release(key);
              finished();
            });
  }

  private void decline(Task task, Received received, boolean firstOfRun) {
    try {
      declines.execute(
          () -> {
            Runnable notice;
            try {
              notice = execution.decline(overflow, task, received, firstOfRun);
            } finally {
              finished();
            }
            tell(notice, task);
          });
    } catch (RejectedExecutionException e) {
      finished(); // stopping: left unacked, the broker redelivers it
    }
  }

  /** Best effort: the decline is recorded and acked already. */
  private void tell(Runnable notice, Task task) {
    try {
      notices.execute(
          () -> {
            try {
              notice.run();
            } catch (RuntimeException e) {
              LOG.warn("Notice for declined task {} not sent: {}", task.taskId(), e.toString());
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.debug("Notice for declined task {} not sent: consumer stopped", task.taskId());
    }
  }

  private void finished() {
    if (inFlight.decrementAndGet() == 0) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  private boolean awaitDrained(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (drained) {
      while (inFlight.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(drained, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  private void onChannelShutdown(Channel closed, ShutdownSignalException signal) {
    if (stopping || signal.isHardError() || signal.isInitiatedByApplication()) {
      return; // our own close, or a connection failure that automatic recovery handles
    }
    LOG.warn(
        "Channel of {} closed by the broker ({}); reopening in {} ms",
        nodeId,
        signal.getMessage(),
        CHANNEL_REOPEN_DELAY.toMillis());
    scheduleReopen(closed);
  }

  private void scheduleReopen(Channel closed) {
    try {
      scheduler.schedule(
          () -> reopen(closed), CHANNEL_REOPEN_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("Not reopening the channel of {}: consumer stopped", nodeId);
    }
  }

  private synchronized void reopen(Channel closed) {
    if (stopping || channel != closed) {
      return;
    }
    closeQuietly(closed);
    try {
      subscribe();
      LOG.info("Consuming {} again", topology.workerQueue(nodeId));
    } catch (Exception e) {
      LOG.warn("Reopening the channel of {} failed ({}); trying again", nodeId, e.toString());
      scheduleReopen(closed);
    }
  }

  private void cancel(Channel current) {
    if (current == null || !current.isOpen()) {
      return;
    }
    try {
      current.basicCancel(consumerTag());
    } catch (Exception e) {
      LOG.debug("Cancelling the consumer of {}: {}", nodeId, e.toString());
    }
  }

  private String consumerTag() {
    return "clawhive-" + nodeId;
  }

  private static void closeQuietly(Channel current) {
    if (current != null && current.isOpen()) {
      try {
        current.close();
      } catch (Exception e) {
        LOG.debug("Closing consumer channel: {}", e.toString());
      }
    }
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private final class Deliveries extends DefaultConsumer {
    Deliveries(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      try {
        onDelivery(
            new Received(
                getChannel(), envelope.getDeliveryTag(), envelope.isRedeliver(), properties, body));
      } catch (RuntimeException e) {
        LOG.error("Delivery {} on {} not handled: {}", envelope.getDeliveryTag(), nodeId, e, e);
      }
    }

    @Override
    public void handleCancel(String consumerTag) {
      if (!stopping) {
        LOG.warn("Broker cancelled the consumer of {}; subscribing again", nodeId);
        scheduleReopen(getChannel());
      }
    }
  }
}
