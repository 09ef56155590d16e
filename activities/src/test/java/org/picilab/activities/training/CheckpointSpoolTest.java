package org.picilab.activities.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.train.EpochRecord;
import org.picilab.model.train.Stage;
import org.picilab.model.train.StageRunner;
import org.picilab.model.train.TrainingListener;
import org.picilab.model.train.TrainingRun;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3ObjectStoreTest;

/**
 * The checkpoint spool and the fencing of attempts, against a real embedded endpoint that the tests
 * stop and start again on the same port and folder.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CheckpointSpoolTest {

  private static final String DATA = "shapes:4:16";

  @TempDir Path root;
  volatile EmbeddedS3 s3;
  int port;
  S3ObjectStore store;
  CheckpointStore checkpoints;
  ImageDataset data;
  RunConfig config;

  @BeforeEach
  void start() throws IOException {
    s3 =
        EmbeddedS3.start(root.resolve("s3"), 0, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
    port = s3.port();
    store =
        S3ObjectStore.connect(
            S3ObjectStoreTest.settings(s3, "pici"),
            S3ObjectStoreTest.FAST,
            S3ObjectStore.StepListener.NONE);
    checkpoints = new CheckpointStore(store, root.resolve("tmp"));
    config =
        ConfigLoader.load(
            "tiny",
            null,
            Map.of(
                "batchSize", "16",
                "epochs.pretrain", "1",
                "epochs.train", "7",
                "epochs.boost", "0",
                "checkpointEvery", "1"));
    data = Datasets.load(DATA, config.imageSize());
  }

  @AfterEach
  void stop() {
    store.close();
    if (s3 != null) {
      s3.close();
    }
  }

  private CheckpointSpool.Limits limits(int checkpoints) {
    return new CheckpointSpool.Limits(
        root.resolve("spool"), checkpoints, 1L << 40, Duration.ofMillis(500));
  }

  private void restartS3() throws IOException {
    s3 =
        EmbeddedS3.start(
            root.resolve("s3"), port, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
  }

  @Test
  void uploadsInOrderAndPrunesOnlyAfterANewerOneIsStored() throws Exception {
    String run = "run-order";
    long g = checkpoints.claim(run, "test");
    List<CheckpointStore.Saved> uploaded = Collections.synchronizedList(new ArrayList<>());
    try (TrainingRun training = TrainingRun.create(config, DATA, data, Device.cpu());
        CheckpointSpool spool =
            CheckpointSpool.open(checkpoints, run, g, 2, limits(100), uploaded::add, () -> false)) {
      StageRunner runner = new StageRunner(data, TrainingListener.NONE, () -> false, spool);
      runner.runStage(training, Stage.PRETRAIN, 0, 1);
      runner.runStage(training, Stage.TRAIN, 0, 7);
      assertTrue(spool.drain(() -> false));
      assertEquals(0, spool.pending());
    }
    assertEquals(
        List.of(1, 2, 3, 4, 5, 6, 7, 8),
        uploaded.stream().map(CheckpointStore.Saved::epoch).toList(),
        "every checkpoint uploaded, oldest first");
    assertEquals(
        List.of(CheckpointStore.key(run, 8, 0, g), CheckpointStore.key(run, 7, 0, g)),
        checkpoints.keys(run));
    assertEquals(8, checkpoints.newest(run, s -> {}).orElseThrow().snapshot().epoch());
    try (var left = Files.list(root.resolve("spool"))) {
      assertEquals(0, left.count(), "the spool folder is deleted on close");
    }
  }

  /**
   * The endpoint stops after the first checkpoint and comes back after training ended; training
   * goes on meanwhile (superseded checkpoints are dropped from a spool of 2), and the newest
   * checkpoint reaches the store afterwards, intact.
   */
  @Test
  void trainingGoesOnThroughAnOutageAndTheNewestCheckpointArrives() throws Exception {
    String run = "run-outage";
    long g = checkpoints.claim(run, "test");
    List<CheckpointStore.Saved> uploaded = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger epochsWhileDown = new AtomicInteger();
    try (TrainingRun training = TrainingRun.create(config, DATA, data, Device.cpu());
        CheckpointSpool spool =
            CheckpointSpool.open(checkpoints, run, g, 100, limits(2), uploaded::add, () -> false)) {
      TrainingListener listener =
          new TrainingListener() {
            @Override
            public void onEpoch(EpochRecord r) {
              if (s3 == null) {
                epochsWhileDown.incrementAndGet();
              }
            }
          };
      StageRunner runner = new StageRunner(data, listener, () -> false, spool);
      runner.runStage(training, Stage.PRETRAIN, 0, 1);
      assertTrue(spool.drain(() -> false));
      s3.close();
      s3 = null;
      runner.runStage(training, Stage.TRAIN, 0, 7);
      assertEquals(7, epochsWhileDown.get(), "training went on while the endpoint was down");
      assertEquals(2, spool.pending(), "the one being tried and the newest: " + spool.stats());
      assertEquals(1, uploaded.size());
      restartS3();
      assertTrue(spool.drain(() -> false));
      assertTrue(spool.stats().contains(" 5 superseded"), spool.stats());
    }
    assertEquals(
        List.of(1, 2, 8),
        uploaded.stream().map(CheckpointStore.Saved::epoch).toList(),
        "in order, the newest last, superseded ones dropped");
    for (CheckpointStore.Saved saved : uploaded) {
      assertEquals(
          saved.epoch(), checkpoints.load(saved.key()).orElseThrow().snapshot().epoch(), "intact");
    }
    assertEquals(8, checkpoints.newest(run, s -> {}).orElseThrow().snapshot().epoch());
  }

  @Test
  void aFullSpoolMakesTrainingWaitRatherThanLoseTheNewest() throws Exception {
    String run = "run-full";
    long g = checkpoints.claim(run, "test");
    try (TrainingRun training = TrainingRun.create(config, DATA, data, Device.cpu());
        CheckpointSpool spool =
            CheckpointSpool.open(checkpoints, run, g, 3, limits(1), null, () -> false)) {
      s3.close();
      s3 = null;
      spool.save(training); // uploading, failing
      CompletableFuture<Void> second =
          CompletableFuture.runAsync(
              () -> {
                try {
                  spool.save(training);
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      Thread.sleep(2_000);
      assertFalse(second.isDone(), "the second save waits for room");
      assertEquals(2, spool.pending());
      restartS3();
      second.get(60, TimeUnit.SECONDS);
      assertTrue(spool.drain(() -> false));
      assertTrue(spool.stats().startsWith("2 uploaded, 0 superseded"), spool.stats());
    }
  }

  @Test
  void generationsIncreaseOverClaimsAndKeysAndOldKeysStayReadable() throws IOException {
    String run = "run-generations";
    assertEquals(1, checkpoints.claim(run, "first"));
    assertEquals(2, checkpoints.claim(run, "second"));
    store.putBytes(CheckpointStore.key(run, 1, 0, 7), new byte[] {1}, null);
    store.putBytes(CheckpointStore.key(run, 9, 0), new byte[] {1}, null);
    assertEquals(7, checkpoints.newestGeneration(run));
    assertEquals(8, checkpoints.claim(run, "third"));
    assertEquals(
        List.of(CheckpointStore.key(run, 1, 0, 7), CheckpointStore.key(run, 9, 0)),
        checkpoints.keys(run),
        "the newest attempt's checkpoints first, keys without a generation last");
    assertEquals(
        new CheckpointStore.Position(0, 9, 0),
        CheckpointStore.position(CheckpointStore.key(run, 9, 0)).orElseThrow());
    assertTrue(
        CheckpointStore.isNewer(CheckpointStore.key(run, 1, 0, 7), CheckpointStore.key(run, 9, 0)));
    assertEquals(
        "runs/run-generations/checkpoints/e0001-b0000-g0007.ckpt",
        CheckpointStore.key(run, 1, 0, 7));
  }

  /**
   * Two writers of one run: the older keeps training after the newer one claimed the run. It
   * uploads nothing more, prunes nothing of the newer one's, and stops with {@link
   * StaleAttemptException}.
   */
  @Test
  void aStaleWriterNeverOverwritesNorPrunesTheNewerOnes() throws Exception {
    String run = "run-fenced";
    long older = checkpoints.claim(run, "older");
    try (TrainingRun training = TrainingRun.create(config, DATA, data, Device.cpu());
        CheckpointSpool stale =
            CheckpointSpool.open(checkpoints, run, older, 1, limits(3), null, () -> false)) {
      StageRunner runner = new StageRunner(data, TrainingListener.NONE, () -> false, stale);
      runner.runStage(training, Stage.PRETRAIN, 0, 1);
      assertTrue(stale.drain(() -> false));
      String olderKey = CheckpointStore.key(run, 1, 0, older);
      assertEquals(List.of(olderKey), checkpoints.keys(run));

      // The newer attempt resumes from the older one's checkpoint and writes its own.
      long newer = checkpoints.claim(run, "newer");
      assertTrue(newer > older);
      checkpoints.sink(run, newer, 3, null).save(training);
      String newerKey = CheckpointStore.key(run, 1, 0, newer);

      // The older one trains on: its spool refuses to upload and reports it stale.
      runner.runStage(training, Stage.TRAIN, 0, 1);
      assertThrows(StaleAttemptException.class, () -> stale.drain(() -> false));
      assertTrue(stale.stale());
      assertThrows(StaleAttemptException.class, () -> stale.save(training));
      assertEquals(List.of(newerKey, olderKey), checkpoints.keys(run));

      // Its synchronous writes are refused too, and a prune as the older generation (keep 1)
      // leaves the newer generation's checkpoint alone.
      assertThrows(
          StaleAttemptException.class, () -> checkpoints.sink(run, older, 1, null).save(training));
      checkpoints.pruneAfter(run, older, 1, olderKey);
      assertEquals(List.of(newerKey, olderKey), checkpoints.keys(run));
      assertEquals(newerKey, checkpoints.newest(run, s -> {}).orElseThrow().key());
    }
  }
}
