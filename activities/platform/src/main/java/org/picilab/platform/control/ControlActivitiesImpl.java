package org.picilab.platform.control;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.picilab.platform.registry.Registry;
import org.picilab.platform.tracking.Tracker;
import org.picilab.workflows.ControlActivities;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.Ids;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.SweepStatus;

/**
 * The controller's activities. Storage and tracking errors are thrown as they are, so that Temporal
 * retries them with backoff (a storage hiccup must never fail a run). A run or sweep id that is not
 * of the form {@link Ids} checks fails at once, as a non-retryable {@link
 * FailureTypes#BAD_CONFIGURATION}: no retry could make it valid, and it must never become a key.
 */
public final class ControlActivitiesImpl implements ControlActivities {

  /** Tag that marks a sweep's parent run. */
  public static final String SWEEP_TAG = "pici.sweepId";

  private final Registry registry;
  private final Tracker tracker;

  /**
   * Creates the activities.
   *
   * @param registry the run and sweep registry
   * @param tracker the tracking backend
   */
  public ControlActivitiesImpl(Registry registry, Tracker tracker) {
    this.registry = registry;
    this.tracker = tracker;
  }

  @Override
  public void saveRun(RunRequest request, RunProgress progress) {
    checkRunId(request.runId());
    checkRunId(progress.runId());
    try {
      if (registry.request(request.runId()).isEmpty()) {
        registry.saveRequest(request);
      }
      registry.saveStatus(progress);
    } catch (IOException e) {
      throw new UncheckedIOException("could not record run " + request.runId(), e);
    }
  }

  @Override
  public void saveSweep(SweepStatus status) {
    checkSweepId(status.sweepId());
    try {
      registry.saveSweep(status);
    } catch (IOException e) {
      throw new UncheckedIOException("could not record sweep " + status.sweepId(), e);
    }
  }

  @Override
  public String openSweepTracking(String sweepId, Map<String, String> params) {
    checkSweepId(sweepId);
    try {
      String experiment = tracker.experiment(sweepId);
      var existing = tracker.findRun(experiment, SWEEP_TAG, sweepId);
      if (existing.isPresent()) {
        return existing.get();
      }
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put(SWEEP_TAG, sweepId);
      tags.put("pici.kind", "sweep");
      String run = tracker.startRun(experiment, sweepId, null, tags);
      tracker.logParams(run, params);
      return run;
    } catch (IOException e) {
      throw new UncheckedIOException("could not open tracking for sweep " + sweepId, e);
    } catch (IllegalStateException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "TrackingConflict");
    }
  }

  @Override
  public void closeTracking(String trackingRunId, RunStatus status) {
    Tracker.RunState state =
        switch (status) {
          case COMPLETED -> Tracker.RunState.FINISHED;
          case FAILED -> Tracker.RunState.FAILED;
          default -> Tracker.RunState.KILLED;
        };
    try {
      tracker.finish(trackingRunId, state);
    } catch (IOException e) {
      throw new UncheckedIOException("could not end tracked run " + trackingRunId, e);
    }
  }

  private static void checkRunId(String runId) {
    try {
      Ids.requireRunId(runId, "runId");
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), FailureTypes.BAD_CONFIGURATION);
    }
  }

  private static void checkSweepId(String sweepId) {
    try {
      Ids.requireSweepId(sweepId, "sweepId");
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), FailureTypes.BAD_CONFIGURATION);
    }
  }
}
