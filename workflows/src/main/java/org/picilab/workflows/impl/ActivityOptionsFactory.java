package org.picilab.workflows.impl;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import org.picilab.workflows.Execution;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.TaskQueues;

/** The timeouts and retry policies of the platform's activities, each explained once. */
final class ActivityOptionsFactory {

  private ActivityOptionsFactory() {}

  /** Retries for transient trouble; configuration, data and divergence errors are final. */
  static RetryOptions retries(int maxAttempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2)
        .setMaximumInterval(Duration.ofSeconds(30))
        .setMaximumAttempts(maxAttempts)
        .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(new String[0]))
        .build();
  }

  /**
   * A training stage: hours or days of work, so no start-to-close limit that matters; a worker that
   * dies is noticed by the short heartbeat timeout and the stage is retried on another worker,
   * resuming from its newest checkpoint. Cancellation waits for the activity to write a checkpoint
   * before the workflow moves on.
   */
  static ActivityOptions stage(Execution e) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.TRAINING)
        .setStartToCloseTimeout(Duration.ofDays(30))
        .setHeartbeatTimeout(Duration.ofSeconds(e.heartbeatTimeoutSeconds()))
        .setRetryOptions(retries(e.maxAttempts()))
        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
        .build();
  }

  /**
   * Preparing and evaluating: load the data and a checkpoint, minutes at most for large folders.
   * They heartbeat too, so a lost worker is noticed as quickly as during training.
   */
  static ActivityOptions shortTraining(Execution e) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.TRAINING)
        .setStartToCloseTimeout(Duration.ofHours(2))
        .setHeartbeatTimeout(Duration.ofSeconds(e.heartbeatTimeoutSeconds()))
        .setRetryOptions(retries(e.maxAttempts()))
        .build();
  }

  /**
   * Bookkeeping on the controller: a few storage or tracking calls, retried for a long while so
   * that a storage hiccup never fails a run.
   */
  static ActivityOptions control() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CONTROL)
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2)
                .setMaximumInterval(Duration.ofMinutes(1))
                .setMaximumAttempts(30)
                .build())
        .build();
  }
}
