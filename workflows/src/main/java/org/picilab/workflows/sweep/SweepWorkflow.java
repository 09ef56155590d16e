package org.picilab.workflows.sweep;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.picilab.workflows.RunOutcome;

/**
 * A sweep: one child {@code ExperimentWorkflow} per trial, never more than {@code maxConcurrent} at
 * once, each trial started at most once and counted exactly once, across worker losses and
 * continue-as-new. Children report their end with {@link #trialFinished}, which reaches the sweep's
 * current run whichever run started them.
 */
@WorkflowInterface
public interface SweepWorkflow {

  /**
   * Runs the sweep to the end.
   *
   * @param request the specification (and carried-over state)
   * @return the final status with its summary
   */
  @WorkflowMethod
  SweepStatus run(SweepRequest request);

  /**
   * The sweep's status, counts, trials and summary.
   *
   * @return the status
   */
  @QueryMethod
  SweepStatus status();

  /**
   * A trial ended. Duplicates are ignored.
   *
   * @param outcome how it ended
   */
  @SignalMethod
  void trialFinished(RunOutcome outcome);

  /** Starts no new trials until {@link #resume}; running trials continue. */
  @SignalMethod
  void pause();

  /** Starts trials again after {@link #pause}. */
  @SignalMethod
  void resume();

  /** Stops running trials (each leaves a checkpoint) and skips the rest. */
  @SignalMethod
  void cancel();
}
