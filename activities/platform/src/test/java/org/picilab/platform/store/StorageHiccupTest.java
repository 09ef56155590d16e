package org.picilab.platform.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint goes away and comes back: failures are retryable and nothing is lost. */
class StorageHiccupTest {

  private static final String ACCESS = S3ObjectStoreTest.ACCESS;
  private static final String SECRET = S3ObjectStoreTest.SECRET;

  @TempDir Path root;
  private Path data;
  private EmbeddedS3 s3;
  private int port;

  @BeforeEach
  void start() throws IOException {
    data = root.resolve("s3");
    s3 = EmbeddedS3.start(data, 0, ACCESS, SECRET);
    port = s3.port();
  }

  @AfterEach
  void stop() {
    if (s3 != null) {
      s3.close();
    }
  }

  private S3ObjectStore connect(RetryPolicy retry, S3ObjectStore.StepListener steps)
      throws IOException {
    return S3ObjectStore.connect(S3ObjectStoreTest.settings(s3, "pici"), retry, steps);
  }

  private void restart() throws IOException {
    s3 = EmbeddedS3.start(data, port, ACCESS, SECRET);
  }

  private static List<String> keys(ObjectStore store, String prefix) throws IOException {
    return store.list(prefix).stream().map(ObjectStore.ObjectInfo::key).toList();
  }

  @Test
  void aStoppedEndpointFailsRetryablyAndTheObjectsSurviveARestart() throws IOException {
    RetryPolicy retry = new RetryPolicy(4, Duration.ofMillis(20));
    try (S3ObjectStore store = connect(retry, S3ObjectStore.StepListener.NONE)) {
      store.putBytes("keep/a.json", "{}".getBytes(UTF_8), "application/json");
      Path f = Files.write(root.resolve("b.bin"), new byte[] {1, 2, 3});
      store.putFile("keep/b.bin", f, Map.of("sha256", "x"));

      s3.close();

      long start = System.nanoTime();
      StorageException read =
          assertThrows(StorageException.class, () -> store.readBytes("keep/a.json"));
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(seconds >= 0.14, "waited 20 + 40 + 80 ms between 4 attempts, took " + seconds);
      assertTrue(read.getMessage().contains("s3://pici/keep/a.json"), read.getMessage());
      assertTrue(read.getMessage().contains(s3.endpoint()), read.getMessage());
      assertTrue(read.getMessage().contains("4 times"), read.getMessage());

      assertThrows(StorageException.class, () -> store.putFile("keep/c.bin", f, Map.of()));
      assertThrows(StorageException.class, () -> store.list("keep/"));
      assertThrows(StorageException.class, () -> store.open("keep/a.json"));
      assertThrows(StorageException.class, () -> store.delete("keep/a.json"));

      restart();

      // The same client works again: its pooled connections to the old server are discarded.
      assertEquals("{}", new String(store.readBytes("keep/a.json").orElseThrow(), UTF_8));
      assertEquals(List.of("keep/a.json", "keep/b.bin"), keys(store, "keep/"));
      assertEquals(Map.of("sha256", "x"), store.stat("keep/b.bin").orElseThrow().metadata());
    }
  }

  @Test
  void aHiccupShorterThanTheRetriesGoesUnnoticed() throws Exception {
    RetryPolicy retry = new RetryPolicy(8, Duration.ofMillis(100));
    try (S3ObjectStore store = connect(retry, S3ObjectStore.StepListener.NONE)) {
      store.putBytes("k", new byte[] {7}, null);
      s3.close();
      CompletableFuture<Void> back =
          CompletableFuture.runAsync(
              () -> {
                try {
                  Thread.sleep(300);
                  restart();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long start = System.nanoTime();
      assertArrayEquals(new byte[] {7}, store.readBytes("k").orElseThrow());
      double seconds = (System.nanoTime() - start) / 1e9;
      back.get(10, TimeUnit.SECONDS);
      assertTrue(seconds >= 0.3, "it waited for the endpoint, " + seconds + " s");
    }
  }

  @Test
  void theEndpointStoppingBetweenUploadAndCopyLeavesNothingUnderTheKey() throws IOException {
    RetryPolicy retry = new RetryPolicy(3, Duration.ofMillis(10));
    Path f = Files.write(root.resolve("c.bin"), new byte[4096]);
    try (S3ObjectStore store = connect(retry, (key, tmp) -> s3.close())) {
      assertThrows(StorageException.class, () -> store.putFile("mid/c.bin", f, Map.of()));
    }
    restart();
    try (S3ObjectStore store = connect(retry, S3ObjectStore.StepListener.NONE)) {
      assertEquals(Optional.empty(), store.stat("mid/c.bin"));
      // The temporary object could not be removed while the endpoint was down; it waits under
      // .tmp/, where no reader looks, for CheckpointStore.prune or a person.
      for (String k : keys(store, "mid/")) {
        assertTrue(k.startsWith("mid/" + S3ObjectStore.TEMPORARY_DIR + "c.bin."), k);
      }
    }
  }

  @Test
  void startingOnATakenPortSaysSo() {
    IOException e =
        assertThrows(
            IOException.class, () -> EmbeddedS3.start(root.resolve("other"), port, "a", "b"));
    assertTrue(e.getMessage().startsWith("port " + port + " is in use; "), e.getMessage());
  }
}
