package org.picilab.model.metrics;

import java.util.Arrays;
import java.util.Objects;
import org.picilab.model.cluster.Hungarian;

/**
 * The contingency table of a clustering against ground-truth classes: rows are the distinct class
 * labels, columns the distinct cluster labels, both sorted ascending, and each cell counts the
 * samples that carry that class and that cluster.
 *
 * <p>Labels are arbitrary ints (negative ones included); they are remapped to dense indices here,
 * so a clustering labelled {11, 66, 3} is as good as one labelled {0, 1, 2}. Every metric in {@link
 * ClusteringMetrics} is a function of this table, which is why they all start from it.
 *
 * <p>Instances are immutable; accessors return copies.
 */
public final class ConfusionMatrix {

  private final int[] classLabels;
  private final int[] clusterLabels;
  private final long[][] counts;
  private final long[] classSizes;
  private final long[] clusterSizes;
  private final long total;
  private int[] bestClassForCluster;

  private ConfusionMatrix(int[] truth, int[] pred) {
    checkLabels(truth, pred);
    this.classLabels = distinctSorted(truth);
    this.clusterLabels = distinctSorted(pred);
    this.counts = new long[classLabels.length][clusterLabels.length];
    this.classSizes = new long[classLabels.length];
    this.clusterSizes = new long[clusterLabels.length];
    for (int s = 0; s < truth.length; s++) {
      int row = Arrays.binarySearch(classLabels, truth[s]);
      int col = Arrays.binarySearch(clusterLabels, pred[s]);
      counts[row][col]++;
      classSizes[row]++;
      clusterSizes[col]++;
    }
    this.total = truth.length;
  }

  /**
   * Builds the table of a clustering against the true classes.
   *
   * @param truth the ground-truth class of each sample
   * @param pred the predicted cluster of each sample, in the same order
   * @return the contingency table
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   * @throws NullPointerException if either array is null
   */
  public static ConfusionMatrix of(int[] truth, int[] pred) {
    return new ConfusionMatrix(truth, pred);
  }

  /**
   * Returns the distinct class labels, sorted ascending; index i is row i of {@link #counts()}.
   *
   * @return a fresh copy of the class labels
   */
  public int[] classLabels() {
    return classLabels.clone();
  }

  /**
   * Returns the distinct cluster labels, sorted ascending; index j is column j of {@link
   * #counts()}.
   *
   * @return a fresh copy of the cluster labels
   */
  public int[] clusterLabels() {
    return clusterLabels.clone();
  }

  /**
   * Returns the number of distinct classes (rows).
   *
   * @return the number of classes
   */
  public int numClasses() {
    return classLabels.length;
  }

  /**
   * Returns the number of distinct clusters (columns).
   *
   * @return the number of clusters
   */
  public int numClusters() {
    return clusterLabels.length;
  }

  /**
   * Returns the counts, rows = classes and columns = clusters, in the order of {@link
   * #classLabels()} and {@link #clusterLabels()}.
   *
   * @return a fresh copy of the table
   */
  public long[][] counts() {
    long[][] copy = new long[counts.length][];
    for (int i = 0; i < counts.length; i++) {
      copy[i] = counts[i].clone();
    }
    return copy;
  }

  /**
   * Returns the number of samples in each class (the row sums).
   *
   * @return a fresh array, indexed like {@link #classLabels()}
   */
  public long[] classSizes() {
    return classSizes.clone();
  }

  /**
   * Returns the number of samples in each cluster (the column sums).
   *
   * @return a fresh array, indexed like {@link #clusterLabels()}
   */
  public long[] clusterSizes() {
    return clusterSizes.clone();
  }

  /**
   * Returns the number of samples.
   *
   * @return the sum of all counts
   */
  public long total() {
    return total;
  }

  /**
   * Returns the one-to-one mapping of clusters to classes that maximises the number of samples
   * whose cluster is mapped to their class, found by the Hungarian algorithm; this is the mapping
   * behind ACC (method.md, "Metrics").
   *
   * <p>Entry j is the <em>index</em> into {@link #classLabels()} of the class matched to cluster j
   * (the cluster {@code clusterLabels()[j]}), or -1 when there are more clusters than classes and
   * cluster j is left unmatched. Indices rather than labels are returned because -1 can itself be a
   * label.
   *
   * @return a fresh array of length {@link #numClusters()}
   */
  public int[] bestClassForCluster() {
    return bestMapping().clone();
  }

  /**
   * Returns the number of samples that the mapping of {@link #bestClassForCluster()} gets right:
   * the maximum, over one-to-one mappings, of the summed matched counts.
   *
   * @return the number of correctly mapped samples
   */
  public long matchedCount() {
    int[] mapping = bestMapping();
    long matched = 0;
    for (int j = 0; j < mapping.length; j++) {
      if (mapping[j] >= 0) {
        matched += counts[mapping[j]][j];
      }
    }
    return matched;
  }

  /** The table itself, for the metrics in this package, which only read it. */
  long[][] countsView() {
    return counts;
  }

  long[] classSizesView() {
    return classSizes;
  }

  long[] clusterSizesView() {
    return clusterSizes;
  }

  private synchronized int[] bestMapping() {
    // Computed on first use: NMI, ARI and FMI do not need it, and the Hungarian step is the only
    // part of the table that costs more than one pass over the labels.
    if (bestClassForCluster == null) {
      double[][] weights = new double[clusterLabels.length][classLabels.length];
      for (int i = 0; i < classLabels.length; i++) {
        for (int j = 0; j < clusterLabels.length; j++) {
          weights[j][i] = counts[i][j];
        }
      }
      bestClassForCluster = Hungarian.maximize(weights);
    }
    return bestClassForCluster;
  }

  /** Shared argument check of every metric: same length, not empty, not null. */
  static void checkLabels(int[] truth, int[] pred) {
    Objects.requireNonNull(truth, "truth");
    Objects.requireNonNull(pred, "pred");
    if (truth.length != pred.length) {
      throw new IllegalArgumentException(
          "truth and pred must have the same length, but truth.length = "
              + truth.length
              + " and pred.length = "
              + pred.length);
    }
    if (truth.length == 0) {
      throw new IllegalArgumentException(
          "truth and pred must not be empty, but truth.length = "
              + truth.length
              + " and pred.length = "
              + pred.length);
    }
  }

  private static int[] distinctSorted(int[] labels) {
    int[] sorted = labels.clone();
    Arrays.sort(sorted);
    int distinct = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] != sorted[i - 1]) {
        sorted[distinct++] = sorted[i];
      }
    }
    return Arrays.copyOf(sorted, distinct);
  }
}
