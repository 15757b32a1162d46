package io.clawhive.worker.sandbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The seccomp filter bubblewrap loads into every sandbox ({@code --seccomp FD}): a classic BPF
 * program that kills a process using a foreign syscall ABI (i386, x32) and answers EPERM to the
 * usual escape and kernel-attack syscalls (keyrings, ptrace, bpf, perf, userfaultfd, io_uring,
 * module and kexec loading, mounts, namespace changes, file handles, clock and swap changes). Node
 * and OpenClaw use none of them (io_uring: libuv falls back to its thread pool).
 */
final class SeccompFilter {

  /** {@code AUDIT_ARCH_X86_64}, {@code AUDIT_ARCH_AARCH64}. */
  static final int AUDIT_ARCH_X86_64 = 0xC000003E;

  static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;

  /** x86_64 syscall numbers at or above this are the x32 ABI. */
  static final int X32_SYSCALL_BIT = 0x40000000;

  static final int RET_KILL_PROCESS = 0x80000000;
  static final int RET_ERRNO = 0x00050000;
  static final int RET_ALLOW = 0x7FFF0000;
  static final int EPERM = 1;

  private static final short LD_W_ABS = 0x20;
  private static final short JEQ_K = 0x15;
  private static final short JGE_K = 0x35;
  private static final short RET_K = 0x06;
  private static final int OFFSET_NR = 0;
  private static final int OFFSET_ARCH = 4;

  /** Denied syscalls: name → {x86_64 number, aarch64 number}; -1 where the arch has none. */
  static final Map<String, int[]> DENIED = denied();

  private final String arch;
  private final int auditArch;
  private final List<Integer> numbers;

  private SeccompFilter(String arch, int auditArch, List<Integer> numbers) {
    this.arch = arch;
    this.auditArch = auditArch;
    this.numbers = numbers;
  }

  /** The filter for this JVM's architecture, or empty on one we have no syscall table for. */
  static Optional<SeccompFilter> forThisHost() {
    return forArch(System.getProperty("os.arch", ""));
  }

  static Optional<SeccompFilter> forArch(String osArch) {
    String arch = osArch.toLowerCase(Locale.ROOT);
    int column;
    int auditArch;
    if (arch.equals("amd64") || arch.equals("x86_64")) {
      column = 0;
      auditArch = AUDIT_ARCH_X86_64;
    } else if (arch.equals("aarch64") || arch.equals("arm64")) {
      column = 1;
      auditArch = AUDIT_ARCH_AARCH64;
    } else {
      return Optional.empty();
    }
    List<Integer> numbers =
        DENIED.values().stream().map(n -> n[column]).filter(n -> n >= 0).distinct().toList();
    return Optional.of(new SeccompFilter(arch, auditArch, numbers));
  }

  String arch() {
    return arch;
  }

  /** How many syscalls answer EPERM. */
  int deniedCount() {
    return numbers.size();
  }

  /** The program as {@code struct sock_filter[]} in the host's (little-endian) byte order. */
  byte[] program() {
    boolean x86 = auditArch == AUDIT_ARCH_X86_64;
    int n = numbers.size();
    int length = 4 + (x86 ? 2 : 0) + n + 2;
    ByteBuffer out = ByteBuffer.allocate(length * 8).order(ByteOrder.LITTLE_ENDIAN);
    insn(out, LD_W_ABS, 0, 0, OFFSET_ARCH);
    insn(out, JEQ_K, 1, 0, auditArch);
    insn(out, RET_K, 0, 0, RET_KILL_PROCESS);
    insn(out, LD_W_ABS, 0, 0, OFFSET_NR);
    if (x86) {
      insn(out, JGE_K, 0, 1, X32_SYSCALL_BIT);
      insn(out, RET_K, 0, 0, RET_KILL_PROCESS);
    }
    for (int i = 0; i < n; i++) {
      // on a match, skip the remaining comparisons and the ALLOW to land on the EPERM return
      insn(out, JEQ_K, n - i, 0, numbers.get(i));
    }
    insn(out, RET_K, 0, 0, RET_ALLOW);
    insn(out, RET_K, 0, 0, RET_ERRNO | EPERM);
    return out.array();
  }

  private static void insn(ByteBuffer out, short code, int jt, int jf, int k) {
    if (jt > 255 || jf > 255) {
      throw new IllegalStateException("seccomp jump too long: " + jt);
    }
    out.putShort(code).put((byte) jt).put((byte) jf).putInt(k);
  }

  private static Map<String, int[]> denied() {
    Map<String, int[]> m = new LinkedHashMap<>();
    m.put("keyctl", new int[] {250, 219});
    m.put("add_key", new int[] {248, 217});
    m.put("request_key", new int[] {249, 218});
    m.put("ptrace", new int[] {101, 117});
    m.put("process_vm_readv", new int[] {310, 270});
    m.put("process_vm_writev", new int[] {311, 271});
    m.put("perf_event_open", new int[] {298, 241});
    m.put("bpf", new int[] {321, 280});
    m.put("userfaultfd", new int[] {323, 282});
    m.put("io_uring_setup", new int[] {425, 425});
    m.put("io_uring_enter", new int[] {426, 426});
    m.put("io_uring_register", new int[] {427, 427});
    m.put("kexec_load", new int[] {246, 104});
    m.put("kexec_file_load", new int[] {320, 294});
    m.put("init_module", new int[] {175, 105});
    m.put("finit_module", new int[] {313, 273});
    m.put("delete_module", new int[] {176, 106});
    m.put("create_module", new int[] {174, -1});
    m.put("mount", new int[] {165, 40});
    m.put("umount2", new int[] {166, 39});
    m.put("pivot_root", new int[] {155, 41});
    m.put("open_tree", new int[] {428, 428});
    m.put("move_mount", new int[] {429, 429});
    m.put("fsopen", new int[] {430, 430});
    m.put("fsconfig", new int[] {431, 431});
    m.put("fsmount", new int[] {432, 432});
    m.put("fspick", new int[] {433, 433});
    m.put("mount_setattr", new int[] {442, 442});
    m.put("swapon", new int[] {167, 224});
    m.put("swapoff", new int[] {168, 225});
    m.put("unshare", new int[] {272, 97});
    m.put("setns", new int[] {308, 268});
    m.put("open_by_handle_at", new int[] {304, 265});
    m.put("name_to_handle_at", new int[] {303, 264});
    m.put("acct", new int[] {163, 89});
    m.put("quotactl", new int[] {179, 60});
    m.put("lookup_dcookie", new int[] {212, 18});
    m.put("move_pages", new int[] {279, 239});
    m.put("nfsservctl", new int[] {180, 42});
    m.put("syslog", new int[] {103, 116});
    m.put("reboot", new int[] {169, 142});
    m.put("settimeofday", new int[] {164, 170});
    m.put("clock_settime", new int[] {227, 112});
    m.put("adjtimex", new int[] {159, 171});
    m.put("clock_adjtime", new int[] {305, 266});
    m.put("vhangup", new int[] {153, 58});
    m.put("uselib", new int[] {134, -1});
    m.put("ustat", new int[] {136, -1});
    m.put("sysfs", new int[] {139, -1});
    m.put("_sysctl", new int[] {156, -1});
    m.put("iopl", new int[] {172, -1});
    m.put("ioperm", new int[] {173, -1});
    m.put("get_kernel_syms", new int[] {177, -1});
    m.put("query_module", new int[] {178, -1});
    return Collections.unmodifiableMap(m);
  }
}
