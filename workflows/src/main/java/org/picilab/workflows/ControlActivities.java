package org.picilab.workflows;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.Map;
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
