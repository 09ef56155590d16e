package org.picilab.model.eval;

import org.picilab.model.metrics.ConfusionMatrix;
import org.picilab.model.metrics.Scores;

/**
 * The outcome of evaluating a trained model on its data set.
 *
 * @param predictions the cluster of every image, in data set order, in 0..K-1
 * @param clusterSizes images per cluster, length K
 * @param scores NMI, ACC, ARI and FMI against the labels, or null when unlabeled
 * @param confusion classes against clusters, or null when unlabeled
 * @param embedding a 2-D PCA projection of the instance features, one row per image
 * @param explainedVariance the fraction of variance each of the two axes explains
 */
public record Evaluation(
    int[] predictions,
    int[] clusterSizes,
    Scores scores,
    ConfusionMatrix confusion,
    double[][] embedding,
    double[] explainedVariance) {}
