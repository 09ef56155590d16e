package org.picilab.platform.db;

import java.util.Map;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;

/**
 * A run (a sweep's trial or a single run) as the database of record holds it.
 *
 * @param id the run id
 * @param sweepId its sweep, or null
 * @param trialIndex its 0-based index in the sweep, or null
 * @param configKey its configuration's label, or null
 * @param parameters its settings
 * @param seed its seed
 * @param request what to start to (re)run it
 * @param status where it stands
 * @param stage the stage it is in or ended in, or null
 * @param epoch epochs done, over all stages
 * @param totalEpochs epochs in all
 * @param attempts attempts of the current stage
 * @param retries retries so far
 * @param resumedFromEpoch the epoch a retry or resume started from, or null
 * @param scores the final scores, or null
 * @param error why it failed, or null
 * @param checkpointKey the newest checkpoint, or null
 * @param resultKey where its result is, or null
 * @param trackingRunId its tracked run, or null
 * @param worker the worker of its last stage, or null
 * @param gitCommit the commit of the controller that recorded it, or null
 * @param createdAt when it was recorded first (epoch ms)
 * @param startedAt when it first ran (epoch ms), or null
 * @param updatedAt when it last changed (epoch ms)
 * @param endedAt when it ended (epoch ms), or null while it has not
 */
public record RunRecord(
    String id,
    String sweepId,
    Integer trialIndex,
    String configKey,
    Map<String, String> parameters,
    long seed,
    RunRequest request,
    RunStatus status,
    String stage,
    int epoch,
    int totalEpochs,
    int attempts,
    int retries,
    Integer resumedFromEpoch,
    Scores scores,
    String error,
    String checkpointKey,
    String resultKey,
    String trackingRunId,
    String worker,
    String gitCommit,
    long createdAt,
    Long startedAt,
    long updatedAt,
    Long endedAt) {

  /**
   * The record as the progress the workflows report.
   *
   * @return the progress
   */
  public RunProgress progress() {
    return new RunProgress(
        id,
        status,
        stage,
        epoch,
        totalEpochs,
        Map.of(),
        0,
        0,
        attempts,
        retries,
        checkpointKey,
        resumedFromEpoch,
        worker,
        scores,
        error,
        trackingRunId);
  }
}
