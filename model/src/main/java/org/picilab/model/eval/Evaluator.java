package org.picilab.model.eval;

import org.picilab.model.cluster.KMeans;
import org.picilab.model.cluster.Pca;
import org.picilab.model.config.Prediction;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.metrics.ConfusionMatrix;
import org.picilab.model.metrics.Scores;
import org.picilab.model.train.Features;
import org.picilab.model.train.TrainingRun;
import org.picilab.model.util.Seeds;

/**
 * Evaluates a trained run (paper 002, Algorithm 1, "Test"): every image passes the evaluation
 * transform and the encoder once; its cluster is the argmax of the cluster head, or k-means on the
 * representations when the configuration asks for that (ablations without a trained head).
 */
public final class Evaluator {

  private static final long KMEANS_PURPOSE = 101;

  private Evaluator() {}

  /**
   * Evaluates a run on its data set.
   *
   * @param run the trained run
   * @param data the images it was trained on
   * @return predictions, scores when labels exist, and the 2-D embedding
   */
  public static Evaluation evaluate(TrainingRun run, ImageDataset data) {
    return evaluate(run, data, run.config().predict());
  }

  /**
   * Evaluates a run on its data set with a given readout.
   *
   * @param run the trained run
   * @param data the images it was trained on
   * @param readout the cluster head, or k-means on the representations
   * @return predictions, scores when labels exist, and the 2-D embedding
   */
  public static Evaluation evaluate(TrainingRun run, ImageDataset data, Prediction readout) {
    Features f = Features.forEvaluation(run, data);
    int k = run.clusters();
    int[] predictions;
    if (readout == Prediction.KMEANS) {
      predictions =
          KMeans.fit(
                  Features.toDouble(f.h()),
                  new KMeans.Options(
                      k,
                      run.config().cliRestarts(),
                      300,
                      1e-4,
                      Seeds.derive(run.config().seed(), KMEANS_PURPOSE)))
              .labels();
    } else {
      predictions = argmax(f.c());
    }
    return assemble(predictions, k, data.hasLabels() ? data.labels() : null, f.z());
  }

  /**
   * Builds an evaluation from predictions and features; shared with baselines that do not train a
   * network.
   *
   * @param predictions cluster of each image, in 0..k-1
   * @param k the number of clusters
   * @param labels true classes, or null
   * @param features rows to project to 2-D for plots
   * @return the evaluation
   */
  public static Evaluation assemble(int[] predictions, int k, int[] labels, float[][] features) {
    int[] sizes = new int[k];
    for (int p : predictions) {
      sizes[p]++;
    }
    Scores scores = null;
    ConfusionMatrix confusion = null;
    if (labels != null) {
      confusion = ConfusionMatrix.of(labels, predictions);
      scores = Scores.of(confusion);
    }
    double[][] rows = Features.toDouble(features);
    Pca pca = Pca.fit(rows, 2);
    return new Evaluation(
        predictions, sizes, scores, confusion, pca.transform(rows), pca.explainedVarianceRatio());
  }

  static int[] argmax(float[][] probabilities) {
    int[] out = new int[probabilities.length];
    for (int i = 0; i < probabilities.length; i++) {
      float[] row = probabilities[i];
      int best = 0;
      for (int j = 1; j < row.length; j++) {
        if (row[j] > row[best]) {
          best = j;
        }
      }
      out[i] = best;
    }
    return out;
  }
}
