package org.picilab.workflows;

import java.util.List;

/**
 * Failure types that retrying cannot fix; activities fail with them as non-retryable, with a
 * message that says what to do. Everything else (storage, tracking or Temporal outages, a lost
 * worker, a hung attempt) is transient and retried with a capped backoff for at least an hour.
 */
public final class FailureTypes {

  /** A setting that cannot be used. */
  public static final String BAD_CONFIGURATION = "BadConfiguration";

  /** A data set that cannot be read. */
  public static final String UNREADABLE_DATA = "UnreadableData";

  /** A loss became NaN or infinite. */
  public static final String DIVERGED = "Diverged";

  /** The tracked run was logged with other parameters than the run has now. */
  public static final String TRACKING_CONFLICT = "TrackingConflict";

  /** The tracking server stores artifacts somewhere that is not S3. */
  public static final String BAD_ARTIFACT_ROOT = "BadArtifactRoot";

  /** The device or the JVM ran out of memory (CUDA out of memory, OutOfMemoryError). */
  public static final String OUT_OF_MEMORY = "OutOfMemory";

  /** All of them. */
  public static final List<String> NON_RETRYABLE =
      List.of(
          BAD_CONFIGURATION,
          UNREADABLE_DATA,
          DIVERGED,
          TRACKING_CONFLICT,
          BAD_ARTIFACT_ROOT,
          OUT_OF_MEMORY);

  private FailureTypes() {}
}
