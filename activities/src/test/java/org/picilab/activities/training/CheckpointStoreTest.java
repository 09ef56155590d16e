package org.picilab.activities.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.train.CorruptCheckpointException;
import org.picilab.model.train.Snapshot;
import org.picilab.model.train.Stage;
import org.picilab.model.train.StageRunner;
import org.picilab.model.train.TrainingListener;
import org.picilab.model.train.TrainingRun;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.ObjectStore;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3ObjectStoreTest;
import org.picilab.platform.store.StorageException;

/** Checkpoints of a tiny training run, stored in and read back from a real embedded endpoint. */
class CheckpointStoreTest {

  private static final String DATA = "shapes:4:16";
  private static final String RUN = "run-trained";

  /** The generation the training in {@link #trainWithTheSink} writes under. */
  private static final long G = 1;

  @TempDir static Path root;
  static EmbeddedS3 s3;
  static S3ObjectStore store;
  static CheckpointStore checkpoints;
  static Path scratch;
  static ImageDataset data;
  static TrainingRun trained;
  static final List<CheckpointStore.Saved> saved = new ArrayList<>();

  /** The bytes of the checkpoints after epochs 2 and 3, to plant under other runs. */
  static byte[] epoch2;

  static byte[] epoch3;

  @BeforeAll
  static void trainWithTheSink() throws IOException {
    s3 =
        EmbeddedS3.start(root.resolve("s3"), 0, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
    store =
        S3ObjectStore.connect(
            S3ObjectStoreTest.settings(s3, "pici"),
            S3ObjectStoreTest.FAST,
            S3ObjectStore.StepListener.NONE);
    scratch = Files.createDirectories(root.resolve("scratch"));
    checkpoints = new CheckpointStore(store, scratch);

    RunConfig config =
        ConfigLoader.load(
            "tiny",
            null,
            Map.of(
                "batchSize", "16",
                "epochs.pretrain", "1",
                "epochs.train", "2",
                "epochs.boost", "1",
                "checkpointEvery", "1"));
    data = Datasets.load(DATA, config.imageSize());
    trained = TrainingRun.create(config, DATA, data, Device.cpu());
    StageRunner runner =
        new StageRunner(
            data, TrainingListener.NONE, () -> false, checkpoints.sink(RUN, G, 2, saved::add));
    // Pre-training and training: three epochs, a checkpoint after each.
    runner.runStage(trained, Stage.PRETRAIN, 0, 1);
    runner.runStage(trained, Stage.TRAIN, 0, 2);
    epoch3 = store.readBytes(CheckpointStore.key(RUN, 3, 0, G)).orElseThrow();
    epoch2 = store.readBytes(CheckpointStore.key(RUN, 2, 0, G)).orElseThrow();
  }

  @Test
  void aStorageFailureIsNotNoCheckpoint(@TempDir Path dir) throws IOException {
    EmbeddedS3 down =
        EmbeddedS3.start(dir.resolve("s3"), 0, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
    try (S3ObjectStore client =
        S3ObjectStore.connect(
            S3ObjectStoreTest.settings(down, "pici"),
            S3ObjectStoreTest.FAST,
            S3ObjectStore.StepListener.NONE)) {
      down.close();
      assertThrows(StorageException.class, () -> new CheckpointStore(client).newest("r1", s -> {}));
    }
  }

  @AfterAll
  static void stop() {
    if (trained != null) {
      trained.close();
    }
    if (store != null) {
      store.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void theSinkSavesEachEpochAndKeepsTheNewestTwo() throws IOException {
    assertEquals(List.of(1, 2, 3), saved.stream().map(CheckpointStore.Saved::epoch).toList());
    assertTrue(saved.stream().allMatch(s -> s.batch() == 0 && s.bytes() > 1000 && s.seconds() > 0));
    assertEquals("runs/run-trained/checkpoints/e0003-b0000-g0001.ckpt", saved.get(2).key());
    assertEquals(
        List.of(CheckpointStore.key(RUN, 3, 0, G), CheckpointStore.key(RUN, 2, 0, G)),
        checkpoints.keys(RUN));
    try (var files = Files.list(scratch)) {
      assertEquals(0, files.count(), "the local checkpoint files were deleted");
    }
  }

  @Test
  void theNewestCheckpointRestoresTheWeightsExactly() throws IOException {
    List<String> warnings = new ArrayList<>();
    CheckpointStore.Loaded loaded = checkpoints.newest(RUN, warnings::add).orElseThrow();
    assertEquals(List.of(), warnings);
    assertEquals(CheckpointStore.key(RUN, 3, 0, G), loaded.key());
    assertEquals(saved.get(2).bytes(), loaded.bytes());
    Snapshot expected = trained.snapshot();
    Snapshot got = loaded.snapshot();
    assertEquals(3, got.epoch());
    assertEquals(0, got.batch());
    assertEquals(expected.configHash(), got.configHash());
    assertEquals(expected.weights().keySet(), got.weights().keySet());
    expected.weights().forEach((k, v) -> assertArrayEquals(v, got.weights().get(k), k));
    assertFalse(got.moments().isEmpty(), "the optimizer state is in the checkpoint");
    expected
        .moments()
        .forEach(
            (k, m) -> {
              assertEquals(m.step(), got.moments().get(k).step(), k);
              assertArrayEquals(m.mean(), got.moments().get(k).mean(), k);
              assertArrayEquals(m.variance(), got.moments().get(k).variance(), k);
            });
    try (TrainingRun restored = TrainingRun.restore(got, data, Device.cpu())) {
      assertEquals(3, restored.epoch());
      for (String name : trained.network().parameters().keySet()) {
        assertArrayEquals(trained.weights(name), restored.weights(name), name);
      }
    }
  }

  @Test
  void theObjectCarriesItsChecksumAndPosition() throws Exception {
    ObjectStore.ObjectInfo info = store.stat(CheckpointStore.key(RUN, 3, 0, G)).orElseThrow();
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(epoch3));
    assertEquals(
        Map.of("sha256", sha, "epoch", "3", "batch", "0", "generation", "1", "format", "1"),
        info.metadata());
    assertEquals(epoch3.length, info.size());
  }

  @Test
  void keysAreNewestFirstByNumberAndSkipOtherObjects() throws IOException {
    String run = "run-order";
    String prefix = CheckpointStore.prefix(run);
    for (String name :
        List.of(
            "e0002-b0000.ckpt",
            "e9999-b0003.ckpt",
            "e0002-b0015.ckpt",
            "e10000-b0000.ckpt",
            "e0003-b0000.ckpt-2f1c",
            ".tmp/e0004-b0000.ckpt.8a1b",
            "notes.txt",
            "old/e0005-b0000.ckpt")) {
      store.putBytes(prefix + name, new byte[] {1}, null);
    }
    assertEquals(
        List.of(
            prefix + "e10000-b0000.ckpt",
            prefix + "e9999-b0003.ckpt",
            prefix + "e0002-b0015.ckpt",
            prefix + "e0002-b0000.ckpt"),
        checkpoints.keys(run));
    assertEquals(List.of(), checkpoints.keys("run-none"));
  }

  @Test
  void pruningKeepsTheNewestAndDropsAbandonedUploads() throws IOException {
    String run = "run-prune";
    String prefix = CheckpointStore.prefix(run);
    for (int e = 1; e <= 5; e++) {
      store.putBytes(CheckpointStore.key(run, e, 0), new byte[] {(byte) e}, null);
    }
    store.putBytes(prefix + ".tmp/e0006-b0000.ckpt.dead", new byte[] {6}, null);
    String serverLeftover = prefix + "e0006-b0000.ckpt-0b4c3f0e-7d4a-4f6e-9a53-2d1f0c9e8b7a";
    store.putBytes(serverLeftover, new byte[] {6}, null);
    checkpoints.prune(run, 3);
    assertEquals(
        List.of(
            CheckpointStore.key(run, 5, 0),
            CheckpointStore.key(run, 4, 0),
            CheckpointStore.key(run, 3, 0)),
        checkpoints.keys(run));
    assertTrue(
        store.stat(prefix + ".tmp/e0006-b0000.ckpt.dead").isPresent(),
        "a temporary upload of the last hours may still be running");
    assertTrue(store.stat(serverLeftover).isPresent());

    new CheckpointStore(store, scratch, Duration.ZERO).prune(run, 1);
    assertEquals(List.of(CheckpointStore.key(run, 5, 0)), checkpoints.keys(run));
    assertEquals(
        List.of(CheckpointStore.key(run, 5, 0)),
        store.list(prefix).stream().map(ObjectStore.ObjectInfo::key).toList(),
        "the abandoned uploads are gone too");
  }

  @Test
  void theSinkNeverPrunesTheCheckpointItJustSaved() throws IOException {
    // Newer names than the run's position are leftovers newest() skipped as damaged; they must not
    // count as "the newest" and push the fresh checkpoint out.
    String run = "run-resumed";
    store.putBytes(CheckpointStore.key(run, 5, 0), new byte[] {5}, null);
    store.putBytes(CheckpointStore.key(run, 4, 0), new byte[] {4}, null);
    List<CheckpointStore.Saved> reported = new ArrayList<>();
    checkpoints.sink(run, 1, 1, reported::add).save(trained);
    assertEquals(List.of(CheckpointStore.key(run, 3, 0, 1)), checkpoints.keys(run));
    assertEquals(1, reported.size());
    assertEquals(CheckpointStore.key(run, 3, 0, 1), reported.get(0).key());
  }

  @Test
  void aDamagedNewestCheckpointFallsBackToThePreviousOne() throws IOException {
    String run = "run-damaged";
    store.putBytes(CheckpointStore.key(run, 2, 0), epoch2, null);
    // Truncated, as a writer that bypassed the atomic upload could leave it.
    String newest = CheckpointStore.key(run, 3, 0);
    store.putBytes(newest, Arrays.copyOf(epoch3, epoch3.length / 2), null);

    List<String> warnings = new ArrayList<>();
    CheckpointStore.Loaded loaded = checkpoints.newest(run, warnings::add).orElseThrow();
    assertEquals(CheckpointStore.key(run, 2, 0), loaded.key());
    assertEquals(2, loaded.snapshot().epoch());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("s3://pici/" + newest), warnings.get(0));
    assertTrue(warnings.get(0).contains("truncated"), warnings.get(0));

    CorruptCheckpointException e =
        assertThrows(CorruptCheckpointException.class, () -> checkpoints.load(newest));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void aFlippedByteIsDamageToo() throws IOException {
    String run = "run-flipped";
    store.putBytes(CheckpointStore.key(run, 2, 0), epoch2, null);
    byte[] flipped = epoch3.clone();
    flipped[flipped.length / 2] ^= 0x10;
    store.putBytes(CheckpointStore.key(run, 3, 0), flipped, null);
    List<String> warnings = new ArrayList<>();
    assertEquals(
        CheckpointStore.key(run, 2, 0), checkpoints.newest(run, warnings::add).orElseThrow().key());
    assertTrue(warnings.get(0).contains("checksum"), warnings.toString());
  }

  @Test
  void whenAllAreDamagedThereIsNone() throws IOException {
    String run = "run-all-damaged";
    store.putBytes(CheckpointStore.key(run, 2, 0), new byte[0], null);
    store.putBytes(CheckpointStore.key(run, 3, 0), Arrays.copyOf(epoch3, 100), null);
    List<String> warnings = new ArrayList<>();
    assertEquals(Optional.empty(), checkpoints.newest(run, warnings::add));
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("e0003-b0000.ckpt"), warnings.get(0));
    assertTrue(warnings.get(1).contains("e0002-b0000.ckpt"), warnings.get(1));
    assertEquals(Optional.empty(), checkpoints.newest("run-empty", warnings::add));
  }

  @Test
  void aCheckpointUnderAnotherPositionsNameIsRejected() throws IOException {
    String key = CheckpointStore.key("run-renamed", 7, 0);
    store.putBytes(key, epoch2, null);
    CorruptCheckpointException e =
        assertThrows(CorruptCheckpointException.class, () -> checkpoints.load(key));
    assertTrue(e.getMessage().contains("epoch 2"), e.getMessage());
  }

  @Test
  void loadingAMissingKeyIsEmpty() throws IOException {
    assertEquals(Optional.empty(), checkpoints.load(CheckpointStore.key("run-x", 1, 0)));
  }

  @Test
  void runIdsThatCannotNameAFolderAreRejected() {
    assertEquals("runs/run-1/checkpoints/", CheckpointStore.prefix("run-1"));
    assertThrows(IllegalArgumentException.class, () -> CheckpointStore.prefix("a/b"));
    assertThrows(IllegalArgumentException.class, () -> CheckpointStore.prefix(".."));
    assertThrows(IllegalArgumentException.class, () -> CheckpointStore.prefix(" "));
    assertThrows(IllegalArgumentException.class, () -> checkpoints.sink("run-1", 1, 0, s -> {}));
  }
}
