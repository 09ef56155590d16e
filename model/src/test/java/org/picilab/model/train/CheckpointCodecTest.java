package org.picilab.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;

/** The checkpoint format: a faithful round trip, and damage is always detected. */
class CheckpointCodecTest {

  private static byte[] bytes;
  private static Snapshot original;

  @BeforeAll
  static void checkpointInsideBoosting() {
    RunConfig c = TrainingFixtures.tiny("epochs.pretrain=1", "epochs.train=1", "epochs.boost=2");
    ImageDataset data = TrainingFixtures.data(c);
    try (TrainingRun run = TrainingFixtures.newRun(c, data)) {
      StageRunner runner = new StageRunner(data, TrainingListener.NONE, () -> false, null);
      runner.runStage(run, Stage.PRETRAIN, 0, 1);
      runner.runStage(run, Stage.TRAIN, 0, 1);
      runner.runStage(run, Stage.BOOST, 0, 1);
      original = run.snapshot();
      bytes = TrainingFixtures.encode(run);
    }
  }

  @Test
  void roundTripKeepsEverything() {
    Snapshot s = TrainingFixtures.decode(bytes);
    assertEquals(original.config(), s.config());
    assertEquals(original.configHash(), s.configHash());
    assertEquals(original.dataset(), s.dataset());
    assertEquals(3, s.epoch());
    assertEquals(original.history(), s.history());
    assertEquals(original.weights().keySet(), s.weights().keySet());
    for (String k : original.weights().keySet()) {
      assertArrayEquals(original.weights().get(k), s.weights().get(k), k);
    }
    assertEquals(original.moments().keySet(), s.moments().keySet());
    for (String k : original.moments().keySet()) {
      assertEquals(original.moments().get(k).step(), s.moments().get(k).step());
      assertArrayEquals(original.moments().get(k).variance(), s.moments().get(k).variance());
    }
    assertArrayEquals(original.pseudoLabels()[0], s.pseudoLabels()[0]);
    assertArrayEquals(original.pseudoLabels()[1], s.pseudoLabels()[1]);
    assertEquals(2, s.pseudoLabelEpoch());
  }

  @Test
  void truncationAtAnyPointIsDetected() {
    for (int cut :
        new int[] {0, 5, 12, 200, bytes.length / 2, bytes.length - 33, bytes.length - 1}) {
      byte[] part = Arrays.copyOf(bytes, cut);
      CorruptCheckpointException e =
          assertThrows(
              CorruptCheckpointException.class,
              () -> CheckpointCodec.read(new ByteArrayInputStream(part)),
              "cut at " + cut);
      assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
    }
  }

  @Test
  void aFlippedByteIsDetected() {
    byte[] damaged = bytes.clone();
    damaged[damaged.length / 2] ^= 0x10;
    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> CheckpointCodec.read(new ByteArrayInputStream(damaged)));
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    byte[] notOurs =
        "definitely not a checkpoint".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThrows(
        CorruptCheckpointException.class,
        () -> CheckpointCodec.read(new ByteArrayInputStream(notOurs)));
  }

  @Test
  void restoringOnOtherDataIsRefused() {
    Snapshot s = TrainingFixtures.decode(bytes);
    ImageDataset other =
        org.picilab.model.data.Datasets.load("shapes:4:16:7", s.config().imageSize());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingRun.restore(s, other, ai.djl.Device.cpu()));
    assertTrue(e.getMessage().contains("not the one this run was trained on"), e.getMessage());
  }
}
