package io.clawhive.worker.sandbox;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.standin.StandIn;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test support: skips unless this host can sandbox (root, bwrap, iptables), and a test config. */
public final class SandboxHost {

  /** Tests use their own chain, apart from a real worker's CLAWHIVE-EGRESS. */
  public static final String TEST_CHAIN = "CLAWTEST-EGRESS";

  /** Tests number their namespaces from their own pool, apart from a real worker's. */
  public static final String TEST_POOL = "10.239.0.0/24";

  /** The model proxy port the tests' namespaces may reach on the worker address. */
  public static final int TEST_MODEL_PROXY_PORT = 18799;

  /** The tests' worker address (the pool's second address, on lo while an isolation runs). */
  public static final String TEST_WORKER_ADDRESS = "10.239.0.1";

  private SandboxHost() {}

  /** The tools a sandbox needs on the host, each with the Debian package that brings it. */
  private static final List<String> TOOLS =
      List.of("bwrap", "iptables", "ip6tables", "setpriv", "ip");

  public static void assumeSandboxHost() {
    assumeTrue(
        SystemUsers.runningAsRoot(),
        "not running as root: skipping the sandbox test (CI runs it as root)");
    missingTool()
        .ifPresent(
            tool ->
                assumeTrue(
                    false,
                    tool
                        + " not installed: skipping the sandbox test (apt-get install bubblewrap"
                        + " iptables iproute2)"));
  }

  /**
   * Whether this host can sandbox: running as root with bwrap, iptables, ip6tables, setpriv and ip
   * installed (what {@link #assumeSandboxHost} requires, as a value for tests that fall back).
   */
  public static boolean available() {
    return SystemUsers.runningAsRoot() && missingTool().isEmpty();
  }

  private static java.util.Optional<String> missingTool() {
    return TOOLS.stream().filter(tool -> HostTool.find(tool).isEmpty()).findFirst();
  }

  /**
   * What the isolation may change on the host beyond its own chains: net.ipv4.ip_forward and the
   * FORWARD policy. Returns what puts both back as they were (call it after uninstalling).
   */
  public static Runnable forwardingRestorer() {
    try {
      String forward = Files.readString(HostForwarding.IP_FORWARD).trim();
      String policy =
          HostTool.run(List.of("iptables", "-w", "-S", "FORWARD"))
              .output()
              .lines()
              .filter(l -> l.startsWith("-P FORWARD "))
              .map(l -> l.substring("-P FORWARD ".length()).trim())
              .findFirst()
              .orElse("ACCEPT");
      return () -> {
        HostTool.run(List.of("iptables", "-w", "-P", "FORWARD", policy));
        try {
          Files.writeString(HostForwarding.IP_FORWARD, forward);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      };
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A sandbox isolation whose namespaces may reach a local test server (a fake registry) on {@code
   * port}: allowed as a loopback allowance, which namespaces reach on the worker address.
   */
  public static Isolation reaching(int port) {
    return Isolation.forMode(config("sandbox", List.of("127.0.0.1:" + port)), 2);
  }

  /** Where a test server must listen for {@link #reaching}'s namespaces: the worker address. */
  public static java.net.InetSocketAddress onWorkerAddress(Isolation isolation, int port) {
    return new java.net.InetSocketAddress(isolation.modelProxyListenAddress().orElseThrow(), port);
  }

  /** A sandbox config whose sandboxes can also run this JVM's stand-in gateway. */
  public static IsolationConfig config(String mode, List<String> allowed) {
    IsolationConfig config = new IsolationConfig();
    config.setMode(mode);
    config.setChain(TEST_CHAIN);
    config.allow(allowed);
    config.setNetworkPool(TEST_POOL);
    config.setModelProxyPort(TEST_MODEL_PROXY_PORT);
    config.setRepairInterval(io.dropwizard.util.Duration.seconds(1));
    List<String> extra = new ArrayList<>();
    extra.add(testClasses().toString());
    Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath();
    if (!javaHome.startsWith("/usr")) {
      extra.add(javaHome.toString());
    }
    if (Files.isDirectory(Path.of("/etc/java-17-openjdk"))) {
      extra.add("/etc/java-17-openjdk"); // the JDK's conf/ links there
    }
    config.setExtraReadOnlyPaths(extra);
    return config;
  }

  public static Path testClasses() {
    try {
      return Path.of(StandIn.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
