package org.picilab.model.cluster;

import java.util.Objects;

/**
 * Principal component analysis: the leading eigenvectors of the sample covariance matrix of centred
 * data, used to draw 2-D embeddings of learned features.
 *
 * <p>The covariance (with the n - 1 denominator, as scikit-learn's explained variance) is
 * decomposed by a symmetric eigensolver, so the result is exact up to rounding even when
 * eigenvalues are close, which power iteration would not guarantee. The cost is O(n d^2) for the
 * covariance plus O(d^3) for the decomposition; for d = 768 the latter is a fraction of a second.
 *
 * <p>Each component's sign is fixed so that its coefficient of largest magnitude (the first such
 * one, if several tie) is positive; two fits of the same data therefore always agree, and an
 * embedding does not flip between runs.
 */
public final class Pca {

  private final double[] mean;
  private final double[][] components;
  private final double[] explainedVariance;
  private final double[] explainedVarianceRatio;

  private Pca(
      double[] mean,
      double[][] components,
      double[] explainedVariance,
      double[] explainedVarianceRatio) {
    this.mean = mean;
    this.components = components;
    this.explainedVariance = explainedVariance;
    this.explainedVarianceRatio = explainedVarianceRatio;
  }

  /**
   * Fits the leading principal components of the data.
   *
   * @param x n points of dimension d, all values finite; not modified
   * @param components how many components to keep, between 1 and min(n, d)
   * @return the fitted projection
   * @throws IllegalArgumentException if x is empty, ragged or not finite, or components is out of
   *     range
   */
  public static Pca fit(double[][] x, int components) {
    int d = KMeans.checkPoints(x, "x");
    int n = x.length;
    int limit = Math.min(n, d);
    if (components < 1 || components > limit) {
      throw new IllegalArgumentException(
          "components must be between 1 and min(n, d) = min("
              + n
              + ", "
              + d
              + ") = "
              + limit
              + ", got "
              + components);
    }
    double[] mean = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    double[][] covariance = covariance(x, mean);
    SymmetricEigen eigen = SymmetricEigen.of(covariance);
    double[] values = eigen.eigenvaluesDescending();
    // The total variance is the trace, which equals the sum of all eigenvalues; reading it off the
    // diagonal avoids the rounding of the decomposition.
    double total = 0;
    for (int j = 0; j < d; j++) {
      total += covariance[j][j];
    }
    double[][] axes = new double[components][];
    double[] variance = new double[components];
    double[] ratio = new double[components];
    for (int r = 0; r < components; r++) {
      axes[r] = eigen.eigenvector(r);
      normalise(axes[r]);
      fixSign(axes[r]);
      // A covariance is positive semi-definite; tiny negative eigenvalues are rounding.
      variance[r] = Math.max(values[r], 0.0);
      ratio[r] = total > 0 ? variance[r] / total : 0.0;
    }
    return new Pca(mean, axes, variance, ratio);
  }

  /**
   * Projects points onto the components: row i of the result holds the coordinates of x[i] - mean
   * along each component.
   *
   * @param x points of the fitted dimension
   * @return an x.length x components array
   * @throws IllegalArgumentException if x is ragged, not finite, or of another dimension
   */
  public double[][] transform(double[][] x) {
    Objects.requireNonNull(x, "x");
    double[][] projected = new double[x.length][components.length];
    if (x.length == 0) {
      return projected;
    }
    int d = KMeans.checkPoints(x, "x");
    if (d != mean.length) {
      throw new IllegalArgumentException(
          "x has dimension " + d + " but the PCA was fitted on dimension " + mean.length);
    }
    double[] centred = new double[d];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < d; j++) {
        centred[j] = x[i][j] - mean[j];
      }
      for (int r = 0; r < components.length; r++) {
        double[] axis = components[r];
        double s = 0;
        for (int j = 0; j < d; j++) {
          s += centred[j] * axis[j];
        }
        projected[i][r] = s;
      }
    }
    return projected;
  }

  /**
   * Returns the fraction of the total variance along each component, in decreasing order; they sum
   * to at most 1.
   *
   * @return a fresh array of length components
   */
  public double[] explainedVarianceRatio() {
    return explainedVarianceRatio.clone();
  }

  /**
   * Returns the variance along each component (sample variance, n - 1 denominator, or n when there
   * is a single point), in decreasing order.
   *
   * @return a fresh array of length components
   */
  public double[] explainedVariance() {
    return explainedVariance.clone();
  }

  /**
   * Returns the components as unit rows, most variance first, each with its largest-magnitude
   * coefficient positive.
   *
   * @return a fresh components x d array
   */
  public double[][] components() {
    double[][] copy = new double[components.length][];
    for (int r = 0; r < components.length; r++) {
      copy[r] = components[r].clone();
    }
    return copy;
  }

  /**
   * Returns the per-feature mean subtracted before projecting.
   *
   * @return a fresh array of length d
   */
  public double[] mean() {
    return mean.clone();
  }

  /** The sample covariance of the rows of x, accumulated one centred row at a time. */
  private static double[][] covariance(double[][] x, double[] mean) {
    int d = mean.length;
    double[][] c = new double[d][d];
    double[] centred = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        centred[j] = row[j] - mean[j];
      }
      // Only the upper triangle is accumulated, half the work; it is mirrored below.
      for (int a = 0; a < d; a++) {
        double ca = centred[a];
        if (ca == 0) {
          continue;
        }
        double[] out = c[a];
        for (int b = a; b < d; b++) {
          out[b] += ca * centred[b];
        }
      }
    }
    double denominator = Math.max(x.length - 1, 1);
    for (int a = 0; a < d; a++) {
      for (int b = a; b < d; b++) {
        c[a][b] /= denominator;
        c[b][a] = c[a][b];
      }
    }
    return c;
  }

  private static void normalise(double[] v) {
    // The eigensolver returns unit vectors up to rounding; renormalising keeps projections exact.
    double norm = 0;
    for (double value : v) {
      norm += value * value;
    }
    norm = Math.sqrt(norm);
    for (int j = 0; j < v.length; j++) {
      v[j] /= norm;
    }
  }

  private static void fixSign(double[] v) {
    int largest = 0;
    for (int j = 1; j < v.length; j++) {
      if (Math.abs(v[j]) > Math.abs(v[largest])) {
        largest = j;
      }
    }
    if (v[largest] < 0) {
      for (int j = 0; j < v.length; j++) {
        v[j] = -v[j];
      }
    }
  }
}
