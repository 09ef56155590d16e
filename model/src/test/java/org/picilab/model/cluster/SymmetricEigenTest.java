package org.picilab.model.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

  @Test
  void randomSymmetricMatricesAreDiagonalised() {
    SplittableRandom rng = new SplittableRandom(17);
    for (int n : new int[] {1, 2, 3, 4, 7, 16, 50}) {
      for (int trial = 0; trial < 3; trial++) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
          for (int j = i; j < n; j++) {
            a[i][j] = rng.nextDouble() * 2 - 1;
            a[j][i] = a[i][j];
          }
        }
        checkDecomposition(a);
      }
    }
  }

  @Test
  void knownSpectrumWithRepeatedEigenvaluesIsRecovered() {
    double[] spectrum = {9, 4, 4, 4, 1, 0, 0, -2};
    double[][] q = PcaTest.randomRotation(new SplittableRandom(5), spectrum.length);
    double[][] a = compose(q, spectrum);
    SymmetricEigen eigen = checkDecomposition(a);
    assertArrayEquals(spectrum, eigen.eigenvaluesDescending(), 1e-12);
    // The largest eigenvalue is simple, so its eigenvector is q's first column up to sign.
    double[] v = eigen.eigenvector(0);
    double dot = 0;
    for (int i = 0; i < v.length; i++) {
      dot += v[i] * q[i][0];
    }
    assertEquals(1.0, Math.abs(dot), 1e-12);
  }

  @Test
  void diagonalAndZeroMatrices() {
    SymmetricEigen diagonal = checkDecomposition(new double[][] {{1, 0, 0}, {0, 3, 0}, {0, 0, 2}});
    assertArrayEquals(new double[] {3, 2, 1}, diagonal.eigenvaluesDescending(), 0.0);
    assertArrayEquals(new double[] {0, 1, 0}, diagonal.eigenvector(0), 0.0);
    SymmetricEigen zero = checkDecomposition(new double[4][4]);
    assertArrayEquals(new double[4], zero.eigenvaluesDescending(), 0.0);
  }

  /** Checks A v = lambda v, orthonormality, descending order and the trace. */
  private static SymmetricEigen checkDecomposition(double[][] a) {
    int n = a.length;
    SymmetricEigen eigen = SymmetricEigen.of(a);
    double[] values = eigen.eigenvaluesDescending();
    double scale = 1;
    double trace = 0;
    for (int i = 0; i < n; i++) {
      trace += a[i][i];
      for (int j = 0; j < n; j++) {
        scale = Math.max(scale, Math.abs(a[i][j]));
      }
    }
    double sum = 0;
    double[][] vectors = new double[n][];
    for (int r = 0; r < n; r++) {
      sum += values[r];
      if (r > 0) {
        assertTrue(values[r] <= values[r - 1], "eigenvalues out of order");
      }
      vectors[r] = eigen.eigenvector(r);
      for (int i = 0; i < n; i++) {
        double av = 0;
        for (int j = 0; j < n; j++) {
          av += a[i][j] * vectors[r][j];
        }
        assertEquals(values[r] * vectors[r][i], av, 1e-10 * scale * n, "A v = lambda v");
      }
    }
    for (int r = 0; r < n; r++) {
      for (int s = 0; s < n; s++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += vectors[r][i] * vectors[s][i];
        }
        assertEquals(r == s ? 1.0 : 0.0, dot, 1e-10, "orthonormality");
      }
    }
    assertEquals(trace, sum, 1e-10 * scale * n);
    return eigen;
  }

  /** Q diag(spectrum) Q^T. */
  static double[][] compose(double[][] q, double[] spectrum) {
    int n = spectrum.length;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += q[i][k] * spectrum[k] * q[j][k];
        }
        a[i][j] = s;
      }
    }
    // Rounding can leave the product very slightly asymmetric; the solver expects symmetry.
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) {
        a[i][j] = a[j][i];
      }
    }
    return a;
  }
}
