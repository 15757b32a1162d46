package io.clawhive.scheduler.failover;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.TenantMove;
import io.clawhive.core.storage.TenantMoveDao;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerLeaseDao;
import io.clawhive.core.storage.WorkerLeaseDao.Lease;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.task.UndecodableTaskException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails over dead workers, one pass at a time (one node of the scheduler cluster runs a pass):
 *
 * <ol>
 *   <li>a worker UP or DRAINING whose heartbeat is older than {@code deadAfter} is declared DEAD,
 *       which bumps its epoch (fencing it: its next heartbeat finds it lost the row), and in the
 *       same transaction each of its tenants is recorded as moved to a live worker and its instance
 *       there detached (no tenant, desired DELETED: nothing brings it back);
 *   <li>the task queue of every DEAD worker is emptied in order: each chat message goes to its
 *       tenant's new worker (confirmed there before it is acked here), so messages queued before
 *       and after the death are answered once, in order; tasks about the dead worker's own
 *       instances are dropped (those instances are gone with it); undecodable ones dead-lettered;
 *   <li>when the queue held nothing more, the worker's moves are settled: until then the api sent
 *       the moved tenants' new messages through the dead queue too, behind the older ones (moves
 *       off a worker that registered again meanwhile settle too: it consumes its queue itself and
 *       passes on what belongs elsewhere).
 * </ol>
 */
public final class Failover {
  private static final Logger LOG = LoggerFactory.getLogger(Failover.class);

  /** Messages moved per dead worker and pass at most, so one pass stays short. */
  static final int MAX_MOVED_PER_PASS = 10_000;

  private final Storage storage;
  private final Connection connection;
  private final BrokerTopology topology;
  private final TaskPublisher publisher;
  private final TaskCodec codec = new TaskCodec();
  private final Duration deadAfter;
  private final Clock clock;

  public Failover(
      Storage storage,
      Connection connection,
      BrokerTopology topology,
      TaskPublisher publisher,
      Duration deadAfter,
      Clock clock) {
    this.storage = storage;
    this.connection = connection;
    this.topology = topology;
    this.publisher = publisher;
    this.deadAfter = deadAfter;
    this.clock = clock;
  }

  /** One pass; returns its one-line summary. */
  public String run() throws IOException {
    int declared = 0;
    int tenants = 0;
    for (Lease silent : leases().listSilentSince(clock.instant().minus(deadAfter))) {
      int moved = declare(silent);
      if (moved >= 0) {
        declared++;
        tenants += moved;
      }
    }
    storage.dao(TenantMoveDao.class).settleReturned(clock.instant());
    int forwarded = 0;
    int dropped = 0;
    for (Lease dead : leases().listDead()) {
      int[] counts = drain(dead);
      forwarded += counts[0];
      dropped += counts[1];
    }
    return "declared "
        + declared
        + " worker(s) dead, moved "
        + tenants
        + " tenant(s), passed on "
        + forwarded
        + " queued message(s), dropped "
        + dropped
        + " other task(s)";
  }

  /** Declares {@code silent} dead and moves its tenants; -1 if it was not (raced or no target). */
  private int declare(Lease silent) {
    Instant now = clock.instant();
    Instant cutoff = now.minus(deadAfter);
    List<WorkerNode> live = liveWorkers(now);
    if (live.isEmpty()) {
      LOG.warn(
          "worker {} sent no heartbeat for {}, but no live worker could take its tenants: not"
              + " declared dead yet, next check as scheduled",
          silent.nodeId(),
          deadAfter);
      return -1;
    }
    MoveTargets targets = new MoveTargets(live);
    long epoch = silent.epoch() + 1;
    int moved =
        storage.inTransaction(
            tx -> {
              if (!tx.dao(WorkerLeaseDao.class)
                  .declareDead(silent.nodeId(), silent.epoch(), cutoff)) {
                return -1;
              }
              TenantMoveDao moves = tx.dao(TenantMoveDao.class);
              int count = 0;
              for (Instance instance : tx.dao(InstanceDao.class).listByWorker(silent.nodeId())) {
                if (instance.tenantId() == null) {
                  continue;
                }
                String to = targets.next();
                moves.insert(
                    new TenantMove(
                        instance.tenantId(),
                        silent.nodeId(),
                        epoch,
                        instance.id(),
                        to,
                        now,
                        null,
                        null));
                moves.detachInstance(
                    instance.id(),
                    silent.nodeId(),
                    "moved: worker " + silent.nodeId() + " was declared dead",
                    now);
                count++;
              }
              return count;
            });
    if (moved >= 0) {
      LOG.warn(
          "worker {} declared dead (no heartbeat for {}, epoch now {}): {} tenant(s) move to"
              + " {}; its queued messages follow them",
          silent.nodeId(),
          deadAfter,
          epoch,
          moved,
          live.stream().map(WorkerNode::nodeId).toList());
    }
    return moved;
  }

  /** Workers that beat within {@code deadAfter} and are UP. */
  private List<WorkerNode> liveWorkers(Instant now) {
    Instant cutoff = now.minus(deadAfter);
    return storage.dao(WorkerDao.class).listAlive(now).stream()
        .filter(w -> w.heartbeatAt().isAfter(cutoff))
        .toList();
  }

  /** Moves the dead worker's queue; {passed on, dropped}. */
  private int[] drain(Lease dead) throws IOException {
    String queue = topology.workerQueue(dead.nodeId());
    int forwarded = 0;
    int dropped = 0;
    if (!queueExists(queue)) {
      settle(dead, clock.instant()); // never declared (or deleted): nothing waits there
      return new int[] {0, 0};
    }
    try (Channel channel = connection.createChannel()) {
      for (int i = 0; i < MAX_MOVED_PER_PASS; i++) {
        GetResponse response = channel.basicGet(queue, false);
        if (response == null) {
          settle(dead, clock.instant());
          break;
        }
        long tag = response.getEnvelope().getDeliveryTag();
        Task task;
        try {
          task = codec.decode(response.getBody());
        } catch (UndecodableTaskException e) {
          channel.basicReject(tag, false); // to the dead-letter queue, as its consumer would
          continue;
        }
        if (task instanceof RouteMessage message) {
          String to = targetOf(message.tenant(), dead);
          publisher.publish(to, message);
          forwarded++;
        } else {
          LOG.info(
              "dropped {} task {} queued for dead worker {} (it concerned that worker's own"
                  + " instances)",
              task.type(),
              task.taskId(),
              dead.nodeId());
          dropped++;
        }
        channel.basicAck(tag, false);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("closing the channel timed out", e);
    }
    if (forwarded > 0 || dropped > 0) {
      LOG.info(
          "moved {} message(s) from dead worker {}'s queue, dropped {}",
          forwarded,
          dead.nodeId(),
          dropped);
    }
    return new int[] {forwarded, dropped};
  }

  /** Whether the queue exists; a probe on its own channel, which the broker closes if not. */
  private boolean queueExists(String queue) throws IOException {
    Channel probe = connection.createChannel();
    try {
      probe.queueDeclarePassive(queue);
    } catch (IOException noQueue) {
      return false; // the broker closed the probe channel with 404
    }
    try {
      probe.close();
    } catch (java.util.concurrent.TimeoutException | com.rabbitmq.client.AlreadyClosedException e) {
      LOG.debug("closing the queue probe channel: {}", e.toString());
    }
    return true;
  }

  /** Settles the moves made before {@code emptyAt}, when the queue was found empty. */
  private void settle(Lease dead, Instant emptyAt) {
    int settled = storage.dao(TenantMoveDao.class).settle(dead.nodeId(), emptyAt, emptyAt);
    if (settled > 0) {
      LOG.info(
          "dead worker {}'s queue is empty: {} moved tenant(s) are routed as usual again",
          dead.nodeId(),
          settled);
    }
  }

  /**
   * The worker that answers {@code tenant} now: where its move off {@code dead} goes; else where
   * its instance lives; else a live worker, recorded as a move so its later messages follow.
   */
  private String targetOf(long tenant, Lease dead) {
    TenantMoveDao moves = storage.dao(TenantMoveDao.class);
    Optional<TenantMove> move = moves.find(tenant, dead.nodeId(), dead.epoch());
    if (move.isPresent()) {
      return move.get().toWorker();
    }
    Optional<Instance> owned = storage.dao(InstanceDao.class).findByTenant(tenant);
    if (owned.isPresent() && !owned.get().workerNode().equals(dead.nodeId())) {
      return owned.get().workerNode();
    }
    Instant now = clock.instant();
    List<WorkerNode> live = liveWorkers(now);
    if (live.isEmpty()) {
      throw new IllegalStateException(
          "no live worker for tenant " + tenant + "'s message queued on dead " + dead.nodeId());
    }
    String to = new MoveTargets(live).next();
    moves.insert(new TenantMove(tenant, dead.nodeId(), dead.epoch(), null, to, now, null, null));
    return to;
  }

  private WorkerLeaseDao leases() {
    return storage.dao(WorkerLeaseDao.class);
  }
}
