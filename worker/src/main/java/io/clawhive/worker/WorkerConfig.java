package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.sandbox.IsolationConfig;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Settings of the worker role: where the gateway runtime lives and what the gateways use. */
public class WorkerConfig {
  static final String DEFAULT_RUNTIME_DIR = "./runtime";
  static final int DEFAULT_CAPACITY = 8;

  /**
   * A chat holds a thread while the gateway works (mostly waiting): more threads than live
   * gateways, so busy tenants never take every thread (each tenant uses at most one).
   */
  static final int DEFAULT_TASK_CONCURRENCY = 32;

  /** Messages of one tenant waiting behind its running one; more are declined with a notice. */
  static final int DEFAULT_QUEUED_PER_TENANT = 4;

  /** How long one chat turn may take before the worker stops waiting for the gateway. */
  static final Duration DEFAULT_CHAT_TIMEOUT = Duration.minutes(3);

  static final String INSTANCES_SUBDIR = "instances";
  static final Duration DEFAULT_HIBERNATE_AFTER = Duration.minutes(30);
  static final DataSize DEFAULT_DISK_QUOTA = DataSize.gibibytes(1);
  static final Duration DEFAULT_HOUSEKEEPING_INTERVAL = Duration.minutes(1);

  /** What one live openclaw gateway is planned at (≈ 0.85 GB ready, 1.1–1.3 GB after turns). */
  static final DataSize DEFAULT_MEMORY_PER_GATEWAY = DataSize.mebibytes(1536);

  private static final String SKILL_SLUG = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  @NotNull private String runtimeDir = DEFAULT_RUNTIME_DIR;

  /** How many live gateways this host may run (≈ 1.5 GB each). */
  @Min(1)
  @Max(10_000)
  private int capacity = DEFAULT_CAPACITY;

  /**
   * A new gateway starts only while the host has this much memory available (MemAvailable); 0 = no
   * memory check (capacity alone decides).
   */
  @NotNull private DataSize memoryPerGateway = DEFAULT_MEMORY_PER_GATEWAY;

  /** Tasks of different tenants handled at once. */
  @Min(1)
  @Max(256)
  private int taskConcurrency = DEFAULT_TASK_CONCURRENCY;

  /**
   * Messages of one tenant the worker holds waiting behind the one being answered; beyond them a
   * message is declined (recorded, the user told once), so no tenant's backlog holds the prefetch
   * window or threads that other tenants need.
   */
  @Min(0)
  @Max(100)
  private int queuedPerTenant = DEFAULT_QUEUED_PER_TENANT;

  /** Time limit of one chat turn (the user sees "typing" meanwhile). */
  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  @MaxDuration(value = 20, unit = TimeUnit.MINUTES)
  private Duration chatTimeout = DEFAULT_CHAT_TIMEOUT;

  @Valid @NotNull private ModelProviderConfig model = new ModelProviderConfig();

  /** The model proxy that holds the model key and meters tenants (see {@link ModelProxyConfig}). */
  @JsonProperty @Valid @NotNull private ModelProxyConfig modelProxy = new ModelProxyConfig();

  /** ClawHub registry URL for skills; blank means clawhub's own default. */
  @NotNull private String clawhubRegistry = "";

  @JsonProperty @Valid @NotNull private PoolConfig pool = new PoolConfig();

  /** Answer size cap and when a long answer is sent as a document. */
  @JsonProperty @Valid @NotNull private AnswersConfig answers = new AnswersConfig();

  @JsonProperty @Valid @NotNull private PortsConfig ports = new PortsConfig();

  /** Where instance directories live; blank = {@code <dataDir>/instances}. */
  @JsonProperty @NotNull private String instancesDir = "";

  @JsonProperty @Valid @NotNull private LimitsConfig limits = new LimitsConfig();

  @JsonProperty @Valid @NotNull private SupervisionConfig supervision = new SupervisionConfig();

  /** Tenant isolation: mode (auto|sandbox|user|none), egress allowances, tools. */
  @JsonProperty @Valid @NotNull private IsolationConfig isolation = new IsolationConfig();

  /** A tenant's gateway idle this long is stopped (files kept) until the next message. */
  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration hibernateAfter = DEFAULT_HIBERNATE_AFTER;

  /**
   * Disk per tenant: the size of its own disk image where the host offers them (see {@code
   * DiskImages}), else the periodic scan's limit (over it the gateway is stopped, the user told).
   */
  @JsonProperty
  @NotNull
  @MinDataSize(1024 * 1024)
  private DataSize diskQuota = DEFAULT_DISK_QUOTA;

  /** How often pool refill, hibernation of idle gateways and disk measurement run. */
  @JsonProperty
  @NotNull
  @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
  private Duration housekeepingInterval = DEFAULT_HOUSEKEEPING_INTERVAL;

  /**
   * How often this worker writes its heartbeat; the scheduler's {@code failover.deadAfter} must be
   * several of these.
   */
  @JsonProperty
  @NotNull
  @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
  private Duration heartbeatInterval =
      Duration.milliseconds(io.clawhive.worker.node.WorkerHeartbeat.INTERVAL.toMillis());

  /** ClawHub skill slugs installed into every new instance before first use. */
  @NotNull private List<@Pattern(regexp = SKILL_SLUG) String> recommendedSkills = List.of();

  /** Skill allowlist (optionally pinned versions), denylist, clawhub work at once. */
  @JsonProperty @Valid @NotNull private SkillsConfig skills = new SkillsConfig();

  /** Prefix of the per-instance system users created when the worker runs as root. */
  @JsonProperty
  @NotNull
  @Pattern(regexp = "[a-z_][a-z0-9_-]{0,15}")
  private String instanceUserPrefix = SystemUsers.DEFAULT_PREFIX;

  /**
   * Program run as the gateway instead of the runtime's openclaw ({@code gateway run --port P
   * --bind loopback} is appended); empty = the real openclaw, verified at start.
   */
  @NotNull private List<String> gatewayCommand = List.of();

  @JsonProperty
  public String getRuntimeDir() {
    return runtimeDir;
  }

  @JsonProperty
  public void setRuntimeDir(String runtimeDir) {
    this.runtimeDir = runtimeDir;
  }

  @JsonProperty
  public DataSize getMemoryPerGateway() {
    return memoryPerGateway;
  }

  @JsonProperty
  public void setMemoryPerGateway(DataSize memoryPerGateway) {
    this.memoryPerGateway = memoryPerGateway;
  }

  @JsonProperty
  public int getCapacity() {
    return capacity;
  }

  @JsonProperty
  public void setCapacity(int capacity) {
    this.capacity = capacity;
  }

  @JsonProperty
  public int getTaskConcurrency() {
    return taskConcurrency;
  }

  @JsonProperty
  public void setTaskConcurrency(int taskConcurrency) {
    this.taskConcurrency = taskConcurrency;
  }

  @JsonProperty
  public int getQueuedPerTenant() {
    return queuedPerTenant;
  }

  @JsonProperty
  public void setQueuedPerTenant(int queuedPerTenant) {
    this.queuedPerTenant = queuedPerTenant;
  }

  public Duration getChatTimeout() {
    return chatTimeout;
  }

  public void setChatTimeout(Duration chatTimeout) {
    this.chatTimeout = chatTimeout;
  }

  @JsonProperty
  public ModelProviderConfig getModel() {
    return model;
  }

  @JsonProperty
  public void setModel(ModelProviderConfig model) {
    this.model = model;
  }

  @JsonProperty
  public String getClawhubRegistry() {
    return clawhubRegistry;
  }

  @JsonProperty
  public void setClawhubRegistry(String clawhubRegistry) {
    this.clawhubRegistry = clawhubRegistry == null ? "" : clawhubRegistry.trim();
  }

  public ModelProxyConfig getModelProxy() {
    return modelProxy;
  }

  public PoolConfig getPool() {
    return pool;
  }

  public AnswersConfig getAnswers() {
    return answers;
  }

  public PortsConfig getPorts() {
    return ports;
  }

  public LimitsConfig getLimits() {
    return limits;
  }

  public SupervisionConfig getSupervision() {
    return supervision;
  }

  public IsolationConfig getIsolation() {
    return isolation;
  }

  public Duration getHibernateAfter() {
    return hibernateAfter;
  }

  public void setHibernateAfter(Duration hibernateAfter) {
    this.hibernateAfter = hibernateAfter;
  }

  public DataSize getDiskQuota() {
    return diskQuota;
  }

  public void setDiskQuota(DataSize diskQuota) {
    this.diskQuota = diskQuota;
  }

  public Duration getHousekeepingInterval() {
    return housekeepingInterval;
  }

  public void setHousekeepingInterval(Duration housekeepingInterval) {
    this.housekeepingInterval = housekeepingInterval;
  }

  public Duration getHeartbeatInterval() {
    return heartbeatInterval;
  }

  public void setHeartbeatInterval(Duration heartbeatInterval) {
    this.heartbeatInterval = heartbeatInterval;
  }

  public String getInstanceUserPrefix() {
    return instanceUserPrefix;
  }

  public String getInstancesDir() {
    return instancesDir;
  }

  public void setInstancesDir(String instancesDir) {
    this.instancesDir = instancesDir == null ? "" : instancesDir.trim();
  }

  /** The instances directory: the configured one, or {@code <dataDir>/instances}. */
  public Path instancesDir(Path dataDir) {
    return instancesDir.isEmpty()
        ? dataDir.resolve(INSTANCES_SUBDIR).toAbsolutePath().normalize()
        : Path.of(instancesDir).toAbsolutePath().normalize();
  }

  public SkillsConfig getSkills() {
    return skills;
  }

  @JsonProperty
  public List<String> getRecommendedSkills() {
    return recommendedSkills;
  }

  /** A YAML list, or one string with comma-separated slugs (from an environment variable). */
  @JsonProperty
  public void setRecommendedSkills(JsonNode node) {
    this.recommendedSkills = words(node, "[,\\s]+");
  }

  @JsonProperty
  public List<String> getGatewayCommand() {
    return gatewayCommand;
  }

  /** A YAML list, or one string split at white space (from an environment variable). */
  @JsonProperty
  public void setGatewayCommand(JsonNode node) {
    this.gatewayCommand = words(node, "\\s+");
  }

  /** Programmatic use (tests run the stand-in gateway). */
  public void useGatewayCommand(List<String> command) {
    this.gatewayCommand = List.copyOf(command);
  }

  @JsonIgnore
  @AssertTrue(message = "ports must offer at least pool.size + 1 instance ports")
  public boolean isPortRangeLargeEnough() {
    return !ports.isOrdered() || ports.allocator().capacity() > pool.getSize();
  }

  static List<String> words(JsonNode node, String separator) {
    List<String> words = new ArrayList<>();
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (node.isArray()) {
      node.forEach(n -> words.add(n.asText().trim()));
    } else {
      for (String word : node.asText().trim().split(separator)) {
        words.add(word.trim());
      }
    }
    words.removeIf(String::isEmpty);
    return List.copyOf(words);
  }

  @Override
  public String toString() {
    return "worker{runtimeDir="
        + runtimeDir
        + ", capacity="
        + capacity
        + ", memoryPerGateway="
        + memoryPerGateway
        + ", taskConcurrency="
        + taskConcurrency
        + ", queuedPerTenant="
        + queuedPerTenant
        + ", chatTimeout="
        + chatTimeout
        + ", "
        + model
        + ", "
        + modelProxy
        + ", clawhubRegistry="
        + (clawhubRegistry.isEmpty() ? "<clawhub default>" : clawhubRegistry)
        + ", "
        + pool
        + ", "
        + answers
        + ", "
        + ports
        + ", instancesDir="
        + (instancesDir.isEmpty() ? "<dataDir>/instances" : instancesDir)
        + ", "
        + limits
        + ", hibernateAfter="
        + hibernateAfter
        + ", diskQuota="
        + diskQuota
        + ", housekeepingInterval="
        + housekeepingInterval
        + ", recommendedSkills="
        + recommendedSkills
        + ", "
        + skills
        + ", instanceUserPrefix="
        + instanceUserPrefix
        + ", gatewayCommand="
        + (gatewayCommand.isEmpty() ? "<openclaw from runtime>" : gatewayCommand)
        + ", "
        + supervision
        + ", isolation{"
        + isolation
        + "}}";
  }
}
