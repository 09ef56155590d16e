package org.picilab.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import java.util.Map;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepStatus;

/**
 * Light bookkeeping done by the controller (task queue {@link TaskQueues#CONTROL}), so that it
 * never waits behind a long training: the registry of runs and sweeps (which survives a restart of
 * the embedded server) and the sweep's tracked parent run.
 */
@ActivityInterface
public interface ControlActivities {

  /**
   * Records a run's request and progress in the registry.
   *
   * @param request the run
   * @param progress where it stands
   */
  @ActivityMethod
  void saveRun(RunRequest request, RunProgress progress);

  /**
   * Records a sweep's status in the registry.
   *
   * @param status the status
   */
  @ActivityMethod
  void saveSweep(SweepStatus status);

  /**
   * Records a new sweep and all its trials, as pending, in the database of record. Idempotent.
   *
   * @param sweepId the sweep
   * @param spec its validated specification
   * @param trackingRunId its tracked parent run
   * @return how many trials it has
   */
  @ActivityMethod
  int openSweep(String sweepId, SweepSpec spec, String trackingRunId);

  /**
   * The next pending trials of a sweep, in index order.
   *
   * @param sweepId the sweep
   * @param afterIndex only trials with a higher index
   * @param limit at most this many
   * @return what to start for each
   */
  @ActivityMethod
  List<RunRequest> pendingTrials(String sweepId, int afterIndex, int limit);

  /**
   * Records where a sweep stands.
   *
   * @param sweepId the sweep
   * @param phase its phase
   * @param trackingRunId its tracked parent run, or null
   */
  @ActivityMethod
  void saveSweepPhase(String sweepId, SweepPhase phase, String trackingRunId);

  /**
   * Skips the trials of a sweep that never started.
   *
   * @param sweepId the sweep
   * @return how many were skipped
   */
  @ActivityMethod
  int cancelPendingTrials(String sweepId);

  /**
   * Checks runs that a sweep is waiting for against Temporal: a run whose workflow has closed, or
   * that Temporal does not know (NOT_FOUND), has ended, and its record in the database says how (a
   * run Temporal does not know that never recorded an end is LOST). Runs still running, and runs
   * that could not be checked, are left out: only NOT_FOUND ever makes a run LOST.
   *
   * @param runIds the runs
   * @return the outcomes of the runs that have ended
   */
  @ActivityMethod
  List<RunOutcome> reconcileRuns(List<String> runIds);

  /**
   * Finds or creates the sweep's experiment and parent tracked run.
   *
   * @param sweepId the sweep
   * @param params the sweep's settings to log on the parent run
   * @return the parent tracked run
   */
  @ActivityMethod
  String openSweepTracking(String sweepId, Map<String, String> params);

  /**
   * Ends a tracked run.
   *
   * @param trackingRunId the tracked run
   * @param status the run's final status
   */
  @ActivityMethod
  void closeTracking(String trackingRunId, RunStatus status);
}
