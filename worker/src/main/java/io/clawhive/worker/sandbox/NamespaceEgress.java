package io.clawhive.worker.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs, checks and repairs the {@link NamespaceRules} with iptables. The chains are always
 * rewritten whole and atomically ({@code iptables-restore --noflush}), so an instance added or
 * removed, a name server changed, or a rule deleted by hand all take the same path.
 */
final class NamespaceEgress {

  private static final Logger LOG = LoggerFactory.getLogger(NamespaceEgress.class);

  private final Path iptables;
  private volatile NamespaceRules rules;

  NamespaceEgress(Path iptables, NamespaceRules rules) {
    this.iptables = iptables;
    this.rules = rules;
  }

  NamespaceRules rules() {
    return rules;
  }

  /** Writes all chains for {@code networks} and makes sure the three jumps exist. */
  synchronized void install(List<InstanceNetwork> networks) {
    HostTool.Result restored =
        EgressPolicy.restore(EgressPolicy.restoreTool(iptables), rules.restore(networks));
    if (!restored.ok()) {
      throw new IllegalStateException(
          "iptables-restore cannot install the namespace egress rules: " + restored.firstLine());
    }
    ensureJump("filter", rules.forwardJump());
    ensureJump("filter", rules.inputJump());
    ensureJump("nat", rules.natJump());
  }

  /** Takes new name servers; returns true when they differ (the caller reinstalls). */
  synchronized boolean nameservers(List<java.net.InetAddress> servers) {
    NamespaceRules updated = rules.withNameservers(servers);
    if (updated.nameservers().equals(rules.nameservers())) {
      return false;
    }
    rules = updated;
    return true;
  }

  /** What is missing or different from what {@link #install} writes (empty when all is fine). */
  List<String> problems(List<InstanceNetwork> networks) {
    List<String> problems = new ArrayList<>();
    HostTool.Result filter = run(List.of("-t", "filter", "-S"));
    HostTool.Result nat = run(List.of("-t", "nat", "-S"));
    if (!filter.ok() || !nat.ok()) {
      problems.add("cannot list rules: " + (filter.ok() ? nat : filter).firstLine());
      return problems;
    }
    List<String> f = filter.output().lines().toList();
    List<String> n = nat.output().lines().toList();
    jumpProblem(f, rules.forwardJump()).ifPresent(problems::add);
    jumpProblem(f, rules.inputJump()).ifPresent(problems::add);
    jumpProblem(n, rules.natJump()).ifPresent(problems::add);
    countProblem(f, rules.forwardChain(), rules.forwardRules(networks).size())
        .ifPresent(problems::add);
    countProblem(f, rules.policyChain(), rules.policyRules().size()).ifPresent(problems::add);
    countProblem(f, rules.inputChain(), rules.inputRules().size()).ifPresent(problems::add);
    countProblem(n, rules.natChain(), rules.natRules().size()).ifPresent(problems::add);
    for (InstanceNetwork net : networks) {
      boolean jumped =
          f.stream()
              .anyMatch(
                  l ->
                      l.startsWith("-A " + rules.forwardChain() + " ")
                          && l.contains("-i " + net.hostVeth() + " ")
                          && l.endsWith("-j " + rules.policyChain()));
      if (!jumped) {
        problems.add(rules.forwardChain() + " has no rule for " + net.hostVeth());
      }
    }
    return problems;
  }

  /** Removes the jumps and the chains (for taking a node out of service, and for tests). */
  synchronized void uninstall() {
    removeJump("filter", rules.forwardJump());
    removeJump("filter", rules.inputJump());
    removeJump("nat", rules.natJump());
    for (String chain : List.of(rules.forwardChain(), rules.inputChain(), rules.policyChain())) {
      run(List.of("-t", "filter", "-F", chain));
    }
    for (String chain : List.of(rules.forwardChain(), rules.inputChain(), rules.policyChain())) {
      run(List.of("-t", "filter", "-X", chain));
    }
    run(List.of("-t", "nat", "-F", rules.natChain()));
    run(List.of("-t", "nat", "-X", rules.natChain()));
    LOG.info("namespace egress chains {}-* removed", rules.forwardChain().replace("-FWD", ""));
  }

  /** {@code iptables -t TABLE -S CHAIN} lines (tests, diagnostics). */
  List<String> listRules(String table, String chain) {
    HostTool.Result result = run(List.of("-t", table, "-S", chain));
    return result.ok()
        ? result.output().lines().filter(l -> !l.startsWith("#")).toList()
        : List.of();
  }

  private static java.util.Optional<String> jumpProblem(List<String> lines, List<String> jump) {
    String rule = "-A " + String.join(" ", jump);
    return lines.contains(rule)
        ? java.util.Optional.empty()
        : java.util.Optional.of(jump.get(0) + " does not jump to " + jump.get(2));
  }

  private static java.util.Optional<String> countProblem(
      List<String> lines, String chain, int expected) {
    long count = lines.stream().filter(l -> l.startsWith("-A " + chain + " ")).count();
    if (!lines.contains("-N " + chain)) {
      return java.util.Optional.of("chain " + chain + " is missing");
    }
    return count == expected
        ? java.util.Optional.empty()
        : java.util.Optional.of(chain + " has " + count + " rules, expected " + expected);
  }

  private void ensureJump(String table, List<String> jump) {
    List<String> check = new ArrayList<>(List.of("-t", table, "-C"));
    check.addAll(jump);
    if (run(check).ok()) {
      return;
    }
    List<String> insert = new ArrayList<>(List.of("-t", table, "-I", jump.get(0), "1"));
    insert.addAll(jump.subList(1, jump.size()));
    HostTool.Result result = run(insert);
    if (!result.ok()) {
      throw new IllegalStateException(
          "iptables cannot add " + String.join(" ", jump) + ": " + result.firstLine());
    }
  }

  private void removeJump(String table, List<String> jump) {
    List<String> check = new ArrayList<>(List.of("-t", table, "-C"));
    check.addAll(jump);
    List<String> delete = new ArrayList<>(List.of("-t", table, "-D"));
    delete.addAll(jump);
    while (run(check).ok()) {
      if (!run(delete).ok()) {
        break;
      }
    }
  }

  private HostTool.Result run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(iptables.toString());
    command.add("-w");
    command.add(EgressPolicy.XTABLES_LOCK_WAIT);
    command.addAll(args);
    return HostTool.run(command);
  }
}
