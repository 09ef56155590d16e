package org.picilab.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One run: prepare, then pretrain, train and boost, each as a training activity on the workers'
 * task queue, then evaluate. Its workflow id is the run id. A run whose workflow ended (failed,
 * cancelled, or lost with an embedded server) is resumed by starting this workflow again with the
 * same id: the activities continue from the newest checkpoint, in the same tracked run.
 */
@WorkflowInterface
public interface ExperimentWorkflow {

  /**
   * Trains and evaluates the run.
   *
   * @param request the run
   * @return how it ended; failures and cancellations are outcomes, not exceptions
   */
  @WorkflowMethod
  RunOutcome run(RunRequest request);

  /**
   * Where the run stands as of the last stage boundary: stage, epoch, attempts, retries, last
   * checkpoint. Losses, throughput and the ETA within a stage live in the training activity's
   * heartbeat; {@code LiveProgress} in the platform layer overlays them.
   *
   * @return the progress
   */
  @QueryMethod
  RunProgress progress();

  /**
   * Progress from the training activity. No longer sent: a signal per epoch made the history of a
   * weeks-long run grow without bound, so live progress is read from the activity's heartbeat
   * ({@link StageHeartbeat}, see {@code LiveProgress} in the platform layer) instead. Kept because
   * histories recorded before contain it and must still replay.
   *
   * @param progress the activity's report
   */
  @SignalMethod
  void reportProgress(EpochProgress progress);

  /**
   * Stops the run between two batches; the training activity writes a checkpoint first, so the run
   * can be resumed. The run ends CANCELLED.
   *
   * @param reason why, for the record
   */
  @SignalMethod
  void stop(String reason);
}
