package org.picilab.platform.store;

import java.time.Duration;

/**
 * How often {@link S3ObjectStore} tries an operation that failed for a transient reason, and how
 * long it waits in between: the first delay, doubled after each further failure.
 *
 * @param attempts tries in all, at least 1
 * @param firstDelay the wait after the first failure
 */
public record RetryPolicy(int attempts, Duration firstDelay) {

  /**
   * Four attempts, waiting 0.2, 0.4 and 0.8 s: long enough to ride out a restarting endpoint or a
   * dropped connection, short enough that a real outage reaches Temporal's own retries (which back
   * off for minutes) within about a second and a half.
   */
  public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(200));

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, was " + attempts);
    }
    if (firstDelay == null || firstDelay.isNegative()) {
      throw new IllegalArgumentException("firstDelay must be zero or positive, was " + firstDelay);
    }
  }

  /**
   * The wait after a failed attempt.
   *
   * @param attempt the attempt that failed, counting from 1
   * @return the delay before the next one
   */
  public Duration delayAfter(int attempt) {
    return firstDelay.multipliedBy(1L << Math.min(attempt - 1, 20));
  }
}
