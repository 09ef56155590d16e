package org.picilab.model.metrics;

import java.math.BigInteger;

/**
 * The four external clustering scores of method.md ("Metrics"): NMI with arithmetic normalisation,
 * ACC under the best one-to-one mapping of clusters to classes, ARI and FMI.
 *
 * <p>Each score follows scikit-learn 1.2.1 (and scipy 1.10.1 for the assignment behind ACC)
 * including its edge cases, and matches its values to 1e-9 on the shared fixtures. Labels are
 * arbitrary ints; arrays of different lengths, or empty ones, are rejected with an {@link
 * IllegalArgumentException} naming both lengths. All methods also accept a prebuilt {@link
 * ConfusionMatrix}, so that several scores can share one table.
 */
public final class ClusteringMetrics {

  /** Per-term threshold below which scikit-learn treats a mutual-information term as zero. */
  private static final double EPS = Math.ulp(1.0);

  private ClusteringMetrics() {}

  /**
   * Normalised mutual information, natural log, normalised by the arithmetic mean of the two
   * entropies.
   *
   * <p>As in scikit-learn: two labelings that each hold a single cluster score 1.0 (both have zero
   * entropy, a perfect match); otherwise a single cluster on either side gives 0.0.
   *
   * @param truth the true class of each sample
   * @param pred the predicted cluster of each sample
   * @return NMI in [0, 1]
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   */
  public static double nmi(int[] truth, int[] pred) {
    return nmi(ConfusionMatrix.of(truth, pred));
  }

  /**
   * NMI of a prebuilt table; see {@link #nmi(int[], int[])}.
   *
   * @param table the contingency table
   * @return NMI in [0, 1]
   */
  public static double nmi(ConfusionMatrix table) {
    if (table.numClasses() == 1 && table.numClusters() == 1) {
      return 1.0;
    }
    double mi = mutualInformation(table);
    // A zero MI cannot be the perfect match handled above, and dividing would risk 0 / 0.
    if (mi == 0.0) {
      return 0.0;
    }
    double hTrue = entropy(table.classSizesView(), table.total());
    double hPred = entropy(table.clusterSizesView(), table.total());
    double normalizer = Math.max((hTrue + hPred) / 2.0, EPS);
    return mi / normalizer;
  }

  /**
   * Clustering accuracy: the fraction of samples whose cluster, mapped one-to-one to a class by the
   * Hungarian algorithm so as to maximise matches, equals their class (method.md). Samples of
   * clusters left unmatched (more clusters than classes) count as errors; fewer clusters than
   * classes simply leave some classes unmatched.
   *
   * @param truth the true class of each sample
   * @param pred the predicted cluster of each sample
   * @return ACC in (0, 1]
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   */
  public static double acc(int[] truth, int[] pred) {
    return acc(ConfusionMatrix.of(truth, pred));
  }

  /**
   * ACC of a prebuilt table; see {@link #acc(int[], int[])}.
   *
   * @param table the contingency table
   * @return ACC in (0, 1]
   */
  public static double acc(ConfusionMatrix table) {
    return (double) table.matchedCount() / table.total();
  }

  /**
   * Adjusted Rand index (Hubert and Arabie), from the pair confusion matrix as scikit-learn
   * computes it; 1.0 when no pair is split or joined differently by the two labelings (which
   * includes two labelings that each put every sample in its own cluster).
   *
   * @param truth the true class of each sample
   * @param pred the predicted cluster of each sample
   * @return ARI in [-0.5, 1]
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   */
  public static double ari(int[] truth, int[] pred) {
    return ari(ConfusionMatrix.of(truth, pred));
  }

  /**
   * ARI of a prebuilt table; see {@link #ari(int[], int[])}.
   *
   * @param table the contingency table
   * @return ARI in [-0.5, 1]
   */
  public static double ari(ConfusionMatrix table) {
    long[][] counts = table.countsView();
    long[] classSizes = table.classSizesView();
    long[] clusterSizes = table.clusterSizesView();
    long n = table.total();
    long sumSquares = 0;
    long rowWeighted = 0;
    long colWeighted = 0;
    for (int i = 0; i < counts.length; i++) {
      for (int j = 0; j < counts[i].length; j++) {
        long c = counts[i][j];
        sumSquares += c * c;
        colWeighted += c * clusterSizes[j];
        rowWeighted += c * classSizes[i];
      }
    }
    // Ordered pairs, as in scikit-learn's pair_confusion_matrix: tp = same class and same
    // cluster, fp = same cluster but different class, fn = same class but different cluster.
    long tp = sumSquares - n;
    long fp = colWeighted - sumSquares;
    long fn = rowWeighted - sumSquares;
    long tn = n * n - fp - fn - sumSquares;
    if (fn == 0 && fp == 0) {
      return 1.0;
    }
    // The products reach n^4, which overflows a long from about 55 000 samples on; scikit-learn
    // uses Python's unbounded ints here, so BigInteger keeps both the range and the rounding.
    BigInteger numerator = big(tp).multiply(big(tn)).subtract(big(fn).multiply(big(fp)));
    BigInteger denominator =
        big(tp + fn).multiply(big(fn + tn)).add(big(tp + fp).multiply(big(fp + tn)));
    return 2.0 * numerator.doubleValue() / denominator.doubleValue();
  }

  /**
   * Fowlkes-Mallows index: the geometric mean of pairwise precision and recall; 0.0 when no pair of
   * samples shares both a class and a cluster (as scikit-learn returns).
   *
   * @param truth the true class of each sample
   * @param pred the predicted cluster of each sample
   * @return FMI in [0, 1]
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   */
  public static double fmi(int[] truth, int[] pred) {
    return fmi(ConfusionMatrix.of(truth, pred));
  }

  /**
   * FMI of a prebuilt table; see {@link #fmi(int[], int[])}.
   *
   * @param table the contingency table
   * @return FMI in [0, 1]
   */
  public static double fmi(ConfusionMatrix table) {
    long n = table.total();
    long tk = -n;
    for (long[] row : table.countsView()) {
      for (long c : row) {
        tk += c * c;
      }
    }
    if (tk == 0) {
      return 0.0;
    }
    long pk = sumOfSquares(table.clusterSizesView()) - n;
    long qk = sumOfSquares(table.classSizesView()) - n;
    return Math.sqrt((double) tk / pk) * Math.sqrt((double) tk / qk);
  }

  /**
   * Mutual information in nats, computed term by term as scikit-learn's mutual_info_score does:
   * terms smaller in magnitude than machine epsilon are zeroed, and the sum is clipped at zero, so
   * that independent labelings give exactly 0.
   */
  private static double mutualInformation(ConfusionMatrix table) {
    if (table.numClasses() == 1 || table.numClusters() == 1) {
      return 0.0;
    }
    long[][] counts = table.countsView();
    long[] classSizes = table.classSizesView();
    long[] clusterSizes = table.clusterSizesView();
    double total = table.total();
    double logTotal = Math.log(total);
    double mi = 0.0;
    for (int i = 0; i < counts.length; i++) {
      for (int j = 0; j < counts[i].length; j++) {
        long c = counts[i][j];
        if (c == 0) {
          continue;
        }
        double p = c / total;
        double logOuter = -Math.log((double) (classSizes[i] * clusterSizes[j])) + 2 * logTotal;
        double term = p * (Math.log(c) - logTotal) + p * logOuter;
        if (Math.abs(term) >= EPS) {
          mi += term;
        }
      }
    }
    return Math.max(mi, 0.0);
  }

  /** Entropy in nats of a labeling given its cluster sizes; zero for a single cluster. */
  private static double entropy(long[] sizes, long total) {
    if (sizes.length == 1) {
      return 0.0;
    }
    double logTotal = Math.log(total);
    double h = 0.0;
    for (long size : sizes) {
      h -= ((double) size / total) * (Math.log(size) - logTotal);
    }
    return h;
  }

  private static long sumOfSquares(long[] values) {
    long sum = 0;
    for (long v : values) {
      sum += v * v;
    }
    return sum;
  }

  private static BigInteger big(long value) {
    return BigInteger.valueOf(value);
  }
}
