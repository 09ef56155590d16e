package org.picilab.workflows.sweep;

import java.util.Map;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;

/**
 * One trial of a sweep as the sweep sees it.
 *
 * @param index 0-based position
 * @param runId its run (and child workflow) id
 * @param configKey its configuration label
 * @param parameters its settings
 * @param seed its seed
 * @param status PENDING until started, RUNNING, then how it ended
 * @param scores final scores when completed
 * @param error why it failed, if it did
 */
public record TrialState(
    int index,
    String runId,
    String configKey,
    Map<String, String> parameters,
    long seed,
    RunStatus status,
    Scores scores,
    String error) {

  /**
   * A copy with another status, scores and error.
   *
   * @param s the status
   * @param sc the scores
   * @param err the error
   * @return the new state
   */
  public TrialState with(RunStatus s, Scores sc, String err) {
    return new TrialState(index, runId, configKey, parameters, seed, s, sc, err);
  }
}
