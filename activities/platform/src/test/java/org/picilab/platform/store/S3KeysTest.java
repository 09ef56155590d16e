package org.picilab.platform.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys that could name another object or a file outside the bucket never reach the endpoint. */
class S3KeysTest {

  @TempDir Path root;

  @Test
  void cleanRelativeKeysPass() {
    for (String key :
        List.of(
            "a",
            "registry/runs/run-a-001/status.json",
            "checkpoints/run-a/.tmp/x.bin.1234",
            "a..b/c...d",
            "tracking/1/abc/artifacts/model v1.bin")) {
      S3ObjectStore.checkKey(key);
    }
    S3ObjectStore.checkPrefix("");
    S3ObjectStore.checkPrefix("registry/runs/");
    S3ObjectStore.checkPrefix("registry/runs/run-a");
  }

  @Test
  void traversalEmptySegmentsLeadingSlashAndControlCharactersAreRefused() {
    assertRefused("../escape", "a '..' segment");
    assertRefused("registry/runs/../../other", "a '..' segment");
    assertRefused("registry/runs/run-a/..", "must not start or end with '/'", "a '..' segment");
    assertRefused("registry/./x", "a '.' segment");
    assertRefused("registry//x", "an empty segment ('//')");
    assertRefused("/registry/x", "must not start or end with '/'");
    assertRefused("registry/run-a\n/x", "control character U+000A at position 14");
    assertRefused("registry/run-a\u0000", "control character U+0000");
    assertRefused("registry/run-a\u0085", "control character U+0085");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> S3ObjectStore.checkKey("a\u001bb"));
    assertTrue(e.getMessage().contains("'a\\u001bb'"), "escaped in the message: " + e.getMessage());

    assertThrows(IllegalArgumentException.class, () -> S3ObjectStore.checkPrefix("../"));
    assertThrows(IllegalArgumentException.class, () -> S3ObjectStore.checkPrefix("a//"));
    assertThrows(IllegalArgumentException.class, () -> S3ObjectStore.checkPrefix("/a"));
  }

  @Test
  void aStoreRefusesThemBeforeAnyRequest() throws IOException {
    try (EmbeddedS3 s3 =
            EmbeddedS3.start(
                root.resolve("s3"), 0, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
        S3ObjectStore store = S3ObjectStore.connect(S3ObjectStoreTest.settings(s3, "pici"))) {
      Path file = Files.writeString(root.resolve("f"), "x");
      for (String key : List.of("a/../../../outside", "a//b", "a/./b", "a\rb")) {
        assertThrows(IllegalArgumentException.class, () -> store.putBytes(key, new byte[1], null));
        assertThrows(IllegalArgumentException.class, () -> store.putFile(key, file, null));
        assertThrows(IllegalArgumentException.class, () -> store.readBytes(key));
        assertThrows(IllegalArgumentException.class, () -> store.delete(key));
      }
      assertThrows(IllegalArgumentException.class, () -> store.list("../"));
      assertEquals(List.of(), store.list(""));
      try (Stream<Path> files = Files.walk(root.resolve("s3"))) {
        assertEquals(
            List.of(),
            files.filter(Files::isRegularFile).toList(),
            "nothing was written under the endpoint's folder");
      }
      assertTrue(Files.notExists(root.resolve("outside")));
    }
  }

  private static void assertRefused(String key, String... anyOf) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> S3ObjectStore.checkKey(key));
    boolean named = Stream.of(anyOf).anyMatch(e.getMessage()::contains);
    assertTrue(named, "message for " + key + ": " + e.getMessage());
  }
}
