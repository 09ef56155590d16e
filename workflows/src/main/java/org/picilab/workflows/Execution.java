package org.picilab.workflows;

/**
 * How a run's activities are executed.
 *
 * @param heartbeatTimeoutSeconds a training activity that has not heartbeaten for this long is
 *     considered lost (worker killed) and retried elsewhere; keep it short
 * @param maxAttempts attempts per activity, including the first (worker losses count)
 * @param keepCheckpoints newest checkpoints kept per run
 */
public record Execution(int heartbeatTimeoutSeconds, int maxAttempts, int keepCheckpoints) {

  /**
   * The defaults: 30 s heartbeat timeout, 66 attempts, 3 checkpoints. 66 attempts with the
   * platform's backoff (1 s doubling to at most 60 s) keep retrying transient trouble for more than
   * an hour; errors that retrying cannot fix fail at once ({@link FailureTypes}).
   */
  public static final Execution DEFAULT = new Execution(30, 66, 3);

  /**
   * Checks the values.
   *
   * @return this
   * @throws IllegalArgumentException naming the field at fault
   */
  public Execution validate() {
    if (heartbeatTimeoutSeconds < 2) {
      throw new IllegalArgumentException(
          "execution.heartbeatTimeoutSeconds must be at least 2, got " + heartbeatTimeoutSeconds);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException(
          "execution.maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (keepCheckpoints < 1) {
      throw new IllegalArgumentException(
          "execution.keepCheckpoints must be at least 1, got " + keepCheckpoints);
    }
    return this;
  }
}
