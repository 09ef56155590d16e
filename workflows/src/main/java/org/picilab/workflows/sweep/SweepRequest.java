package org.picilab.workflows.sweep;

import java.util.List;

/**
 * The input of a sweep workflow run: the specification, and when it continues as new, the state
 * carried over.
 *
 * @param sweepId the sweep id (its workflow id), starting with {@code sweep-}
 * @param spec the validated specification
 * @param trials the trials' states carried over, or null for a new sweep
 * @param phase the phase carried over, or null
 * @param trackingRunId the tracked parent run, or null before it is opened
 * @param continuedAsNew how many times the sweep has continued as new
 * @param cursor where a sweep whose trials live in the database stands, or null (a new sweep, or
 *     one started by an earlier version that carries {@code trials})
 */
public record SweepRequest(
    String sweepId,
    SweepSpec spec,
    List<TrialState> trials,
    SweepPhase phase,
    String trackingRunId,
    int continuedAsNew,
    SweepCursor cursor) {

  /**
   * A new sweep.
   *
   * @param sweepId its id
   * @param spec its validated specification
   * @return the request
   */
  public static SweepRequest start(String sweepId, SweepSpec spec) {
    return new SweepRequest(sweepId, spec, null, null, null, 0, null);
  }
}
