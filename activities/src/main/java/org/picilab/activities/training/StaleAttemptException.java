package org.picilab.activities.training;

import java.io.IOException;

/**
 * An attempt found that a newer attempt has claimed its run: it was cut off (its heartbeats timed
 * out and the run went on elsewhere) and must neither upload nor prune checkpoints, nor log
 * metrics, any more. Retrying it would fence the newer attempt in turn, so it just stops.
 */
public final class StaleAttemptException extends IOException {

  private static final long serialVersionUID = 1L;

  private final long generation;
  private final long newer;

  /**
   * Creates the exception.
   *
   * @param runId the run
   * @param generation the stale attempt's generation
   * @param newer the newest generation claimed
   */
  public StaleAttemptException(String runId, long generation, long newer) {
    super(
        "this attempt of run "
            + runId
            + " (generation "
            + generation
            + ") is stale: generation "
            + newer
            + " has claimed the run since, so this attempt stops without uploading or pruning"
            + " checkpoints");
    this.generation = generation;
    this.newer = newer;
  }

  /**
   * The stale attempt's generation.
   *
   * @return the generation
   */
  public long generation() {
    return generation;
  }

  /**
   * The newest generation claimed.
   *
   * @return the generation
   */
  public long newer() {
    return newer;
  }
}
