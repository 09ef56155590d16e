package org.picilab.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;

/**
 * A gradient that is not finite stops training before the optimizer step, like a loss that is not
 * finite, naming the parameter; the weights stay as they were.
 */
class GradientCheckTest {

  @Test
  void aNonFiniteGradientStopsTheStepNamingTheParameter() {
    RunConfig c = TrainingFixtures.tiny("epochs.pretrain=2");
    ImageDataset data = TrainingFixtures.data(c);
    try (TrainingRun run = TrainingFixtures.newRun(c, data)) {
      StageRunner runner = new StageRunner(data, TrainingListener.NONE, () -> false, null);
      runner.runStage(run, Stage.PRETRAIN, 0, 1);
      Map<String, Parameter> active =
          StageRunner.activeParameters(run.network(), Stage.PRETRAIN, c);
      // After a real epoch every gradient exists and is finite.
      StageRunner.checkGradients(active, Stage.PRETRAIN, 0, 0, 1e-3);

      // Finite values that add up past the float range are not a divergence.
      String name = active.keySet().iterator().next();
      NDArray grad = active.get(name).getArray().getGradient();
      grad.addi(3e38f);
      StageRunner.checkGradients(active, Stage.PRETRAIN, 0, 0, 1e-3);
      grad.subi(grad);

      // One NaN value in one gradient: gradients accumulate, so the next backward keeps it.
      grad.set(new NDIndex("0"), Float.NaN);
      Map<String, float[]> before = run.snapshot().weights();
      DivergenceException e =
          assertThrows(DivergenceException.class, () -> runner.runStage(run, Stage.PRETRAIN, 1, 2));
      assertEquals("gradient of " + name, e.loss());
      assertEquals(Stage.PRETRAIN, e.stage());
      assertEquals(1, e.stageEpoch());
      assertTrue(e.getMessage().startsWith("The gradient of " + name + " is not finite ("));
      assertTrue(e.getMessage().contains(" NaN of " + grad.size() + " values"), e.getMessage());
      assertTrue(e.getMessage().contains("though the loss was finite"), e.getMessage());
      Map<String, float[]> after = run.snapshot().weights();
      for (String k : before.keySet()) {
        assertArrayEquals(before.get(k), after.get(k), "weights of " + k + " were not updated");
      }

      grad.set(new NDIndex(":"), Float.NEGATIVE_INFINITY);
      DivergenceException inf =
          assertThrows(
              DivergenceException.class,
              () -> StageRunner.checkGradients(active, Stage.TRAIN, 2, 5, 1e-3));
      assertTrue(
          inf.getMessage().contains("(" + grad.size() + " infinite of " + grad.size() + " values)"),
          inf.getMessage());
      assertTrue(inf.getMessage().contains("train stage at epoch 3 (batch 6"), inf.getMessage());
    }
  }
}
