package org.picilab.workflows;

/** Where a run stands. */
public enum RunStatus {
  /** Waiting to start (a sweep trial not started yet). */
  PENDING,
  /** Preparing, training or evaluating. */
  RUNNING,
  /** Finished with scores. */
  COMPLETED,
  /** Ended with an error. */
  FAILED,
  /** Stopped by a person; its newest checkpoint can be resumed. */
  CANCELLED,
  /** Its workflow is gone (the embedded server restarted) while it was running; resume it. */
  LOST;

  /**
   * Whether the run has ended.
   *
   * @return true for completed, failed, cancelled and lost runs
   */
  public boolean ended() {
    return this != PENDING && this != RUNNING;
  }
}
