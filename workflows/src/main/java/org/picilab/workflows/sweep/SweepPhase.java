package org.picilab.workflows.sweep;

/** Where a sweep stands. */
public enum SweepPhase {
  /** Starting trials as slots free up. */
  RUNNING,
  /** Starting no new trials; running ones continue. */
  PAUSED,
  /** Stopping its running trials, each leaving a checkpoint. */
  CANCELLING,
  /** Every trial ended. */
  COMPLETED,
  /** Cancelled; trials not started were skipped. */
  CANCELLED,
  /**
   * Its workflow is gone before it ended (the embedded server restarted, or it was terminated);
   * {@code pici sweep resume} carries on from the registry. Never the phase of a live workflow.
   */
  LOST
}
