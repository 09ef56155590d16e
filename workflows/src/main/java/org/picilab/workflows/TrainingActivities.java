package org.picilab.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The work of the training workers (task queue {@link TaskQueues#TRAINING}). Bad configuration,
 * unreadable data and a diverged loss fail without retry ({@link FailureTypes}); lost workers and
 * storage errors are retried with backoff, and a retried stage resumes from its newest checkpoint,
 * never from epoch 0.
 */
@ActivityInterface
public interface TrainingActivities {

  /**
   * Checks the configuration and the data, finds or creates the run's tracked run and logs its
   * parameters, and reports its epochs and the newest checkpoint.
   *
   * @param request the run
   * @return the plan
   */
  @ActivityMethod
  RunPlan prepare(RunRequest request);

  /**
   * Trains through the end of a stage from the newest checkpoint (or heartbeat details),
   * checkpointing every {@code checkpointEvery} epochs and at the end, heartbeating {stage, epoch,
   * checkpointKey} on a timer, logging per-epoch metrics with step = global epoch, and reporting
   * progress to the workflow. A cancellation stops it between two batches after a checkpoint.
   *
   * @param request the stage to finish
   * @return what it did
   */
  @ActivityMethod
  StageOutcome trainStage(StageRequest request);

  /**
   * Evaluates the trained run and writes its artifacts (result.json, assignments.csv,
   * embedding.csv, confusion.csv, report.html) to the run's artifact location.
   *
   * @param run the run
   * @param trackingRunId its tracked run
   * @return the scores and where the artifacts are
   */
  @ActivityMethod
  EvaluationResult evaluate(RunRequest run, String trackingRunId);
}
