package org.picilab.model.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PcaTest {

  /** A random orthogonal matrix (Gram-Schmidt on random columns); column j is axis j. */
  static double[][] randomRotation(SplittableRandom rng, int d) {
    double[][] columns = new double[d][d];
    for (int j = 0; j < d; j++) {
      double[] v = columns[j];
      for (int i = 0; i < d; i++) {
        v[i] = rng.nextDouble() * 2 - 1;
      }
      for (int pass = 0; pass < 2; pass++) {
        for (int p = 0; p < j; p++) {
          double dot = 0;
          for (int i = 0; i < d; i++) {
            dot += v[i] * columns[p][i];
          }
          for (int i = 0; i < d; i++) {
            v[i] -= dot * columns[p][i];
          }
        }
      }
      double norm = 0;
      for (double value : v) {
        norm += value * value;
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < d; i++) {
        v[i] /= norm;
      }
    }
    double[][] q = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        q[i][j] = columns[j][i];
      }
    }
    return q;
  }

  private static double[] axis(double[][] q, int j) {
    double[] a = new double[q.length];
    for (int i = 0; i < q.length; i++) {
      a[i] = q[i][j];
    }
    return a;
  }

  /** The axis with the sign convention applied: largest-magnitude coefficient positive. */
  private static double[] conventional(double[] v) {
    int largest = 0;
    for (int j = 1; j < v.length; j++) {
      if (Math.abs(v[j]) > Math.abs(v[largest])) {
        largest = j;
      }
    }
    double[] out = v.clone();
    if (out[largest] < 0) {
      for (int j = 0; j < out.length; j++) {
        out[j] = -out[j];
      }
    }
    return out;
  }

  /**
   * Points mean +- s_j q_j for every axis j: their covariance is exactly sum_j c s_j^2 q_j q_j^T,
   * so the principal axes are the q_j and the variance ratios s_j^2 / sum s^2.
   */
  @Test
  void recoversKnownAxesExactlyWithTheSignConvention() {
    int d = 7;
    double[][] q = randomRotation(new SplittableRandom(3), d);
    double[] spread = {6, 3, 2, 1, 0.5, 0.25, 0.1};
    double[] mean = {1, -2, 3, 0, 5, 7, -1};
    double[][] x = new double[2 * d][d];
    for (int j = 0; j < d; j++) {
      for (int i = 0; i < d; i++) {
        x[2 * j][i] = mean[i] + spread[j] * q[i][j];
        x[2 * j + 1][i] = mean[i] - spread[j] * q[i][j];
      }
    }
    Pca pca = Pca.fit(x, 4);
    double total = 0;
    for (double s : spread) {
      total += s * s;
    }
    double[][] components = pca.components();
    double[] ratios = pca.explainedVarianceRatio();
    assertEquals(4, components.length);
    for (int r = 0; r < 4; r++) {
      assertArrayEquals(conventional(axis(q, r)), components[r], 1e-10, "component " + r);
      assertEquals(spread[r] * spread[r] / total, ratios[r], 1e-12);
      assertEquals(2 * spread[r] * spread[r] / (2 * d - 1), pca.explainedVariance()[r], 1e-12);
    }
    assertArrayEquals(mean, pca.mean(), 1e-12);
    // Projecting mean + s_0 q_0 gives +-s_0 on the first component and 0 on the others.
    double[][] projected = pca.transform(new double[][] {x[0], mean});
    assertEquals(spread[0], Math.abs(projected[0][0]), 1e-10);
    assertEquals(0.0, projected[0][1], 1e-10);
    assertArrayEquals(new double[4], projected[1], 1e-10);
  }

  @Test
  void gaussianCloudGivesSortedRatiosAndNearlyTheTrueAxes() {
    int d = 10;
    int n = 3000;
    SplittableRandom rng = new SplittableRandom(11);
    double[][] q = randomRotation(rng, d);
    double[] sd = {8, 4, 2, 1, 1, 1, 1, 1, 1, 1};
    double[][] x = new double[n][d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        double z = sd[j] * gaussian(rng);
        for (int i = 0; i < d; i++) {
          row[i] += z * q[i][j];
        }
      }
    }
    Pca pca = Pca.fit(x, 3);
    double[] ratios = pca.explainedVarianceRatio();
    double sum = 0;
    for (int r = 0; r < ratios.length; r++) {
      sum += ratios[r];
      if (r > 0) {
        assertTrue(ratios[r] <= ratios[r - 1], "ratios must be sorted");
      }
    }
    assertTrue(sum <= 1.0 + 1e-12, "ratios sum to " + sum);
    assertEquals(64.0 / 91.0, ratios[0], 0.03);
    for (int r = 0; r < 3; r++) {
      double[] c = pca.components()[r];
      double dot = 0;
      for (int i = 0; i < d; i++) {
        dot += c[i] * q[i][r];
      }
      assertTrue(Math.abs(dot) > 0.99, "component " + r + " off its axis: " + dot);
      assertArrayEquals(conventional(c), c, 0.0, "sign convention");
    }
  }

  @Test
  void allComponentsExplainAllVariance() {
    double[][] x = {{1, 2, 0}, {3, 1, 1}, {0, 0, 2}, {5, 4, -1}, {2, 2, 2}};
    Pca pca = Pca.fit(x, 3);
    double sum = 0;
    for (double r : pca.explainedVarianceRatio()) {
      sum += r;
    }
    assertEquals(1.0, sum, 1e-12);
    // With all components the projection is a rotation: squared norms of centred rows survive.
    double[][] projected = pca.transform(x);
    double[] mean = pca.mean();
    for (int i = 0; i < x.length; i++) {
      double before = 0;
      double after = 0;
      for (int j = 0; j < 3; j++) {
        before += (x[i][j] - mean[j]) * (x[i][j] - mean[j]);
        after += projected[i][j] * projected[i][j];
      }
      assertEquals(before, after, 1e-10);
    }
  }

  @Test
  void constantDataHasZeroRatiosAndIsDeterministic() {
    double[][] x = {{2, 2}, {2, 2}, {2, 2}};
    Pca pca = Pca.fit(x, 2);
    assertArrayEquals(new double[2], pca.explainedVarianceRatio(), 0.0);
    assertArrayEquals(new double[][] {{0, 0}, {0, 0}, {0, 0}}, pca.transform(x));
    double[][] y = {{1, 0, 2}, {0, 3, 1}, {4, 1, 1}, {2, 2, 0}};
    assertArrayEquals(Pca.fit(y, 2).components(), Pca.fit(y, 2).components());
  }

  @Test
  void highDimensionalFeaturesWork() {
    // Shaped like a 2-D embedding of ViT features: 768 dimensions, two dominant directions.
    int d = 768;
    int n = 300;
    SplittableRandom rng = new SplittableRandom(2);
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      double a = 10 * gaussian(rng);
      double b = 5 * gaussian(rng);
      for (int j = 0; j < d; j++) {
        x[i][j] = 0.1 * gaussian(rng) + (j == 3 ? a : 0) + (j == 500 ? b : 0);
      }
    }
    Pca pca = Pca.fit(x, 2);
    assertTrue(pca.components()[0][3] > 0.995, "first axis " + pca.components()[0][3]);
    assertTrue(pca.components()[1][500] > 0.995, "second axis " + pca.components()[1][500]);
    assertEquals(2, pca.transform(x)[0].length);
  }

  @Test
  void rejectsBadArguments() {
    double[][] x = {{1, 2, 3}, {4, 5, 6}};
    IllegalArgumentException tooMany =
        assertThrows(IllegalArgumentException.class, () -> Pca.fit(x, 3));
    assertTrue(tooMany.getMessage().contains("got 3"), tooMany.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Pca.fit(x, 0));
    assertThrows(IllegalArgumentException.class, () -> Pca.fit(new double[0][], 1));
    assertThrows(
        IllegalArgumentException.class, () -> Pca.fit(new double[][] {{1, Double.NaN}}, 1));
    Pca pca = Pca.fit(x, 1);
    IllegalArgumentException wrongDimension =
        assertThrows(IllegalArgumentException.class, () -> pca.transform(new double[][] {{1, 2}}));
    assertTrue(wrongDimension.getMessage().contains("dimension 2"), wrongDimension.getMessage());
  }

  private static double gaussian(SplittableRandom rng) {
    double u1 = 1.0 - rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * The digits as the k-means baseline sees them: 8 x 8 grey images promoted to three identical
   * channels, with always-blank columns. The covariance has many exactly zero eigenvalues, which
   * once stopped the eigensolver from converging.
   */
  @Test
  void degenerateCovarianceOfRealDigitPixels() {
    org.picilab.model.data.ImageDataset digits = org.picilab.model.data.Datasets.digits(8);
    double[][] x = new double[digits.size()][3 * 64];
    float[] px = new float[3 * 64];
    for (int i = 0; i < digits.size(); i++) {
      digits.pixels(i, px, 0);
      for (int j = 0; j < px.length; j++) {
        x[i][j] = px[j];
      }
    }
    Pca pca = Pca.fit(x, 2);
    double[] ratio = pca.explainedVarianceRatio();
    assertTrue(ratio[0] >= ratio[1] && ratio[1] > 0, "ratios " + ratio[0] + ", " + ratio[1]);
    // scikit-learn's PCA on the 64 raw pixels explains about 14.9% and 13.6% with two axes;
    // tripling identical channels does not change the ratios.
    assertEquals(0.149, ratio[0], 0.01);
    assertEquals(0.136, ratio[1], 0.01);
  }
}
