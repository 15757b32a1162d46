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

  private SandboxHost() {}

  public static void assumeSandboxHost() {
    assumeTrue(
        SystemUsers.runningAsRoot(),
        "not running as root: skipping the sandbox test (CI runs it as root)");
    for (String tool : List.of("bwrap", "iptables", "ip6tables", "setpriv")) {
      assumeTrue(
          HostTool.find(tool).isPresent(),
          tool + " not installed: skipping the sandbox test (apt-get install bubblewrap iptables)");
    }
  }

  /** A sandbox config whose sandboxes can also run this JVM's stand-in gateway. */
  public static IsolationConfig config(String mode, List<String> allowed) {
    IsolationConfig config = new IsolationConfig();
    config.setMode(mode);
    config.setChain(TEST_CHAIN);
    config.allow(allowed);
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
