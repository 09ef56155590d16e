package org.picilab.activities.training;

import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.util.Locale;
import org.picilab.model.config.ConfigException;
import org.picilab.model.data.DataException;
import org.picilab.platform.tracking.ParamConflictException;
import org.picilab.workflows.FailureTypes;

/**
 * Maps what a training activity threw to what Temporal should do with it: deterministic errors
 * become non-retryable failures of a {@link FailureTypes} type whose message says what to do;
 * everything else is left to the retry policy.
 */
final class FailureMapping {

  private FailureMapping() {}

  /**
   * The exception to throw from the activity for {@code e}.
   *
   * @param runId the run
   * @param device where it trains, for out-of-memory advice
   * @param e what went wrong
   * @return a non-retryable {@link ApplicationFailure} for a deterministic error, else {@code e}
   *     itself (an {@link Error} other than running out of memory is wrapped, to be retried)
   */
  static RuntimeException map(String runId, String device, Throwable e) {
    if (e instanceof ApplicationFailure || e instanceof ActivityCompletionException) {
      return (RuntimeException) e;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ConfigException) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
            c.getMessage(), FailureTypes.BAD_CONFIGURATION, c);
      }
      if (c instanceof DataException) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
            runId + ": the data cannot be read: " + c.getMessage(),
            FailureTypes.UNREADABLE_DATA,
            c);
      }
      if (c instanceof ParamConflictException) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
            runId
                + ": "
                + c.getMessage()
                + " (resume the run with the settings it started with, or start a new run)",
            FailureTypes.TRACKING_CONFLICT,
            c);
      }
      if (outOfMemory(c)) {
        return ApplicationFailure.newNonRetryableFailure(
            runId
                + ": out of memory on "
                + device
                + " ("
                + c.getClass().getSimpleName()
                + ": "
                + firstLine(c.getMessage())
                + "); lower batchSize (or imageSize), or train on a device with more memory;"
                + " retrying the same settings on the same device would fail again",
            FailureTypes.OUT_OF_MEMORY);
      }
    }
    if (e instanceof RuntimeException r) {
      return r;
    }
    return new IllegalStateException(runId + ": " + e, e);
  }

  private static boolean outOfMemory(Throwable t) {
    if (t instanceof OutOfMemoryError) {
      return true;
    }
    String message = t.getMessage();
    // libtorch: "CUDA out of memory. Tried to allocate ..." in an ai.djl.engine.EngineException;
    // the CPU allocator: "DefaultCPUAllocator: not enough memory" / "can't allocate memory".
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("cuda out of memory")
        || m.contains("out of memory")
            && t.getClass().getName().startsWith("ai.djl.engine.EngineException")
        || m.contains("defaultcpuallocator: not enough memory")
        || m.contains("defaultcpuallocator: can't allocate memory");
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
