package org.picilab.activities.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.TrialState;

/**
 * Rebuilds the trial list of a sweep whose workflow is gone (the embedded server restarted, or
 * somebody terminated it) from what the registry recorded, so that a new workflow run with the same
 * id can carry on without starting any trial twice or forgetting one.
 *
 * <p>The run records are the truth about outcomes: a run records its end itself, before it tells
 * its sweep, so a trial the sweep last saw running may have ended since, and a failed trial may
 * have been finished by hand with {@code pici run resume}. A trial whose run is neither alive nor
 * ended goes back to pending: starting it again under the same run id continues it from its newest
 * checkpoint in the same tracked run.
 */
final class SweepRevival {

  /** What the revival needs to know about one run. */
  interface Runs {
    /**
     * Whether the run's workflow is running on the server now.
     *
     * @param runId the run id
     * @return true when it is
     * @throws IOException when the server cannot be asked
     */
    boolean alive(String runId) throws IOException;

    /**
     * The run's last record in the registry.
     *
     * @param runId the run id
     * @return the record, or empty when the run never started
     * @throws IOException when the store cannot be read
     */
    Optional<RunProgress> recorded(String runId) throws IOException;
  }

  /**
   * The trials after revival, and how many of each kind there are.
   *
   * @param trials the trial states the new workflow run starts from
   * @param kept trials whose end is known
   * @param adopted trials whose runs are still running and will report to the new run
   * @param restarted trials that will be started again from their checkpoints
   * @param pending trials that had not started
   */
  record Plan(List<TrialState> trials, int kept, int adopted, int restarted, int pending) {}

  private SweepRevival() {}

  /**
   * Reconciles the sweep's saved trials with the runs' own records.
   *
   * @param saved the trials as the sweep last saved them
   * @param runs the live state and records of runs
   * @return the revived trial list
   * @throws IOException when the server or the store cannot be read
   */
  static Plan plan(List<TrialState> saved, Runs runs) throws IOException {
    List<TrialState> out = new ArrayList<>(saved.size());
    int kept = 0;
    int adopted = 0;
    int restarted = 0;
    int pending = 0;
    for (TrialState t : saved) {
      Optional<RunProgress> rec = runs.recorded(t.runId());
      if (t.status() == RunStatus.PENDING && rec.isEmpty()) {
        out.add(t);
        pending++;
        continue;
      }
      // A pending trial with a record was started after the sweep last saved: it counts as
      // running, so it is neither started afresh nor forgotten.
      boolean recordedEnd = rec.isPresent() && rec.get().status().ended();
      if (t.status().ended()) {
        // Ended as far as the sweep knows; a later completion by hand wins.
        if (recordedEnd && rec.get().status() == RunStatus.COMPLETED) {
          out.add(t.with(RunStatus.COMPLETED, rec.get().scores(), null));
        } else {
          out.add(t);
        }
        kept++;
      } else if (runs.alive(t.runId())) {
        out.add(t);
        adopted++;
      } else if (recordedEnd && rec.get().status() != RunStatus.LOST) {
        RunProgress r = rec.get();
        out.add(t.with(r.status(), r.scores(), r.error()));
        kept++;
      } else {
        out.add(t.with(RunStatus.PENDING, null, null));
        restarted++;
      }
    }
    return new Plan(List.copyOf(out), kept, adopted, restarted, pending);
  }
}
