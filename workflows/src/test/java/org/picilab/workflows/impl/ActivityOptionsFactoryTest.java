package org.picilab.workflows.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.picilab.workflows.Execution;
import org.picilab.workflows.FailureTypes;

/** Retry budgets: transient trouble is retried for an hour or more, deterministic errors never. */
class ActivityOptionsFactoryTest {

  /** The waits between the attempts the options allow, as the server computes them. */
  private static double retrySeconds(RetryOptions r) {
    double total = 0;
    double next = r.getInitialInterval().toMillis() / 1000.0;
    for (int attempt = 1; attempt < r.getMaximumAttempts(); attempt++) {
      total += next;
      next = Math.min(r.getMaximumInterval().toMillis() / 1000.0, next * r.getBackoffCoefficient());
    }
    return total;
  }

  @Test
  void transientTroubleIsRetriedForAtLeastAnHourWithACappedBackoff() {
    for (ActivityOptions o :
        List.of(
            ActivityOptionsFactory.stage(Execution.DEFAULT),
            ActivityOptionsFactory.shortTraining(Execution.DEFAULT),
            ActivityOptionsFactory.control())) {
      RetryOptions r = o.getRetryOptions();
      double seconds = retrySeconds(r);
      System.out.printf(
          "%s: %d attempts, %.0f s of waits between them%n",
          o.getTaskQueue(), r.getMaximumAttempts(), seconds);
      assertTrue(seconds >= 3600, o.getTaskQueue() + " retries for " + seconds + " s only");
      assertTrue(r.getMaximumInterval().compareTo(Duration.ofSeconds(60)) <= 0);
    }
    assertEquals(66, ActivityOptionsFactory.attemptsCovering(Duration.ofHours(1)));
  }

  @Test
  void deterministicErrorsAreNotRetried() {
    RetryOptions r = ActivityOptionsFactory.stage(Execution.DEFAULT).getRetryOptions();
    List<String> final_ = List.of(r.getDoNotRetry());
    for (String type :
        List.of(
            FailureTypes.BAD_CONFIGURATION,
            FailureTypes.UNREADABLE_DATA,
            FailureTypes.DIVERGED,
            FailureTypes.TRACKING_CONFLICT,
            FailureTypes.BAD_ARTIFACT_ROOT,
            FailureTypes.OUT_OF_MEMORY)) {
      assertTrue(final_.contains(type), type);
    }
    assertTrue(!final_.contains("Hung") && !final_.contains("CutOff"), "liveness failures retry");
  }
}
