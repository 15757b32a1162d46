package io.clawhive.worker.admission;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.AdmissionWait;
import io.clawhive.core.storage.AdmissionWaitDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.worker.fleet.Fleet;
import io.dropwizard.lifecycle.Managed;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The users who wait for a seat, in storage ({@code admission_waits}), cluster-wide and in arrival
 * order: their messages are kept there as route tasks. Whenever a seat may have freed on this
 * worker (a message was handled, or every {@link #ROUND_EVERY}) it takes the first waiting user it
 * can serve (no instance yet, or their instance lives here), seats them ({@link Fleet#reserve},
 * which hibernates an idle gateway if need be) and publishes their messages back to its own queue,
 * in order; it stops at the first user it cannot seat, so nobody is overtaken.
 *
 * <p>Metrics (never by tenant): {@value #WAITS} (messages put in line), {@value #ADMITTED} (users
 * taken out of line), {@value #WAIT_TIME} (time a message spent in line), {@value #WAITING} (users
 * in line now, cluster-wide).
 */
public final class WaitingLine implements Managed {

  public static final String WAITS = "admission.waits";
  public static final String ADMITTED = "admission.admitted";
  public static final String WAIT_TIME = "admission.wait";
  public static final String WAITING = "admission.waiting";

  /** A worker that claimed a user's messages and did not publish them by then died doing so. */
  static final Duration CLAIM_EXPIRES = Duration.ofMinutes(2);

  /** How often the line is looked at even when nothing here signalled a free seat. */
  static final Duration ROUND_EVERY = Duration.ofSeconds(2);

  /** Users taken out of line in one round at most (the next round goes on). */
  static final int MAX_PER_ROUND = 100;

  private static final Logger LOG = LoggerFactory.getLogger(WaitingLine.class);

  private final String nodeId;
  private final Storage storage;
  private final Fleet fleet;
  private final TaskPublisher publisher;
  private final TaskCodec codec = new TaskCodec();
  private final Clock clock;
  private final Meter waits;
  private final Meter admitted;
  private final Timer waitTime;
  private final AtomicBoolean roundPending = new AtomicBoolean();
  private ScheduledExecutorService executor;

  /**
   * @param publisher publishes to this worker's own queue; the line closes it at stop
   */
  public WaitingLine(
      String nodeId,
      Storage storage,
      Fleet fleet,
      TaskPublisher publisher,
      MetricRegistry metrics,
      Clock clock) {
    this.nodeId = nodeId;
    this.storage = storage;
    this.fleet = fleet;
    this.publisher = publisher;
    this.clock = clock;
    this.waits = metrics.meter(WAITS);
    this.admitted = metrics.meter(ADMITTED);
    this.waitTime = metrics.timer(WAIT_TIME);
    metrics.gauge(WAITING, () -> (Gauge<Integer>) this::waitingUsers);
  }

  @Override
  public synchronized void start() {
    fleet.othersWaitingFrom(this::anyoneWaitingHere);
    fleet.onSeatMayBeFree(this::admitSoon);
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "admission-line");
              thread.setDaemon(true);
              return thread;
            });
    executor.scheduleWithFixedDelay(
        this::roundSafely, 0, ROUND_EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() throws InterruptedException {
    if (executor != null) {
      executor.shutdownNow();
      executor.awaitTermination(5, TimeUnit.SECONDS);
    }
    publisher.close();
  }

  /**
   * Puts the message in line (once, whatever redeliveries); the user's place, 1 = next. One at a
   * time on this worker, so that users placed together are told different places.
   */
  public synchronized int add(RouteMessage message) {
    AdmissionWaitDao dao = storage.dao(AdmissionWaitDao.class);
    String task = new String(codec.encode(message), StandardCharsets.UTF_8);
    if (dao.insertIfAbsent(message.tenant(), message.taskId().toString(), task, clock.instant())) {
      waits.mark();
    }
    return dao.positionOf(message.tenant());
  }

  /** Whether the tenant has messages in line that no worker has taken out yet. */
  public boolean waits(long tenantId) {
    return storage.dao(AdmissionWaitDao.class).countWaitingOf(tenantId, stale()) > 0;
  }

  /** Whether someone this worker could serve waits (newcomers then queue behind them). */
  public boolean anyoneWaitingHere() {
    return storage.dao(AdmissionWaitDao.class).findFirstServableBy(nodeId, stale()).isPresent();
  }

  /** Looks at the line soon, on its own thread (several calls meanwhile make one round). */
  public void admitSoon() {
    ScheduledExecutorService running = executor;
    if (running != null && !running.isShutdown() && roundPending.compareAndSet(false, true)) {
      running.execute(
          () -> {
            roundPending.set(false);
            roundSafely();
          });
    }
  }

  /** One round on the calling thread: the number of users taken out of line and seated. */
  public int admitWaiting() {
    AdmissionWaitDao dao = storage.dao(AdmissionWaitDao.class);
    int seated = 0;
    for (int i = 0; i < MAX_PER_ROUND; i++) {
      Instant now = clock.instant();
      Optional<Long> first = dao.findFirstServableBy(nodeId, now.minus(CLAIM_EXPIRES));
      if (first.isEmpty()) {
        break;
      }
      long tenant = first.get();
      if (dao.claim(tenant, nodeId, now, now.minus(CLAIM_EXPIRES)) == 0) {
        continue; // another worker took them meanwhile
      }
      if (!seat(tenant)) {
        dao.unclaim(tenant, nodeId);
        break; // in order: nobody behind them goes first
      }
      for (AdmissionWait wait : dao.listClaimed(tenant, nodeId)) {
        publisher.publish(nodeId, codec.decode(wait.task().getBytes(StandardCharsets.UTF_8)));
        dao.delete(wait.id());
        waitTime.update(Duration.between(wait.enqueuedAt(), clock.instant()));
      }
      admitted.mark();
      seated++;
    }
    return seated;
  }

  private boolean seat(long tenant) {
    try {
      if (!fleet.reserve(tenant)) {
        return false;
      }
      LOG.info("tenant {} leaves the waiting line: seated on worker {}", tenant, nodeId);
    } catch (RuntimeException e) {
      // their gateway cannot start here (FAILED, another's seat, …): the route handler answers
      // each message with what it then meets, as it would have without the wait
      LOG.info("tenant {} leaves the waiting line without a gateway: {}", tenant, e.toString());
    }
    return true;
  }

  private void roundSafely() {
    try {
      admitWaiting();
    } catch (Throwable t) {
      LOG.warn("waiting line round failed, next in {}: {}", ROUND_EVERY, t.toString());
    }
  }

  private Instant stale() {
    return clock.instant().minus(CLAIM_EXPIRES);
  }

  private int waitingUsers() {
    try {
      return storage.dao(AdmissionWaitDao.class).countTenants();
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
