package org.picilab.model.train;

import java.util.List;
import java.util.Map;
import org.picilab.model.config.RunConfig;

/**
 * A training run's whole state in plain Java values: what a checkpoint holds.
 *
 * @param config the configuration
 * @param configHash its fingerprint, checked when resuming
 * @param dataset the data set description
 * @param clusters K
 * @param mean normalisation means
 * @param std normalisation deviations
 * @param epoch global epochs completed
 * @param batch batches completed in the current epoch
 * @param partial sums of the current epoch so far
 * @param pseudoLabels CLI pseudo-labels per view, or null before boosting
 * @param pseudoLabelEpoch the epoch they were computed for, -1 if none
 * @param history finished epochs
 * @param trainingSeconds training time so far
 * @param weights parameter values by stable name
 * @param moments optimizer state by parameter name
 */
public record Snapshot(
    RunConfig config,
    String configHash,
    DatasetInfo dataset,
    int clusters,
    float[] mean,
    float[] std,
    int epoch,
    int batch,
    PartialEpoch partial,
    int[][] pseudoLabels,
    int pseudoLabelEpoch,
    List<EpochRecord> history,
    double trainingSeconds,
    Map<String, float[]> weights,
    Map<String, Moments> moments) {

  /**
   * One parameter's Adam state.
   *
   * @param step updates applied
   * @param mean first moment
   * @param variance second moment
   */
  public record Moments(long step, float[] mean, float[] variance) {}
}
