package org.picilab.platform.tracking;

import java.util.List;
import java.util.Objects;
import org.picilab.platform.tracking.Tracker.RunState;

/** Argument checks and error messages that every tracker shares, so that they fail alike. */
final class TrackerChecks {

  private TrackerChecks() {}

  /**
   * Rejects null or blank text.
   *
   * @param value the text
   * @param what what it is, for the message
   * @throws IllegalArgumentException when it is null or blank
   */
  static void requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("The " + what + " must not be blank, got '" + value + "'");
    }
  }

  /**
   * Rejects states that do not end a run.
   *
   * @param state the state given to {@link Tracker#finish}
   * @throws IllegalArgumentException when it is RUNNING
   */
  static void requireEndState(RunState state) {
    Objects.requireNonNull(state, "state");
    if (state == RunState.RUNNING) {
      throw new IllegalArgumentException(
          "finish needs an end state (FINISHED, FAILED or KILLED), got RUNNING; use reopen to"
              + " resume a run");
    }
  }

  /**
   * The error for parameters logged again with other values.
   *
   * @param runId the run
   * @param conflicts one "'key' is 'old', not 'new'" per parameter
   * @return the exception to throw
   */
  static ParamConflictException paramConflict(String runId, List<String> conflicts) {
    return new ParamConflictException(
        "Run "
            + runId
            + " already has different values for parameters: "
            + String.join("; ", conflicts)
            + ". Parameters are immutable: log the same values again, or start a new run for a"
            + " new configuration");
  }

  /**
   * Describes one parameter conflict.
   *
   * @param key the parameter
   * @param old its recorded value
   * @param value the value logged now
   * @return "'key' is 'old', not 'value'"
   */
  static String conflict(String key, String old, String value) {
    return "'" + key + "' is '" + old + "', not '" + value + "'";
  }
}
