package org.picilab.model.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Assembling an evaluation from predictions, labels and features. */
class EvaluatorTest {

  @Test
  void sizesScoresConfusionAndEmbeddingAgree() {
    int[] predictions = {2, 2, 0, 0, 0, 1};
    int[] labels = {1, 1, 0, 0, 2, 2};
    float[][] features = {
      {1, 0, 0}, {1.1f, 0, 0}, {0, 1, 0}, {0, 1.2f, 0}, {0, 0.9f, 0.1f}, {0, 0, 1}
    };
    Evaluation e = Evaluator.assemble(predictions, 3, labels, features);
    assertArrayEquals(new int[] {3, 1, 2}, e.clusterSizes());
    assertEquals(5.0 / 6, e.scores().acc(), 1e-12);
    assertEquals(3, e.confusion().counts().length);
    assertEquals(6, e.embedding().length);
    assertEquals(2, e.embedding()[0].length);
    double explained = e.explainedVariance()[0] + e.explainedVariance()[1];
    assertTrue(explained > 0.5 && explained <= 1.0 + 1e-9, "explained " + explained);
    Evaluation unlabeled = Evaluator.assemble(predictions, 3, null, features);
    assertNull(unlabeled.scores());
    assertNull(unlabeled.confusion());
  }

  @Test
  void argmaxPicksTheFirstLargest() {
    assertArrayEquals(
        new int[] {1, 0, 2},
        Evaluator.argmax(new float[][] {{0.1f, 0.8f, 0.1f}, {0.5f, 0.5f, 0}, {0, 0.2f, 0.8f}}));
  }
}
