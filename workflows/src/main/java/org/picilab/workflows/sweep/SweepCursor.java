package org.picilab.workflows.sweep;

import java.util.List;

/**
 * Where a sweep whose trials live in the database of record stands: a few counters and the trials
 * in flight, never the list of all trials, so that no payload grows with the sweep. Carried from
 * one workflow run to the next when the sweep continues as new, and built from the database when
 * the controller revives a sweep.
 *
 * @param total how many trials the sweep has
 * @param afterIndex the highest trial index fetched from the database so far (-1 before any);
 *     pending trials above it are fetched next
 * @param inFlight indices of trials whose runs were started and have not reported their end
 * @param ended trials ended so far, as counted by the workflow
 */
public record SweepCursor(int total, int afterIndex, List<Integer> inFlight, int ended) {

  /**
   * A sweep that starts from the database's pending trials, with some runs still going.
   *
   * @param total how many trials the sweep has
   * @param inFlight runs that are alive and will report to the sweep
   * @return the cursor
   */
  public static SweepCursor fromDatabase(int total, List<Integer> inFlight) {
    return new SweepCursor(total, -1, List.copyOf(inFlight), 0);
  }
}
