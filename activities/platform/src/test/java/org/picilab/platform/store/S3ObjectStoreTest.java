package org.picilab.platform.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The object store against a real embedded S3 endpoint. */
public class S3ObjectStoreTest {

  public static final String ACCESS = "pici-test";
  public static final String SECRET = "pici-test-secret";
  public static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(10));

  @TempDir static Path root;
  static EmbeddedS3 s3;
  static S3ObjectStore store;

  public static S3Settings settings(EmbeddedS3 s3, String bucket) {
    return new S3Settings(s3.endpoint(), ACCESS, SECRET, bucket, "us-east-1");
  }

  @BeforeAll
  static void start() throws IOException {
    s3 = EmbeddedS3.start(root.resolve("s3"), 0, ACCESS, SECRET);
    store = S3ObjectStore.connect(settings(s3, "pici"), FAST, S3ObjectStore.StepListener.NONE);
  }

  @AfterAll
  static void stop() {
    // Clients first: an open keep-alive connection would hold the endpoint's stop.
    if (store != null) {
      store.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  private static Path file(String name, byte[] content) throws IOException {
    Path f = root.resolve("files").resolve(name);
    Files.createDirectories(f.getParent());
    return Files.write(f, content);
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static List<String> keys(String prefix) throws IOException {
    return store.list(prefix).stream().map(ObjectStore.ObjectInfo::key).toList();
  }

  @Test
  void putReadListAndDelete() throws IOException {
    store.putBytes("basic/b.json", "{\"b\":2}".getBytes(UTF_8), "application/json");
    store.putBytes("basic/a.json", "{\"a\":1}".getBytes(UTF_8), "application/json");
    store.putBytes("basic/sub/c.csv", "x,y\n1,2\n".getBytes(UTF_8), "text/csv");
    store.putBytes("basically-not/d", new byte[] {1}, null);

    assertEquals("{\"a\":1}", new String(store.readBytes("basic/a.json").orElseThrow(), UTF_8));
    try (InputStream in = store.open("basic/sub/c.csv")) {
      assertEquals("x,y\n1,2\n", new String(in.readAllBytes(), UTF_8));
    }
    List<ObjectStore.ObjectInfo> listed = store.list("basic/");
    assertEquals(
        List.of("basic/a.json", "basic/b.json", "basic/sub/c.csv"),
        listed.stream().map(ObjectStore.ObjectInfo::key).toList(),
        "key order, recursive, only under the prefix");
    assertEquals(7, listed.get(0).size());
    long now = System.currentTimeMillis();
    assertTrue(Math.abs(now - listed.get(0).lastModifiedMillis()) < 120_000, "a plausible time");

    Path copy = root.resolve("downloads/sub/c.csv");
    Files.createDirectories(copy.getParent());
    Files.writeString(copy, "old content that is longer than the new");
    store.download("basic/sub/c.csv", copy);
    assertEquals("x,y\n1,2\n", Files.readString(copy), "replaced, not appended");
    try (var siblings = Files.list(copy.getParent())) {
      assertEquals(1, siblings.count(), "no partial download left beside the file");
    }

    store.putBytes("basic/a.json", "{\"a\":3}".getBytes(UTF_8), "application/json");
    assertEquals("{\"a\":3}", new String(store.readBytes("basic/a.json").orElseThrow(), UTF_8));

    store.delete("basic/a.json");
    store.delete("basic/a.json");
    assertEquals(Optional.empty(), store.readBytes("basic/a.json"));
    assertEquals(List.of("basic/b.json", "basic/sub/c.csv"), keys("basic/"));
    assertEquals("s3://pici/basic/b.json", store.uri("basic/b.json"));
  }

  @Test
  void aMissingKeyIsNoSuchFileNamingBucketAndKey() throws IOException {
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> store.open("missing/thing.bin"));
    assertEquals("s3://pici/missing/thing.bin", e.getFile());
    assertTrue(e.getMessage().contains(s3.endpoint()), e.getMessage());
    assertThrows(
        NoSuchFileException.class, () -> store.download("missing/x", root.resolve("never")));
    assertFalse(Files.exists(root.resolve("never")));
    assertEquals(Optional.empty(), store.readBytes("missing/thing.bin"));
    assertEquals(Optional.empty(), store.stat("missing/thing.bin"));
  }

  @Test
  void putFileStoresContentAndMetadataAndLeavesNoTemporaryObject() throws IOException {
    byte[] content = random(3 << 20, 7);
    Path f = file("weights.bin", content);
    store.putFile("atomic/weights.bin", f, Map.of("sha256", "abc123", "Epoch", "12"));

    assertArrayEquals(content, store.readBytes("atomic/weights.bin").orElseThrow());
    ObjectStore.ObjectInfo info = store.stat("atomic/weights.bin").orElseThrow();
    assertEquals(content.length, info.size());
    assertEquals(Map.of("sha256", "abc123", "epoch", "12"), info.metadata(), "keys in lowercase");
    assertEquals(List.of("atomic/weights.bin"), keys("atomic/"), "no .tmp/ object remains");
  }

  @Test
  void anEmptyFileIsAnEmptyObject() throws IOException {
    store.putFile("empty/none.bin", file("empty.bin", new byte[0]), Map.of());
    assertArrayEquals(new byte[0], store.readBytes("empty/none.bin").orElseThrow());
    assertEquals(0, store.stat("empty/none.bin").orElseThrow().size());
  }

  @Test
  void aTemporaryUploadDeletedBeforeTheCopyIsReportedAsSuch() throws IOException {
    S3ObjectStore racing =
        S3ObjectStore.connect(settings(s3, "pici"), FAST, (key, tmp) -> store.delete(tmp));
    try (racing) {
      Path f = file("vanishing.bin", random(100, 5));
      IOException e =
          assertThrows(IOException.class, () -> racing.putFile("vanish/x.bin", f, Map.of()));
      assertFalse(e instanceof NoSuchFileException, "the destination is not what is missing");
      assertTrue(e.getMessage().contains("vanished"), e.getMessage());
    }
    assertDoesNotExistAnywhere("vanish/");
  }

  @Test
  void aFileLargerThanOnePartIsUploadedWhole() throws IOException {
    // Above PART_SIZE the client uploads in parts; the copy must still assemble all of them.
    byte[] content = random((int) S3ObjectStore.PART_SIZE + (1 << 20), 11);
    Path f = file("big.bin", content);
    store.putFile("big/big.bin", f, Map.of("parts", "2"));
    assertArrayEquals(content, store.readBytes("big/big.bin").orElseThrow());
    assertEquals(List.of("big/big.bin"), keys("big/"));
    Files.delete(f);
  }

  @Test
  void aMissingSourceFileFailsBeforeAnythingIsStored() {
    Path gone = root.resolve("files/deleted.bin");
    NoSuchFileException e =
        assertThrows(NoSuchFileException.class, () -> store.putFile("gone/x.bin", gone, Map.of()));
    assertTrue(e.getMessage().contains("s3://pici/gone/x.bin"), e.getMessage());
    assertDoesNotExistAnywhere("gone/");
  }

  @Test
  void aFailureBetweenUploadAndCopyLeavesNothingUnderTheKey() throws IOException {
    S3ObjectStore failing =
        S3ObjectStore.connect(
            settings(s3, "pici"),
            FAST,
            (key, tmp) -> {
              // The content is complete under the temporary key at this point.
              assertTrue(store.stat(tmp).isPresent(), "uploaded under " + tmp);
              throw new IOException("injected failure before the copy");
            });
    try (failing) {
      Path f = file("half.bin", random(1000, 3));
      IOException e =
          assertThrows(IOException.class, () -> failing.putFile("half/x.bin", f, Map.of()));
      assertEquals("injected failure before the copy", e.getMessage());
    }
    assertDoesNotExistAnywhere("half/");
  }

  @Test
  void concurrentPutsOfOneKeyLeaveOneWholeVersion() throws Exception {
    int writers = 4;
    List<byte[]> versions = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      versions.add(random(256 << 10, 100 + i));
      files.add(file("v" + i, versions.get(i)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < writers; i++) {
          Path f = files.get(i);
          done.add(
              pool.submit(
                  () -> {
                    store.putFile("race/one.bin", f, Map.of());
                    return null;
                  }));
        }
      }
      for (Future<?> d : done) {
        d.get();
      }
    } finally {
      pool.shutdown();
    }
    byte[] stored = store.readBytes("race/one.bin").orElseThrow();
    assertTrue(
        versions.stream().anyMatch(v -> java.util.Arrays.equals(v, stored)),
        "the object is one writer's complete content");
    assertEquals(List.of("race/one.bin"), keys("race/"));
  }

  @Test
  void connectCreatesAMissingBucket() throws IOException {
    Path bucketDir = s3.dataDir().resolve("fresh-bucket");
    assertFalse(Files.exists(bucketDir));
    try (S3ObjectStore fresh = S3ObjectStore.connect(settings(s3, "fresh-bucket"))) {
      assertTrue(Files.isDirectory(bucketDir), "the filesystem backend made the bucket");
      fresh.putBytes("k", new byte[] {42}, null);
      assertArrayEquals(new byte[] {42}, fresh.readBytes("k").orElseThrow());
      assertEquals("fresh-bucket", fresh.bucket());
    }
    // Connecting again to the existing bucket is fine.
    try (S3ObjectStore again = S3ObjectStore.connect(settings(s3, "fresh-bucket"))) {
      assertArrayEquals(new byte[] {42}, again.readBytes("k").orElseThrow());
    }
  }

  @Test
  void wrongCredentialsFailAtOnceWithoutRetrying() {
    S3Settings wrong = new S3Settings(s3.endpoint(), ACCESS, "not-the-secret", "pici", "us-east-1");
    long start = System.nanoTime();
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                S3ObjectStore.connect(
                    wrong,
                    new RetryPolicy(4, Duration.ofSeconds(10)),
                    S3ObjectStore.StepListener.NONE));
    double seconds = (System.nanoTime() - start) / 1e9;
    assertFalse(e instanceof StorageException, "not worth retrying: " + e);
    assertTrue(seconds < 9, "no backoff of 10 s was waited, took " + seconds + " s");
    assertTrue(e.getMessage().contains("PICI_S3_SECRET_KEY"), e.getMessage());
    assertTrue(e.getMessage().contains(s3.endpoint()), e.getMessage());
  }

  @Test
  void invalidKeysAndMetadataAreRejectedBeforeAnyRequest() throws IOException {
    Path f = file("m.bin", new byte[] {1});
    assertThrows(IllegalArgumentException.class, () -> store.putBytes("/abs", new byte[0], null));
    assertThrows(IllegalArgumentException.class, () -> store.putBytes("dir/", new byte[0], null));
    assertThrows(
        IllegalArgumentException.class, () -> store.putFile("meta/x", f, Map.of("bad key", "v")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> store.putFile("meta/x", f, Map.of("note", "größe")));
    assertTrue(e.getMessage().contains("note"), e.getMessage());
    assertDoesNotExistAnywhere("meta/");
  }

  static void assertDoesNotExistAnywhere(String prefix) {
    try {
      assertEquals(List.of(), keys(prefix), "nothing under " + prefix);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void listingAnEmptyPrefixIsEmpty() throws IOException {
    assertEquals(List.of(), store.list("nothing-here/"));
    assertInstanceOf(List.class, store.list(""));
  }
}
