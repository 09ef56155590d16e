package org.picilab.model.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.CliLossKind;

/** The losses on small hand-made inputs, against closed forms and a plain-Java reference. */
class LossesTest {

  private static NDManager manager;

  @BeforeAll
  static void start() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  private static NDArray array(double[][] rows) {
    int n = rows.length;
    int d = rows[0].length;
    float[] flat = new float[n * d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        flat[i * d + j] = (float) rows[i][j];
      }
    }
    return manager.create(flat, new Shape(n, d));
  }

  /** NT-Xent written from its definition in plain double arithmetic. */
  private static double ntXent(double[][] rows, double tau) {
    int twoN = rows.length;
    int n = twoN / 2;
    double total = 0;
    for (int i = 0; i < twoN; i++) {
      int pos = (i + n) % twoN;
      double denom = 0;
      double positive = 0;
      for (int j = 0; j < twoN; j++) {
        if (j == i) {
          continue;
        }
        double s = 0;
        for (int k = 0; k < rows[i].length; k++) {
          s += rows[i][k] * rows[j][k];
        }
        denom += Math.exp(s / tau);
        if (j == pos) {
          positive = s / tau;
        }
      }
      total += -(positive - Math.log(denom));
    }
    return total / twoN;
  }

  private static double[][] unitRows(SplittableRandom rng, int n, int d) {
    double[][] r = new double[n][d];
    for (double[] row : r) {
      double norm = 0;
      for (int k = 0; k < d; k++) {
        row[k] = rng.nextDouble() * 2 - 1;
        norm += row[k] * row[k];
      }
      for (int k = 0; k < d; k++) {
        row[k] /= Math.sqrt(norm);
      }
    }
    return r;
  }

  @Test
  void instanceLossMatchesClosedFormOnOrthogonalViews() {
    NDArray z = array(new double[][] {{1, 0}, {0, 1}});
    // Each row: positive similarity 1/0.5 = 2 against two negatives of similarity 0.
    double expected = Math.log(2 + Math.exp(2)) - 2;
    float actual = Losses.instanceContrastive(z, z, 0.5).getFloat();
    assertEquals(expected, actual, 1e-6);
  }

  @Test
  void instanceLossMatchesReferenceOnRandomRows() {
    SplittableRandom rng = new SplittableRandom(7);
    double[][] a = unitRows(rng, 5, 4);
    double[][] b = unitRows(rng, 5, 4);
    double[][] both = new double[10][];
    System.arraycopy(a, 0, both, 0, 5);
    System.arraycopy(b, 0, both, 5, 5);
    float actual = Losses.instanceContrastive(array(a), array(b), 0.5).getFloat();
    assertEquals(ntXent(both, 0.5), actual, 1e-5);
  }

  @Test
  void clusterLossComparesColumnsByCosine() {
    double[][] ca = {{0.7, 0.2, 0.1}, {0.1, 0.8, 0.1}, {0.3, 0.3, 0.4}, {0.2, 0.1, 0.7}};
    double[][] cb = {{0.6, 0.3, 0.1}, {0.2, 0.6, 0.2}, {0.1, 0.2, 0.7}, {0.5, 0.25, 0.25}};
    // The reference: normalise the 2K columns to unit length, then NT-Xent with tau 1.
    double[][] columns = new double[6][4];
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < 4; i++) {
        columns[k][i] = ca[i][k];
        columns[k + 3][i] = cb[i][k];
      }
    }
    for (double[] col : columns) {
      double norm = 0;
      for (double v : col) {
        norm += v * v;
      }
      for (int i = 0; i < col.length; i++) {
        col[i] /= Math.sqrt(norm);
      }
    }
    float actual = Losses.clusterContrastive(array(ca), array(cb), 1.0).getFloat();
    assertEquals(ntXent(columns, 1.0), actual, 1e-5);
  }

  @Test
  void entropyTermIsZeroForBalancedAndLogKForCollapsedAssignments() {
    NDArray balanced = array(new double[][] {{0.5, 0.25, 0.25}, {0.0, 0.25, 0.75}, {0.5, 0.5, 0}});
    assertEquals(0.0, Losses.clusterEntropy(balanced).getFloat(), 1e-6);
    NDArray collapsed = array(new double[][] {{1 - 2e-7, 1e-7, 1e-7}, {1 - 2e-7, 1e-7, 1e-7}});
    assertEquals(Math.log(3), Losses.clusterEntropy(collapsed).getFloat(), 1e-4);
    // A skewed split: p = (0.75, 0.25) gives log 2 + 0.75 log 0.75 + 0.25 log 0.25.
    NDArray skewed = array(new double[][] {{1, 0}, {0.5, 0.5}});
    double expected = Math.log(2) + 0.75 * Math.log(0.75) + 0.25 * Math.log(0.25);
    assertEquals(expected, Losses.clusterEntropy(skewed).getFloat(), 1e-6);
  }

  @Test
  void reconstructionCountsMaskedPatchesOnlyAgainstNormalisedTargets() {
    // One image, two patches of four pixels; patch 0 is masked, patch 1 is visible.
    float[] target = {1, 2, 3, 4, 10, 10, 10, 10};
    double mean = 2.5;
    double var = (1.5 * 1.5 * 2 + 0.5 * 0.5 * 2) / 3; // unbiased
    float[] predicted = new float[8];
    for (int i = 0; i < 4; i++) {
      predicted[i] = (float) ((target[i] - mean) / Math.sqrt(var + 1e-6));
    }
    predicted[4] = 123; // a visible patch: its error must not count
    NDArray t = manager.create(target, new Shape(1, 2, 4));
    NDArray mask = manager.create(new float[] {1, 0}, new Shape(1, 2));
    NDArray p = manager.create(predicted, new Shape(1, 2, 4));
    assertEquals(0.0, Losses.reconstruction(p, t, mask).getFloat(), 1e-6);

    NDArray zeros = manager.zeros(new Shape(1, 2, 4));
    // Predicting zeros: the mean of the squared normalised target, which is (n-1)/n *
    // var/(var+eps).
    double expected = 0.75 * var / (var + 1e-6);
    assertEquals(expected, Losses.reconstruction(zeros, t, mask).getFloat(), 1e-5);
  }

  @Test
  void crossLevelLossReadsLogProbabilitiesOnceOrTwice() {
    double[][] logits = {{2, 0, -1}, {0.5, 0.5, 3}};
    double[][] onehot = {{1, 0, 0}, {0, 0, 1}};
    double expectedOnce = 0;
    double expectedTwice = 0;
    for (int i = 0; i < 2; i++) {
      double[] p = softmax(logits[i]);
      int target = i == 0 ? 0 : 2;
      expectedOnce += -Math.log(p[target]);
      expectedTwice += -Math.log(softmax(p)[target]);
    }
    NDArray l = array(logits);
    NDArray t = array(onehot);
    assertEquals(expectedOnce / 2, Losses.crossLevel(l, t, CliLossKind.PROBS).getFloat(), 1e-6);
    assertEquals(
        expectedTwice / 2, Losses.crossLevel(l, t, CliLossKind.DOUBLE_SOFTMAX).getFloat(), 1e-6);
    assertTrue(expectedTwice > expectedOnce, "the double softmax flattens the targets' margin");
  }

  private static double[] softmax(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = Math.exp(x[i] - max);
      sum += out[i];
    }
    for (int i = 0; i < x.length; i++) {
      out[i] /= sum;
    }
    return out;
  }
}
