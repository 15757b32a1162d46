package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.GatewayExit;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.GatewayProcess;
import io.clawhive.worker.process.LaunchSpec;
import io.clawhive.worker.process.LauncherSettings;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandIn.ExecResult;
import io.clawhive.worker.supervision.HealthProbe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root with bubblewrap, iptables and iproute2: two live tenants (stand-in gateways launched by
 * the real launcher through {@link Isolation#apply}, each in its own network namespace) and
 * commands run inside tenant A's sandbox through the stand-in's test exec hook, acting as a hostile
 * agent would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxIsolationTest {

  private static final String CONNECTED = "CONNECTED";
  private static final Duration READY = Duration.ofSeconds(20);
  private static final int PIDS_LIMIT = 20;

  private final SystemUsers users = new SystemUsers("clawsb-");
  private final List<SystemUser> created = new ArrayList<>();
  private final List<GatewayProcess> gateways = new ArrayList<>();
  private final List<ServerSocket> listeners = new ArrayList<>();
  @TempDir static Path tempDir;

  private Isolation isolation;
  private GatewayLauncher launcher;
  private Path dataDir;
  private Path instancesRoot;
  private Path nodeConfig;
  private SystemUser userA;
  private SystemUser userB;
  private InstanceLayout layoutA;
  private InstanceLayout layoutB;
  private final String tokenA = AuthTokens.newToken();
  private final String tokenB = AuthTokens.newToken();
  private RuntimeLayout runtime;
  private int portA;
  private int portB;
  private ServerSocket adminPort;
  private ServerSocket applicationPort;
  private ServerSocket brokerPort;
  private ServerSocket allowedEndpoint;
  private ServerSocket loopbackV6;
  private ServerSocket modelProxy;
  private ServerSocket workerAdmin;
  private ServerSocket workerPostgres;
  private Runnable restoreForwarding;

  @BeforeAll
  void startTwoTenants() throws Exception {
    SandboxHost.assumeSandboxHost();
    // the node's own files, as the node lays them out: root-owned and private
    Path root = StandIn.instancesRoot(tempDir);
    dataDir = Files.createDirectories(root.resolve("data"));
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx--x--x"));
    privateFile(dataDir.resolve("clawhive.mv.db"), "H2 database secret rows");
    Path broker = Files.createDirectories(dataDir.resolve("broker"));
    Files.setPosixFilePermissions(broker, PosixFilePermissions.fromString("rwx------"));
    privateFile(broker.resolve("broker-password"), "broker-password-secret");
    nodeConfig = privateFile(root.resolve("config.yml"), "adminToken: admin-token-secret");
    instancesRoot = Files.createDirectories(dataDir.resolve("instances"));
    Files.setPosixFilePermissions(instancesRoot, PosixFilePermissions.fromString("rwx--x--x"));

    runtime = new RuntimeLayout(Files.createDirectories(root.resolve("runtime")));
    adminPort = listen("127.0.0.1");
    applicationPort = listen("127.0.0.1");
    brokerPort = listen("127.0.0.1");
    loopbackV6 = listen("::1");
    int allowedPort = StandIn.port(); // a local model server the config names as 127.0.0.1:P

    restoreForwarding = SandboxHost.forwardingRestorer();
    isolation =
        Isolation.forMode(SandboxHost.config("sandbox", List.of("127.0.0.1:" + allowedPort)), 2);
    String worker = SandboxHost.TEST_WORKER_ADDRESS;
    // from a namespace, the host's loopback services are only reachable at the worker address
    allowedEndpoint = listen(worker, allowedPort);
    modelProxy = listen(worker, SandboxHost.TEST_MODEL_PROXY_PORT);
    workerAdmin = listen(worker, adminPort.getLocalPort());
    workerPostgres = listen(worker, 0);
    launcher =
        new GatewayLauncher(
            LauncherSettings.defaults(),
            ResourceLimiter.detect(StandIn.LIMITER_SETTINGS),
            Clock.systemUTC());
    userA = user("sbxa");
    userB = user("sbxb");
    portA = StandIn.port();
    portB = StandIn.port();
    isolation.onInstanceCreated("sbxa", userA, portA, 0);
    isolation.onInstanceCreated("sbxb", userB, portB, 1);
    layoutA = provision("sbxa", userA, tokenA, "{}");
    layoutB = provision("sbxb", userB, tokenB, "{}");
    Path secretOfB = Files.writeString(layoutB.workspaceDir().resolve("notes.txt"), "B's secret");
    InstanceLayout.chown(secretOfB, userB);
    launch(layoutA, userA, portA);
    launch(layoutB, userB, portB);
  }

  private InstanceLayout provision(String id, SystemUser user, String token, String standin) {
    return StandIn.provision(
        instancesRoot, id, Optional.of(user), token, standin, isolation.gatewayBindHost(id));
  }

  @AfterAll
  void stopEverything() throws IOException {
    for (GatewayProcess gateway : gateways) {
      gateway.stop(Duration.ofSeconds(2)).join();
    }
    if (launcher != null) {
      launcher.close();
    }
    for (ServerSocket listener : listeners) {
      listener.close();
    }
    if (isolation != null) {
      for (SystemUser user : created) {
        isolation.onInstanceDeleted(user.name().substring("clawsb-".length()), user);
      }
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    for (SystemUser user : created) {
      users.delete(user);
    }
  }

  @Test
  void tenantRunsAsItsOwnUserWithOnlyTheAllowlistedEnvironment() throws Exception {
    ExecResult id = execA("id -u; id -g; hostname; env");
    assertThat(id.exit()).isZero();
    assertThat(id.output())
        .startsWith(userA.uid() + "\n" + userA.gid() + "\nclawhive\n")
        .contains("OPENCLAW_STATE_DIR=" + layoutA.stateDir())
        .doesNotContain("CLAWHIVE_FAKE_SECRET")
        .doesNotContain("fake-secret-4b1d9e");
  }

  @Test
  void tenantCannotReadAnotherTenantsWorkspaceOrTheNodesFiles() throws Exception {
    Path secretOfB = layoutB.workspaceDir().resolve("notes.txt");
    for (Path forbidden :
        List.of(
            secretOfB,
            dataDir.resolve("clawhive.mv.db"),
            dataDir.resolve("broker/broker-password"),
            nodeConfig,
            Path.of("/etc/shadow"))) {
      ExecResult read = execA("cat '" + forbidden + "'");
      assertThat(read.exit()).as("reading %s must fail", forbidden).isNotZero();
      assertThat(read.output())
          .as("reading %s", forbidden)
          .containsAnyOf("No such file", "Permission denied")
          .doesNotContain("secret");
    }
    ExecResult listing = execA("ls -a '" + instancesRoot + "' '" + dataDir + "'");
    assertThat(listing.output())
        .as("only its own instance is mounted")
        .contains("sbxa")
        .doesNotContain("sbxb")
        .doesNotContain("clawhive.mv.db")
        .doesNotContain("broker");
    ExecResult own = execA("echo mine > notes.txt && cat notes.txt");
    assertThat(own.output()).isEqualTo("mine\n");
    assertThat(Files.readString(layoutA.workspaceDir().resolve("notes.txt"))).isEqualTo("mine\n");
    ExecResult system = execA("touch /usr/bin/evil; touch '" + SandboxHost.testClasses() + "/x'");
    assertThat(system.output()).contains("Read-only file system");
  }

  @Test
  void tenantSeesOnlyItsOwnProcesses() throws Exception {
    ExecResult ps = execA("ps -eo pid,user,args");
    assertThat(ps.exit()).isZero();
    List<String> lines = ps.output().lines().skip(1).toList();
    assertThat(lines).as("bwrap init, the gateway, sh and ps").hasSizeLessThanOrEqualTo(5);
    assertThat(ps.output())
        .contains("--port " + portA)
        .doesNotContain("--port " + portB)
        .doesNotContain("surefire")
        .doesNotContain(userB.name());
    assertThat(lines.get(0).trim()).startsWith("1 ");
    ExecResult proc = execA("ls /proc | grep -c '^[0-9]'");
    assertThat(Integer.parseInt(proc.output().trim())).isLessThanOrEqualTo(6);
  }

  @Test
  void hostServicesAndOtherNamespacesAreRefusedButOwnGatewayAndTheModelProxyWork()
      throws Exception {
    String hostA = isolation.gatewayHost("sbxa");
    String hostB = isolation.gatewayHost("sbxb");
    assertThat(hostA).startsWith("10.239.0.").isNotEqualTo(hostB);
    HealthProbe probe = new HealthProbe(Clock.systemUTC());
    assertThat(probe.probe(hostA, portA, "/readyz", Duration.ofSeconds(2)).get().ok())
        .as("host -> namespace TCP: the worker probes the gateway at its private address")
        .isTrue();
    assertThat(StandIn.listening(portA))
        .as("nothing of A listens on the host's loopback any more")
        .isFalse();
    HttpResponse<String> chat = StandIn.chat(hostA, portA, tokenA, "u1", "hello");
    assertThat(chat.statusCode()).isEqualTo(200);
    assertThat(chat.body()).contains("echo: hello");

    assertThat(connectA("127.0.0.1", portA)).as("own gateway on its loopback").contains(CONNECTED);
    assertThat(connectA(hostA, portA)).as("own gateway on its address").contains(CONNECTED);
    String worker = SandboxHost.TEST_WORKER_ADDRESS;
    assertThat(connectA(worker, SandboxHost.TEST_MODEL_PROXY_PORT))
        .as("namespace -> model proxy address:port")
        .contains(CONNECTED);
    assertThat(connectA(worker, allowedEndpoint.getLocalPort()))
        .as("a local model server allowed as 127.0.0.1:P is served on the worker address")
        .contains(CONNECTED);

    assertThat(connectA(hostB, portB))
        .as("namespace A -> namespace B's gateway")
        .contains("Connection refused")
        .doesNotContain(CONNECTED);
    for (ServerSocket hostService : List.of(workerAdmin, workerPostgres)) {
      int port = hostService.getLocalPort();
      assertThat(reachableAsRoot(worker, port)).as("root reaches %s:%d", worker, port).isTrue();
      assertThat(connectA(worker, port))
          .as("tenant A to the host's %s:%d", worker, port)
          .contains("Connection refused")
          .doesNotContain(CONNECTED);
    }
    List<Integer> loopbackServices =
        new ArrayList<>(
            List.of(
                adminPort.getLocalPort(),
                applicationPort.getLocalPort(),
                brokerPort.getLocalPort(),
                5432));
    for (int port : loopbackServices) {
      assertThat(connectA("127.0.0.1", port))
          .as("127.0.0.1:%d is the namespace's own loopback: no host service there", port)
          .contains("Connection refused")
          .doesNotContain(CONNECTED);
    }
    String hostSideOfA = hostSide(hostA);
    assertThat(connectA(hostSideOfA, adminPort.getLocalPort()))
        .as("the host's end of A's veth")
        .contains("Connection refused");
    assertThat(reachableAsRoot("::1", loopbackV6.getLocalPort())).isTrue();
    assertThat(connectA("::1", loopbackV6.getLocalPort()))
        .as("no IPv6 at all inside the namespace")
        .doesNotContain(CONNECTED);
    assertThat(
            execA("cat /proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null || echo none").output())
        .isIn("1\n", "none\n");
  }

  private static String hostSide(String namespaceAddress) {
    int dot = namespaceAddress.lastIndexOf('.');
    int last = Integer.parseInt(namespaceAddress.substring(dot + 1));
    return namespaceAddress.substring(0, dot + 1) + (last - 1);
  }

  @Test
  void tenantCannotReconfigureItsNetwork() throws Exception {
    ExecResult addr =
        execA("ip addr add " + isolation.gatewayHost("sbxb") + "/32 dev lo 2>&1; echo exit=$?");
    assertThat(addr.output()).as("no CAP_NET_ADMIN").doesNotContain("exit=0");
    ExecResult caps = execA("grep CapEff /proc/self/status");
    assertThat(caps.output()).contains("0000000000000000");
  }

  @Test
  void namespaceRulesDenyEveryNewRangeAndAllowOnlyTheModelProxyOnTheHost() {
    List<String> policy = isolation.namespaceRules("filter", "-NS");
    for (String range :
        List.of(
            "169.254.0.0/16",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "192.0.0.0/24",
            "198.18.0.0/15",
            "240.0.0.0/4",
            "168.63.129.16/32",
            SandboxHost.TEST_POOL)) {
      assertThat(policy)
          .as("forwarded %s denied", range)
          .anyMatch(l -> l.contains("-d " + range + " -j REJECT"));
    }
    assertThat(policy.get(policy.size() - 1)).endsWith("-j ACCEPT");
    List<String> input = isolation.namespaceRules("filter", "-IN");
    assertThat(input)
        .anyMatch(
            l ->
                l.contains("-d " + SandboxHost.TEST_WORKER_ADDRESS + "/32")
                    && l.contains("--dport " + SandboxHost.TEST_MODEL_PROXY_PORT)
                    && l.endsWith("-j ACCEPT"));
    assertThat(input.get(input.size() - 1))
        .startsWith("-A CLAWTEST-EGRESS-IN -i chv0aef00+ -j REJECT");
    List<String> forward = isolation.namespaceRules("filter", "-FWD");
    assertThat(forward)
        .anyMatch(l -> l.contains("-s " + isolation.gatewayHost("sbxa") + "/32"))
        .anyMatch(l -> l.contains("-i chv+ -o chv+ -j REJECT"));
    assertThat(isolation.namespaceRules("nat", "-NAT"))
        .anyMatch(l -> l.contains("-s " + SandboxHost.TEST_POOL + " -j MASQUERADE"));
    assertThat(HostTool.run(List.of("iptables", "-w", "-S", "FORWARD")).output())
        .contains("-A FORWARD -j CLAWTEST-EGRESS-FWD");
  }

  @Test
  void linkLocalAndPrivateRangesAreDeniedInTheInstalledRules() {
    EgressPolicy policy = isolation.egressPolicy().orElseThrow();
    List<String> v4 = policy.listRules("V4", policy.userChain(userA));
    assertThat(v4)
        .contains(
            "-A "
                + policy.userChain(userA)
                + " -d 127.0.0.0/8 -p tcp -m tcp --dport "
                + portA
                + " -j RETURN")
        .contains(
            "-A "
                + policy.userChain(userA)
                + " -d 127.0.0.1/32 -p tcp -m tcp --dport "
                + allowedEndpoint.getLocalPort()
                + " -j RETURN");
    for (String range :
        List.of(
            "169.254.0.0/16",
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "192.0.0.0/24",
            "198.18.0.0/15",
            "240.0.0.0/4",
            "168.63.129.16/32",
            "127.0.0.0/8")) {
      assertThat(v4)
          .as("IPv4 %s denied", range)
          .anyMatch(l -> l.contains("-d " + range + " -j REJECT"));
    }
    assertThat(v4).anyMatch(l -> l.contains("-m addrtype --dst-type LOCAL -j REJECT"));
    List<String> v6 = policy.listRules("V6", policy.userChain(userA));
    for (String range :
        List.of(
            "fe80::/10", "fc00::/7", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16")) {
      assertThat(v6)
          .as("IPv6 %s denied", range)
          .anyMatch(l -> l.contains("-d " + range + " -j REJECT"));
    }
    List<String> main = policy.listRules("V4", SandboxHost.TEST_CHAIN);
    assertThat(main.get(1)).contains("--ctstate RELATED,ESTABLISHED -j RETURN");
    assertThat(main)
        .anyMatch(
            l ->
                l.contains("--uid-owner " + userA.uid() + " ")
                    && l.endsWith("-j " + policy.userChain(userA)));
    assertThat(policy.problems()).isEmpty();
  }

  @Test
  void healthCheckSeesAMissingRuleAndDeleteRemovesTheTenantsChain() {
    SystemUser userF = user("sbxf");
    isolation.onInstanceCreated("sbxf", userF, StandIn.port(), 5);
    EgressPolicy policy = isolation.egressPolicy().orElseThrow();
    assertThat(isolation.healthCheck().execute().isHealthy()).isTrue();

    HostTool.Result removed =
        HostTool.run(
            List.of(
                "iptables",
                "-w",
                "-D",
                SandboxHost.TEST_CHAIN,
                "-m",
                "owner",
                "--uid-owner",
                Integer.toString(userF.uid()),
                "-j",
                policy.userChain(userF)));
    assertThat(removed.ok()).as(removed.output()).isTrue();
    var broken = isolation.healthCheck().execute();
    assertThat(broken.isHealthy()).isFalse();
    assertThat(broken.getMessage()).contains("V4: no jump to " + policy.userChain(userF));

    isolation.onInstanceCreated("sbxf", userF, StandIn.port(), 5); // idempotent repair
    assertThat(isolation.healthCheck().execute().isHealthy()).isTrue();
    assertThat(Path.of("/run/netns/clawhive-0aef000c")).as("slot 5's namespace").exists();
    isolation.onInstanceDeleted("sbxf", userF);
    assertThat(Path.of("/run/netns/clawhive-0aef000c")).doesNotExist();
    assertThat(policy.listRules("V4", policy.userChain(userF))).isEmpty();
    assertThat(policy.listRules("V6", policy.userChain(userF))).isEmpty();
    assertThat(isolation.healthCheck().execute().isHealthy()).isTrue();
  }

  @Test
  void aDeletedJumpOrChainIsRepairedWithinOneIntervalAndCounted() {
    com.codahale.metrics.MetricRegistry metrics = new com.codahale.metrics.MetricRegistry();
    try (EgressRepair repair = new EgressRepair(isolation, metrics)) {
      repair.start();
      assertThat(
              HostTool.run(List.of("iptables", "-w", "-D", "FORWARD", "-j", "CLAWTEST-EGRESS-FWD"))
                  .ok())
          .isTrue();
      assertThat(HostTool.run(List.of("iptables", "-w", "-F", "CLAWTEST-EGRESS-IN")).ok()).isTrue();
      assertThat(isolation.healthCheck().execute().isHealthy()).isFalse();
      await()
          .atMost(Duration.ofSeconds(10))
          .alias("repaired within the 1 s interval (plus the pass itself)")
          .until(() -> metrics.counter(EgressRepair.REPAIRS).getCount() >= 2);
      assertThat(HostTool.run(List.of("iptables", "-w", "-S", "FORWARD")).output())
          .contains("-A FORWARD -j CLAWTEST-EGRESS-FWD");
      assertThat(isolation.namespaceRules("filter", "-IN")).hasSizeGreaterThan(3);
      assertThat(isolation.healthCheck().execute().isHealthy()).isTrue();
      assertThat(metrics.counter(EgressRepair.FAILURES).getCount()).isZero();
    }
  }

  @Test
  void memoryLimitStillBitesInsideTheSandbox() throws Exception {
    SystemUser userC = user("sbxc");
    int portC = StandIn.port();
    String tokenC = AuthTokens.newToken();
    isolation.onInstanceCreated("sbxc", userC, portC, 2);
    InstanceLayout layoutC = provision("sbxc", userC, tokenC, "{}");
    GatewayProcess c = launch(layoutC, userC, portC);

    StandIn.control(isolation.gatewayHost("sbxc"), portC, tokenC, "hog?mb=0");
    GatewayExit exit = c.onExit().get(60, TimeUnit.SECONDS);
    assertThat(exit.killedByMemoryLimit()).as("cgroup OOM kill inside bwrap").isTrue();
    assertThat(exit.exitCode()).isEqualTo(137);
  }

  @Test
  void stopReachesTheSandboxedGatewayAsSigtermAndItExitsCleanly() throws Exception {
    SystemUser userE = user("sbxe");
    int portE = StandIn.port();
    isolation.onInstanceCreated("sbxe", userE, portE, 4);
    InstanceLayout layoutE = provision("sbxe", userE, "t", "{}");
    GatewayProcess e = launch(layoutE, userE, portE);
    assertThat(ProcessHandle.of(e.pid()).flatMap(p -> p.info().command()).orElseThrow())
        .endsWith("bwrap");

    GatewayExit exit = e.stop(Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);
    assertThat(exit.exitCode()).as("the gateway's own clean exit, passed on by bwrap").isZero();
    assertThat(Files.readString(layoutE.logFile())).contains("stand-in: SIGTERM, stopping");
  }

  @Test
  void pidsLimitStillBitesInsideTheSandbox() throws Exception {
    SystemUser userD = user("sbxd");
    int portD = StandIn.port();
    isolation.onInstanceCreated("sbxd", userD, portD, 3);
    InstanceLayout layoutD = provision("sbxd", userD, "t", "{}");
    // a fork loop as the "gateway": dash gives up at the first fork the pids limit refuses
    LaunchSpec forkLoop =
        new LaunchSpec(
            "sbxd",
            portD,
            List.of(
                "sh",
                "-c",
                "i=0; while [ $i -lt 100 ]; do sleep 30 & i=$((i+1)); done; echo all started"),
            StandIn.spec(layoutD, portD, Optional.of(userD), StandIn.SMALL_LIMITS).environment(),
            layoutD.workspaceDir(),
            layoutD.logFile(),
            layoutD.pidFile(),
            Optional.of(userD),
            new ResourceLimits(StandIn.SMALL_LIMITS.memoryBytes(), PIDS_LIMIT, 1.0));
    GatewayProcess d = launcher.launch(isolation.apply(forkLoop, layoutD, runtime));
    gateways.add(d);
    GatewayExit exit = d.onExit().get(30, TimeUnit.SECONDS);
    String log = Files.readString(layoutD.logFile());
    assertThat(log).as("pids.max %d stops the fork loop", PIDS_LIMIT).contains("Cannot fork");
    assertThat(log).doesNotContain("all started");
    assertThat(exit.exitCode()).isEqualTo(2);
    await()
        .atMost(Duration.ofSeconds(10))
        .alias("the sleeps die with the sandbox")
        .until(
            () ->
                ProcessHandle.allProcesses()
                    .noneMatch(p -> p.info().user().orElse("").equals(userD.name())));
  }

  private GatewayProcess launch(InstanceLayout layout, SystemUser user, int port) {
    GatewayProcess gateway =
        launcher.launch(
            isolation.apply(
                StandIn.spec(layout, port, Optional.of(user), StandIn.SMALL_LIMITS),
                layout,
                runtime));
    gateways.add(gateway);
    HealthProbe probe = new HealthProbe(Clock.systemUTC());
    String host = isolation.gatewayHost(layout.instanceId());
    await()
        .atMost(READY)
        .until(() -> probe.probe(host, port, "/readyz", Duration.ofSeconds(1)).get().ok());
    return gateway;
  }

  private SystemUser user(String id) {
    SystemUser user = users.ensure(id);
    created.add(user);
    return user;
  }

  private ExecResult execA(String cmd) throws Exception {
    return StandIn.exec(isolation.gatewayHost("sbxa"), portA, tokenA, cmd);
  }

  /** A TCP connect from inside tenant A's sandbox, with bash's /dev/tcp. */
  private String connectA(String host, int port) throws Exception {
    return execA(
            "timeout 5 bash -c 'exec 3<>/dev/tcp/"
                + host
                + "/"
                + port
                + "' 2>&1 && echo "
                + CONNECTED)
        .output();
  }

  private ServerSocket listen(String host) throws IOException {
    return listen(host, 0);
  }

  private ServerSocket listen(String host, int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
    listeners.add(socket);
    return socket;
  }

  private static boolean reachableAsRoot(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Path privateFile(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }
}
