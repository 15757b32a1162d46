package io.clawhive.worker.sandbox;

import io.clawhive.worker.instance.SystemUser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs the per-tenant egress policy with iptables (and ip6tables when the host has IPv6): a
 * dedicated chain jumped to from OUTPUT and one chain per tenant uid, matched with the owner
 * module. All changes are idempotent; a tenant's chain is replaced atomically through {@code
 * iptables-restore --noflush}.
 */
public final class EgressPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(EgressPolicy.class);
  static final String RESTORE_SUFFIX = "-restore";

  /**
   * Seconds iptables waits for the xtables lock (legacy backend; nft ignores it) before it gives up
   * with a clear message; bounded so a stuck lock holder fails one operation, not the node.
   */
  static final String XTABLES_LOCK_WAIT = "5";

  private volatile EgressRules rules;
  private final Map<IpFamily, Path> tools;
  private final Map<Integer, Integer> tenants = new ConcurrentHashMap<>();
  private final Map<Integer, SystemUser> users = new ConcurrentHashMap<>();

  EgressPolicy(EgressRules rules, Map<IpFamily, Path> tools) {
    this.rules = rules;
    this.tools = Map.copyOf(tools);
  }

  /** The families this policy covers (IPv6 only where the host has it). */
  public List<String> families() {
    return tools.keySet().stream().map(Enum::name).sorted().toList();
  }

  String chain() {
    return rules.chain();
  }

  /** Creates the chain, its ESTABLISHED rule and the jump from OUTPUT (each when missing). */
  synchronized void installBase() {
    for (Map.Entry<IpFamily, Path> e : tools.entrySet()) {
      Path tool = e.getValue();
      if (!run(tool, List.of("-S", rules.chain())).ok()) {
        require(tool, List.of("-N", rules.chain()), "create chain " + rules.chain());
      }
      ensure(tool, rules.establishedRule(), true);
      ensure(tool, rules.outputJump(), true);
    }
  }

  /** Installs (or refreshes) the tenant's rules: its own gateway port and the allowances pass. */
  public synchronized void addTenant(SystemUser user, int gatewayPort) {
    for (Map.Entry<IpFamily, Path> e : tools.entrySet()) {
      Path tool = e.getValue();
      String input = rules.userChainRestore(e.getKey(), user.uid(), gatewayPort);
      HostTool.Result restored = restore(restoreTool(tool), input);
      if (!restored.ok()) {
        throw new EgressPolicyException(
            user.name(), restoreTool(tool).getFileName() + " failed: " + restored.firstLine());
      }
      try {
        ensure(tool, rules.userJump(user.uid()), false);
      } catch (IllegalStateException ex) {
        throw new EgressPolicyException(user.name(), ex.getMessage());
      }
    }
    tenants.put(user.uid(), gatewayPort);
    users.put(user.uid(), user);
    LOG.info(
        "egress policy for {} (uid {}) installed: gateway port {}, {} rules per family on {}",
        user.name(),
        user.uid(),
        gatewayPort,
        rules.userRules(IpFamily.V4, gatewayPort).size(),
        families());
  }

  /** Removes the tenant's jump and chain; missing pieces are fine. */
  public synchronized void removeTenant(SystemUser user) {
    for (Path tool : tools.values()) {
      while (run(tool, prepend("-C", rules.userJump(user.uid()))).ok()) {
        if (!run(tool, prepend("-D", rules.userJump(user.uid()))).ok()) {
          break;
        }
      }
      String chain = rules.userChain(user.uid());
      if (run(tool, List.of("-S", chain)).ok()) {
        run(tool, List.of("-F", chain));
        HostTool.Result deleted = run(tool, List.of("-X", chain));
        if (!deleted.ok()) {
          throw new EgressPolicyException(
              user.name(), "cannot delete chain " + chain + ": " + deleted.firstLine());
        }
      }
    }
    tenants.remove(user.uid());
    users.remove(user.uid());
    LOG.info("egress policy for {} (uid {}) removed", user.name(), user.uid());
  }

  /**
   * Removes everything this policy installed on the host: the OUTPUT jump, every tenant chain and
   * the chain itself (for taking a node out of service, and for tests).
   */
  public synchronized void uninstall() {
    for (Path tool : tools.values()) {
      while (run(tool, prepend("-C", rules.outputJump())).ok()) {
        if (!run(tool, prepend("-D", rules.outputJump())).ok()) {
          break;
        }
      }
      HostTool.Result all = run(tool, List.of("-S"));
      List<String> chains =
          all.output()
              .lines()
              .filter(l -> l.startsWith("-N " + rules.chain()))
              .map(l -> l.substring(3).trim())
              .filter(c -> c.equals(rules.chain()) || c.startsWith(rules.chain() + "-"))
              .toList();
      for (String chain : chains) {
        run(tool, List.of("-F", chain));
      }
      for (String chain : chains) {
        HostTool.Result deleted = run(tool, List.of("-X", chain));
        if (!deleted.ok()) {
          LOG.warn("cannot delete chain {}: {}", chain, deleted.firstLine());
        }
      }
    }
    tenants.clear();
    users.clear();
    LOG.info("egress policy chain {} removed from {}", rules.chain(), families());
  }

  /**
   * Puts everything back: the base chain and jump, and every tenant's chain and jump; name servers
   * re-read from /etc/resolv.conf first when the policy allows them (chains rewritten with them).
   */
  public synchronized void repair() {
    installBase();
    for (Map.Entry<Integer, Integer> tenant : Map.copyOf(tenants).entrySet()) {
      addTenant(users.get(tenant.getKey()), tenant.getValue());
    }
  }

  /**
   * Takes the current name servers; true (and every tenant's chain rewritten) when they changed.
   */
  public synchronized boolean refreshResolvers(List<java.net.InetAddress> resolvers) {
    EgressRules updated = rules.withResolvers(resolvers);
    if (updated.resolvers().equals(rules.resolvers())) {
      return false;
    }
    rules = updated;
    repair();
    return true;
  }

  /** What is wrong with the installed rules (empty when everything is in place). */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<IpFamily, Path> e : tools.entrySet()) {
      String family = e.getKey().name();
      HostTool.Result all = run(e.getValue(), List.of("-S"));
      if (!all.ok()) {
        problems.add(family + ": cannot list rules: " + all.firstLine());
        continue;
      }
      List<String> lines = all.output().lines().toList();
      if (!lines.contains("-A OUTPUT -j " + rules.chain())) {
        problems.add(family + ": OUTPUT does not jump to " + rules.chain());
      }
      for (Map.Entry<Integer, Integer> tenant : tenants.entrySet()) {
        int uid = tenant.getKey();
        String chain = rules.userChain(uid);
        boolean jumped =
            lines.stream()
                .anyMatch(l -> l.contains("--uid-owner " + uid + " ") && l.endsWith("-j " + chain));
        long count = lines.stream().filter(l -> l.startsWith("-A " + chain + " ")).count();
        int expected = rules.userRules(e.getKey(), tenant.getValue()).size();
        if (!jumped) {
          problems.add(family + ": no jump to " + chain + " for uid " + uid);
        }
        if (count != expected) {
          problems.add(family + ": " + chain + " has " + count + " rules, expected " + expected);
        }
      }
    }
    return problems;
  }

  /** The rules as {@code iptables -S CHAIN} prints them, for one family (tests, diagnostics). */
  public List<String> listRules(String family, String chain) {
    Path tool = tools.get(IpFamily.valueOf(family));
    if (tool == null) {
      return List.of();
    }
    HostTool.Result result = run(tool, List.of("-S", chain));
    // iptables-nft may print "# Warning: iptables-legacy tables present" on stderr
    return result.ok()
        ? result.output().lines().filter(l -> !l.startsWith("#")).toList()
        : List.of();
  }

  public String userChain(SystemUser user) {
    return rules.userChain(user.uid());
  }

  int tenantCount() {
    return tenants.size();
  }

  private void ensure(Path tool, List<String> rule, boolean first) {
    if (run(tool, prepend("-C", rule)).ok()) {
      return;
    }
    List<String> add = new ArrayList<>();
    if (first) {
      add.add("-I");
      add.add(rule.get(0));
      add.add("1");
      add.addAll(rule.subList(1, rule.size()));
    } else {
      add.addAll(prepend("-A", rule));
    }
    require(tool, add, "add rule " + String.join(" ", rule));
  }

  private static void require(Path tool, List<String> args, String what) {
    HostTool.Result result = run(tool, args);
    if (!result.ok()) {
      throw new IllegalStateException(
          tool.getFileName() + " cannot " + what + ": " + result.firstLine());
    }
  }

  private static List<String> prepend(String op, List<String> rule) {
    List<String> args = new ArrayList<>(rule.size() + 1);
    args.add(op);
    args.addAll(rule);
    return args;
  }

  private static HostTool.Result run(Path tool, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(tool.toString());
    command.add("-w");
    command.add(XTABLES_LOCK_WAIT);
    command.addAll(args);
    return HostTool.run(command);
  }

  static Path restoreTool(Path tool) {
    return tool.resolveSibling(tool.getFileName() + RESTORE_SUFFIX);
  }

  static HostTool.Result restore(Path restoreTool, String input) {
    return HostTool.run(
        List.of(restoreTool.toString(), "-w", XTABLES_LOCK_WAIT, "--noflush"),
        input,
        Duration.ofSeconds(HostTool.TIMEOUT_SECONDS));
  }
}
