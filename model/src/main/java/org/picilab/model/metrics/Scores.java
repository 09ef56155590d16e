package org.picilab.model.metrics;

/**
 * The four clustering scores of one prediction against the true classes, as reported for every run
 * (method.md, "Metrics").
 *
 * @param nmi normalised mutual information, arithmetic normalisation
 * @param acc accuracy under the best one-to-one cluster-to-class mapping
 * @param ari adjusted Rand index
 * @param fmi Fowlkes-Mallows index
 */
public record Scores(double nmi, double acc, double ari, double fmi) {

  /**
   * Computes all four scores from a single contingency table.
   *
   * @param truth the true class of each sample
   * @param pred the predicted cluster of each sample
   * @return the scores
   * @throws IllegalArgumentException if the arrays differ in length or are empty
   */
  public static Scores of(int[] truth, int[] pred) {
    return of(ConfusionMatrix.of(truth, pred));
  }

  /**
   * Computes all four scores from a prebuilt contingency table.
   *
   * @param table the contingency table
   * @return the scores
   */
  public static Scores of(ConfusionMatrix table) {
    return new Scores(
        ClusteringMetrics.nmi(table),
        ClusteringMetrics.acc(table),
        ClusteringMetrics.ari(table),
        ClusteringMetrics.fmi(table));
  }
}
