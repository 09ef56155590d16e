package org.picilab.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;

/** The stage runner's contract: losses fall, stages compute what they should, errors are clear. */
class StageRunnerTest {

  @Test
  void lossesFallInEveryStageOnSyntheticData() {
    RunConfig c = TrainingFixtures.tiny("epochs.pretrain=4", "epochs.train=6", "epochs.boost=3");
    ImageDataset data = TrainingFixtures.data(c);
    List<EpochRecord> epochs = new ArrayList<>();
    try (TrainingRun run = TrainingFixtures.newRun(c, data)) {
      new StageRunner(
              data,
              new TrainingListener() {
                @Override
                public void onEpoch(EpochRecord r) {
                  epochs.add(r);
                }
              },
              () -> false,
              null)
          .runAll(run);
      assertEquals(13, epochs.size());
      assertTrue(run.finished());
    }
    EpochRecord firstPre = epochs.get(0);
    EpochRecord lastPre = epochs.get(3);
    assertEquals(Stage.PRETRAIN, firstPre.stage());
    assertEquals(List.of("loss", "pisd"), List.copyOf(firstPre.losses().keySet()));
    assertTrue(
        lastPre.losses().get("pisd") < 0.9 * firstPre.losses().get("pisd"),
        "reconstruction improves: " + firstPre.losses() + " -> " + lastPre.losses());
    EpochRecord firstTrain = epochs.get(4);
    EpochRecord lastTrain = epochs.get(9);
    assertEquals(Stage.TRAIN, firstTrain.stage());
    assertTrue(firstTrain.losses().keySet().containsAll(List.of("pisd", "instance", "cluster")));
    assertTrue(
        lastTrain.losses().get("loss") < firstTrain.losses().get("loss"),
        "the joint loss falls: " + firstTrain.losses() + " -> " + lastTrain.losses());
    EpochRecord boost = epochs.get(10);
    assertEquals(Stage.BOOST, boost.stage());
    assertTrue(boost.losses().containsKey("cli"), "boosting adds the CLI loss");
    assertTrue(!boost.losses().containsKey("pisd"), "boosting drops reconstruction");
  }

  @Test
  void aDivergingLossStopsWithTheLossStageAndEpochNamed() {
    RunConfig c = TrainingFixtures.tiny("lr=1e30", "warmupEpochs=0");
    ImageDataset data = TrainingFixtures.data(c);
    try (TrainingRun run = TrainingFixtures.newRun(c, data)) {
      DivergenceException e =
          assertThrows(
              DivergenceException.class,
              () -> new StageRunner(data, TrainingListener.NONE, () -> false, null).runAll(run));
      assertTrue(e.getMessage().contains(e.loss()), e.getMessage());
      assertTrue(e.getMessage().contains("stage at epoch"), e.getMessage());
      assertTrue(e.getMessage().contains("Lower lr"), e.getMessage());
    }
  }

  @Test
  void cancellationStopsBetweenBatchesAndSavesThePosition() {
    RunConfig c = TrainingFixtures.tiny();
    ImageDataset data = TrainingFixtures.data(c);
    AtomicBoolean cancel = new AtomicBoolean();
    List<int[]> saved = new ArrayList<>();
    try (TrainingRun run = TrainingFixtures.newRun(c, data)) {
      StageRunner runner =
          new StageRunner(
              data,
              new TrainingListener() {
                @Override
                public void onBatch(BatchProgress p) {
                  if (p.epoch() == 1 && p.batch() == 1) {
                    cancel.set(true);
                  }
                }
              },
              cancel::get,
              r -> saved.add(new int[] {r.epoch(), r.batch()}));
      assertThrows(TrainingCancelledException.class, () -> runner.runAll(run));
      assertEquals(1, run.epoch());
      assertEquals(1, run.batch());
    }
    // The epoch-end checkpoint of pre-training, then the one left by the cancel.
    assertEquals(2, saved.size());
    assertEquals(1, saved.get(1)[0]);
    assertEquals(1, saved.get(1)[1]);
  }

  @Test
  void aRangeMustStartWhereTheRunIs() {
    RunConfig c = TrainingFixtures.tiny();
    ImageDataset data = TrainingFixtures.data(c);
    try (TrainingRun run = TrainingFixtures.newRun(c, data)) {
      StageRunner runner = new StageRunner(data, TrainingListener.NONE, () -> false, null);
      assertThrows(IllegalStateException.class, () -> runner.runStage(run, Stage.TRAIN, 0, 1));
      assertThrows(
          IllegalArgumentException.class, () -> runner.runStage(run, Stage.PRETRAIN, 0, 9));
      runner.runStage(run, Stage.PRETRAIN, 0, 1);
      runner.runStage(run, Stage.TRAIN, 0, 1);
      assertEquals(2, run.epoch());
    }
  }

  @Test
  void warmupIsLinearOverTheConfiguredEpochsThenConstant() {
    RunConfig c = TrainingFixtures.tiny("warmupEpochs=2", "lr=1e-3");
    assertEquals(1e-3 / 8, StageRunner.learningRate(c, 0, 0, 4), 1e-12);
    assertEquals(1e-3 * 5 / 8, StageRunner.learningRate(c, 1, 0, 4), 1e-12);
    assertEquals(1e-3, StageRunner.learningRate(c, 1, 3, 4), 1e-12);
    assertEquals(1e-3, StageRunner.learningRate(c, 5, 2, 4), 1e-12);
  }
}
