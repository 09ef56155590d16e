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

  /** First wait before a retry. */
  static final Duration INITIAL_INTERVAL = Duration.ofSeconds(1);

  /** Each wait doubles the one before ... */
  static final double BACKOFF = 2;

  /** ... up to this cap, so that a retry follows soon after an outage ends. */
  static final Duration MAXIMUM_INTERVAL = Duration.ofSeconds(60);

  /**
   * Transient trouble (storage, tracking, Temporal, a lost worker) is retried at least this long.
   */
  static final Duration TRANSIENT_BUDGET = Duration.ofHours(1);

  /**
   * Retries for transient trouble with a capped backoff; configuration, data, tracking-conflict,
   * artifact-root, out-of-memory and divergence errors are final ({@link FailureTypes}).
   */
  static RetryOptions retries(int maxAttempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(INITIAL_INTERVAL)
        .setBackoffCoefficient(BACKOFF)
        .setMaximumInterval(MAXIMUM_INTERVAL)
        .setMaximumAttempts(maxAttempts)
        .setDoNotRetry(FailureTypes.NON_RETRYABLE.toArray(new String[0]))
        .build();
  }

  /**
   * Attempts whose waits in between add up to at least {@code budget} with this backoff: 66 for an
   * hour (1, 2, 4, ... 32 s, then 60 s each). {@link Execution#DEFAULT} has at least that many.
   *
   * @param budget the time transient trouble may last
   * @return the attempts, the first included
   */
  static int attemptsCovering(Duration budget) {
    long waited = 0;
    long next = INITIAL_INTERVAL.toMillis();
    int attempts = 1;
    while (waited < budget.toMillis()) {
      waited += next;
      attempts++;
      next = Math.min(MAXIMUM_INTERVAL.toMillis(), (long) (next * BACKOFF));
    }
    return attempts;
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
   * Bookkeeping on the controller: a few storage or tracking calls, retried for an hour so that a
   * storage outage never fails a run.
   */
  static ActivityOptions control() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CONTROL)
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(INITIAL_INTERVAL)
                .setBackoffCoefficient(BACKOFF)
                .setMaximumInterval(MAXIMUM_INTERVAL)
                .setMaximumAttempts(attemptsCovering(TRANSIENT_BUDGET))
                .build())
        .build();
  }
}
