package io.clawhive.worker.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimiterDetectorTest {

  @Test
  void readsV1MountsIncludingCombinedHierarchies() {
    var mounts =
        LimiterDetector.v1Mounts(
            List.of(
                "cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0",
                "cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,relatime,cpu,cpuacct 0 0",
                "cgroup /sys/fs/cgroup/pids cgroup rw,relatime,pids 0 0",
                "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0"));
    assertThat(mounts)
        .containsEntry("memory", Path.of("/sys/fs/cgroup/memory"))
        .containsEntry("cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"))
        .containsEntry("pids", Path.of("/sys/fs/cgroup/pids"));
  }

  @Test
  void readsOwnV1Paths() {
    var own =
        LimiterDetector.ownV1Paths(
            List.of("8:pids:/", "4:memory:/process_api/abc", "1:cpu,cpuacct:/x", "0::/"));
    assertThat(own)
        .containsEntry("memory", "/process_api/abc")
        .containsEntry("cpu", "/x")
        .containsEntry("pids", "/");
  }

  @Test
  void rejectsNonsenseLimits() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ResourceLimits(1536, 512, 1))
        .hasMessageContaining("memoryBytes");
    assertThat(ResourceLimits.defaults().memoryBytes()).isEqualTo(1536L * 1024 * 1024);
  }
}
