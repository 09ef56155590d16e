package org.picilab.platform.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stack file: private to its owner, replaced atomically, read back by every process. */
class PlatformSettingsTest {

  @TempDir Path home;

  @Test
  void stackFileIsOwnerOnlyAndReplacesAWorldReadableOne() throws Exception {
    assumeTrue(home.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = home.resolve(PlatformSettings.STACK_FILE);
    Files.writeString(file, "{\"pid\": 1}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    PlatformSettings settings = PlatformSettings.defaults(home);
    settings.writeStackFile(4242);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (Stream<Path> left = Files.list(home)) {
      assertEquals(List.of(file), left.toList(), "no temporary file stays behind");
    }
    PlatformSettings read = PlatformSettings.resolve(Map.of("PICI_HOME", home.toString()));
    assertEquals(settings.s3(), read.s3());
    assertEquals(settings.temporalAddress(), read.temporalAddress());
  }
}
