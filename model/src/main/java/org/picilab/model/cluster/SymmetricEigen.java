package org.picilab.model.cluster;

import java.util.Arrays;

/**
 * Eigenvalues of a real symmetric matrix, and the eigenvectors of the largest ones, by Householder
 * reduction to tridiagonal form followed by the implicitly shifted QL algorithm.
 *
 * <p>PCA needs only the few leading eigenvectors of a covariance matrix of dimension up to 768, so
 * the QL sweep does not accumulate its plane rotations into a full n x n matrix (the usual O(n^3)
 * cost that dominates). It records them instead, and afterwards applies them, and then the
 * Householder reflections, to just the wanted eigenvectors; the reduction to tridiagonal form
 * (about 4n^3/3 operations) is then the only cubic step.
 */
final class SymmetricEigen {

  /** Iterations allowed per eigenvalue; QL converges in two or three, so hitting this is a bug. */
  private static final int MAX_ITERATIONS = 60;

  private final double[] values;
  private final int[] order;
  private final double[][] reflectors;
  private final double[] reflectorScales;
  private final RotationLog rotations;
  private final int n;

  private SymmetricEigen(double[][] symmetric) {
    n = symmetric.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = symmetric[i].clone();
    }
    double[] diagonal = new double[n];
    double[] offDiagonal = new double[n];
    reflectors = new double[Math.max(n - 2, 0)][];
    reflectorScales = new double[Math.max(n - 2, 0)];
    tridiagonalize(a, diagonal, offDiagonal);
    rotations = new RotationLog(Math.max(16, 2 * n * n));
    diagonalize(diagonal, offDiagonal);
    values = diagonal;
    // Positions of the eigenvalues from largest to smallest; ties keep their original order.
    order =
        java.util.stream.IntStream.range(0, n)
            .boxed()
            .sorted((p, q) -> Double.compare(values[q], values[p]))
            .mapToInt(Integer::intValue)
            .toArray();
  }

  /**
   * Decomposes a symmetric matrix; only the upper triangle is assumed to be meaningful, but the
   * matrix is read in full, so it must really be symmetric.
   */
  static SymmetricEigen of(double[][] symmetric) {
    return new SymmetricEigen(symmetric);
  }

  /** All eigenvalues, largest first. */
  double[] eigenvaluesDescending() {
    double[] sorted = new double[n];
    for (int i = 0; i < n; i++) {
      sorted[i] = values[order[i]];
    }
    return sorted;
  }

  /** The unit eigenvector of the r-th largest eigenvalue (r = 0 for the largest). */
  double[] eigenvector(int r) {
    double[] y = new double[n];
    y[order[r]] = 1.0;
    // The tridiagonal matrix's eigenvector is G_1 G_2 ... G_N e_j for the rotations of the QL
    // sweeps, so they are applied to e_j last one first.
    rotations.applyInReverse(y);
    // Back to the original basis: v = H_0 H_1 ... H_{n-3} z, again innermost first.
    for (int k = reflectors.length - 1; k >= 0; k--) {
      double[] v = reflectors[k];
      if (v == null) {
        continue;
      }
      int offset = k + 1;
      double dot = 0;
      for (int i = 0; i < v.length; i++) {
        dot += v[i] * y[offset + i];
      }
      double f = reflectorScales[k] * dot;
      for (int i = 0; i < v.length; i++) {
        y[offset + i] -= f * v[i];
      }
    }
    return y;
  }

  /**
   * Householder reduction: for each column k, a reflection H = I - beta v v^T zeroes the entries
   * below the subdiagonal, and the trailing block becomes H B H, computed as the rank-two update B
   * - v q^T - q v^T with p = beta B v and q = p - (beta v.p / 2) v.
   */
  private void tridiagonalize(double[][] a, double[] diagonal, double[] offDiagonal) {
    for (int k = 0; k < n - 2; k++) {
      int start = k + 1;
      double tail = 0;
      for (int i = start + 1; i < n; i++) {
        tail += a[i][k] * a[i][k];
      }
      double head = a[start][k];
      if (tail == 0) {
        // Already tridiagonal in this column; the identity is the reflection.
        offDiagonal[k] = head;
        continue;
      }
      double norm = Math.sqrt(head * head + tail);
      // The sign opposite to the head avoids cancellation in v[0] = head - alpha.
      double alpha = head >= 0 ? -norm : norm;
      int m = n - start;
      double[] v = new double[m];
      v[0] = head - alpha;
      for (int i = 1; i < m; i++) {
        v[i] = a[start + i][k];
      }
      double beta = 2.0 / (v[0] * v[0] + tail);
      double[] p = new double[m];
      for (int i = 0; i < m; i++) {
        double[] row = a[start + i];
        double s = 0;
        for (int j = 0; j < m; j++) {
          s += row[start + j] * v[j];
        }
        p[i] = beta * s;
      }
      double vp = 0;
      for (int i = 0; i < m; i++) {
        vp += v[i] * p[i];
      }
      double half = 0.5 * beta * vp;
      for (int i = 0; i < m; i++) {
        p[i] -= half * v[i];
      }
      for (int i = 0; i < m; i++) {
        double[] row = a[start + i];
        double vi = v[i];
        double qi = p[i];
        for (int j = 0; j < m; j++) {
          row[start + j] -= vi * p[j] + qi * v[j];
        }
      }
      offDiagonal[k] = alpha;
      reflectors[k] = v;
      reflectorScales[k] = beta;
    }
    for (int i = 0; i < n; i++) {
      diagonal[i] = a[i][i];
    }
    if (n >= 2) {
      offDiagonal[n - 2] = a[n - 1][n - 2];
    }
    if (n >= 1) {
      offDiagonal[n - 1] = 0;
    }
  }

  /**
   * Implicit QL with Wilkinson-type shifts on the tridiagonal matrix (d on the diagonal, e[i]
   * coupling i and i + 1), leaving the eigenvalues in d and logging every plane rotation.
   */
  private void diagonalize(double[] d, double[] e) {
    // Negligible couplings are judged against the whole matrix as well as their neighbours: with
    // exactly zero eigenvalues (constant features, repeated channels) the neighbours are zero
    // too, and a purely local test would never let a tiny coupling go.
    double norm = 0;
    for (int i = 0; i < n; i++) {
      norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]));
    }
    double negligible = Math.ulp(1.0) * norm;
    for (int l = 0; l < n; l++) {
      int iterations = 0;
      while (true) {
        // Find the first negligible coupling at or after l: the block l..m splits off.
        int m = l;
        while (m < n - 1) {
          double scale = Math.abs(d[m]) + Math.abs(d[m + 1]);
          if (Math.abs(e[m]) <= negligible || Math.abs(e[m]) + scale == scale) {
            break;
          }
          m++;
        }
        if (m == l) {
          break;
        }
        if (++iterations > MAX_ITERATIONS) {
          throw new IllegalStateException(
              "QL did not converge for eigenvalue " + l + " of a " + n + " x " + n + " matrix");
        }
        // Shift by the eigenvalue of the leading 2 x 2 block closer to d[l].
        double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
        double r = Math.hypot(g, 1.0);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
        double s = 1;
        double c = 1;
        double p = 0;
        boolean underflow = false;
        for (int i = m - 1; i >= l; i--) {
          double f = s * e[i];
          double b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r == 0) {
            // The chase met an exact zero: deflate here and start the sweep again.
            d[i + 1] -= p;
            e[m] = 0;
            underflow = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2.0 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          rotations.add(i, c, s);
        }
        if (underflow) {
          continue;
        }
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    }
  }

  /** A growable log of plane rotations (index, cosine, sine) in the order they were applied. */
  private static final class RotationLog {
    private int[] index;
    private double[] cosSin;
    private int size;

    RotationLog(int capacity) {
      index = new int[capacity];
      cosSin = new double[2 * capacity];
    }

    void add(int i, double c, double s) {
      if (size == index.length) {
        index = Arrays.copyOf(index, 2 * size);
        cosSin = Arrays.copyOf(cosSin, 4 * size);
      }
      index[size] = i;
      cosSin[2 * size] = c;
      cosSin[2 * size + 1] = s;
      size++;
    }

    /**
     * Computes y = G_1 G_2 ... G_N y. A rotation logged as (i, c, s) replaced columns i and i + 1
     * of the eigenvector matrix Z by c z_i - s z_{i+1} and s z_i + c z_{i+1}, that is Z = Z G with
     * G = [[c, s], [-s, c]] in those rows and columns.
     */
    void applyInReverse(double[] y) {
      for (int t = size - 1; t >= 0; t--) {
        int i = index[t];
        double c = cosSin[2 * t];
        double s = cosSin[2 * t + 1];
        double yi = y[i];
        double yj = y[i + 1];
        y[i] = c * yi + s * yj;
        y[i + 1] = c * yj - s * yi;
      }
    }
  }
}
