package io.clawhive.worker.instance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The parts of {@link DiskImages} that need no root: mountinfo parsing and when a disk is full. */
class DiskImagesTest {

  private static final long MIB = 1024 * 1024;

  @Test
  void mountPointsAreReadFromMountinfoWithOctalEscapesDecoded() {
    assertThat(DiskImages.unescape("/data/my\\040instances\\011x"))
        .isEqualTo("/data/my instances\tx");
    assertThat(DiskImages.unescape("/plain")).isEqualTo("/plain");
    assertThat(DiskImages.mountPoints()).contains("/");
    assertThat(DiskImages.isMountPoint(Path.of("/"))).isTrue();
    assertThat(DiskImages.isMountPoint(Path.of("/no-such-mount-point"))).isFalse();
  }

  @Test
  void aDiskIsFullBelowOneMibFreeAndRoomyAgainWithATenthFree() {
    DiskImages.Usage full = new DiskImages.Usage(32 * MIB, 260 * 1024);
    DiskImages.Usage nearlyFull = new DiskImages.Usage(32 * MIB, 2 * MIB);
    DiskImages.Usage roomy = new DiskImages.Usage(32 * MIB, 4 * MIB);

    assertThat(full.full()).isTrue();
    assertThat(full.roomy()).isFalse();
    assertThat(nearlyFull.full()).isFalse();
    assertThat(nearlyFull.roomy()).as("not yet: the tenant is not told again").isFalse();
    assertThat(roomy.full()).isFalse();
    assertThat(roomy.roomy()).isTrue();
  }
}
