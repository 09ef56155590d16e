package org.picilab.model.local;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import org.picilab.model.config.Epochs;
import org.picilab.model.metrics.Scores;

/**
 * The summary a run leaves in {@code result.json}.
 *
 * @param method "pici" or "kmeans"
 * @param dataset the data argument
 * @param numImages images in the data set
 * @param numClusters K
 * @param epochs epochs per stage (zeros for baselines without training)
 * @param seed the run seed
 * @param scores final NMI, ACC, ARI, FMI, or null for unlabeled data
 * @param wallSeconds elapsed time of this process plus training time before a resume
 * @param imagesPerSecond training samples (two views each) per second of training; for baselines,
 *     images clustered per second
 * @param preset the preset the configuration started from
 * @param configHash fingerprint of the configuration
 * @param stageScores scores at the end of each stage, with how clusters were read
 * @param clusterSizes images per cluster
 * @param trainingSeconds time spent in training steps
 * @param resumedFromEpoch the global epoch this process resumed at, or null
 * @param device where the model ran
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record RunResult(
    String method,
    String dataset,
    int numImages,
    int numClusters,
    Epochs epochs,
    long seed,
    Scores scores,
    double wallSeconds,
    double imagesPerSecond,
    String preset,
    String configHash,
    Map<String, StageScore> stageScores,
    int[] clusterSizes,
    double trainingSeconds,
    Integer resumedFromEpoch,
    String device) {

  /**
   * The summary of a trained run.
   *
   * @param run the trained run
   * @param eval its evaluation
   * @param dataset the data argument
   * @param preset the preset its configuration started from
   * @param stageScores scores at the end of each stage (may be empty)
   * @param wallSeconds elapsed time to report
   * @param resumedFromEpoch the epoch a resume continued from, or null
   * @return the summary
   */
  public static RunResult of(
      org.picilab.model.train.TrainingRun run,
      org.picilab.model.eval.Evaluation eval,
      String dataset,
      String preset,
      Map<String, StageScore> stageScores,
      double wallSeconds,
      Integer resumedFromEpoch) {
    double samples = 0;
    for (org.picilab.model.train.EpochRecord r : run.history()) {
      samples += (double) r.batches() * run.config().batchSize();
    }
    return new RunResult(
        run.config().method(),
        dataset,
        run.dataset().size(),
        run.clusters(),
        run.config().epochs(),
        run.config().seed(),
        eval.scores(),
        wallSeconds,
        samples / Math.max(run.trainingSeconds(), 1e-9),
        preset,
        org.picilab.model.config.ConfigLoader.fingerprint(run.config()),
        stageScores,
        eval.clusterSizes(),
        run.trainingSeconds(),
        resumedFromEpoch,
        run.manager().getDevice().toString());
  }

  /**
   * Scores taken at the end of a stage.
   *
   * @param readout how clusters were read: "head" (argmax of the cluster head) or "kmeans-h"
   * @param scores the scores
   */
  public record StageScore(String readout, Scores scores) {}
}
