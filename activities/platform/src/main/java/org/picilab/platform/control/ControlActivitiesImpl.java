package org.picilab.platform.control;

import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.SweepRecord;
import org.picilab.platform.service.Executions;
import org.picilab.platform.tracking.Tracker;
import org.picilab.workflows.ControlActivities;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.Ids;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's activities: the only writer of the database of record. Database, storage and
 * tracking errors are thrown as they are, so that Temporal retries them with backoff (an outage
 * must never fail a run); a tracking parameter conflict is final. A run or sweep id that is not of
 * the form {@link Ids} checks fails at once, as a non-retryable {@link
 * FailureTypes#BAD_CONFIGURATION}: no retry could make it valid, and it must never become a key.
 */
public final class ControlActivitiesImpl implements ControlActivities {

  /** Tag that marks a sweep's parent run. */
  public static final String SWEEP_TAG = "pici.sweepId";

  private static final Logger LOG = LoggerFactory.getLogger(ControlActivitiesImpl.class);

  private final RecordStore records;
  private final Tracker tracker;
  private final WorkflowClient client;
  private final String gitCommit;
  private final LongSupplier clock;

  /**
   * Creates the activities.
   *
   * @param records the database of record
   * @param tracker the tracking backend
   * @param client Temporal, to check runs a sweep waits for
   * @param gitCommit the controller's commit, recorded with sweeps and runs, or null
   */
  public ControlActivitiesImpl(
      RecordStore records, Tracker tracker, WorkflowClient client, String gitCommit) {
    this(records, tracker, client, gitCommit, System::currentTimeMillis);
  }

  ControlActivitiesImpl(
      RecordStore records,
      Tracker tracker,
      WorkflowClient client,
      String gitCommit,
      LongSupplier clock) {
    this.records = records;
    this.tracker = tracker;
    this.client = client;
    this.gitCommit = gitCommit;
    this.clock = clock;
  }

  @Override
  public void saveRun(RunRequest request, RunProgress progress) {
    checkRunId(request.runId());
    checkRunId(progress.runId());
    records.saveRun(request, progress, null, gitCommit, clock.getAsLong());
  }

  @Override
  public void saveSweep(SweepStatus status) {
    checkSweepId(status.sweepId());
    records.saveSweepStatus(status, gitCommit, clock.getAsLong());
  }

  @Override
  public int openSweep(String sweepId, SweepSpec spec, String trackingRunId) {
    checkSweepId(sweepId);
    long now = clock.getAsLong();
    Optional<SweepRecord> existing = records.sweep(sweepId);
    if (existing.isPresent()) {
      return existing.get().totalTrials();
    }
    int total = Math.toIntExact(SearchSpace.count(spec));
    records.createSweep(
        new SweepRecord(
            sweepId,
            spec.name(),
            spec,
            SweepPhase.RUNNING,
            total,
            spec.maxConcurrent(),
            trackingRunId,
            gitCommit,
            null,
            now,
            now,
            null),
        SearchSpace.trials(spec),
        now);
    return total;
  }

  @Override
  public List<RunRequest> pendingTrials(String sweepId, int afterIndex, int limit) {
    return records.pendingTrials(sweepId, afterIndex, limit);
  }

  @Override
  public void saveSweepPhase(String sweepId, SweepPhase phase, String trackingRunId) {
    records.saveSweepPhase(sweepId, phase, trackingRunId, null, clock.getAsLong());
  }

  @Override
  public int cancelPendingTrials(String sweepId) {
    return records.cancelPending(sweepId, "skipped: the sweep was cancelled", clock.getAsLong());
  }

  @Override
  public List<RunOutcome> reconcileRuns(List<String> runIds) {
    List<RunOutcome> out = new ArrayList<>();
    for (String runId : runIds) {
      WorkflowExecutionStatus status;
      try {
        status = Executions.status(client, runId).orElse(null);
      } catch (StatusRuntimeException e) {
        // Any failure but NOT_FOUND says nothing about the run: ask again next time.
        LOG.warn("could not check {}: {}", runId, e.getStatus());
        continue;
      }
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        continue;
      }
      Optional<RunRecord> rec = records.run(runId);
      if (rec.isEmpty()) {
        LOG.warn("{} has no record; leaving it to its own report", runId);
        continue;
      }
      RunRecord r = rec.get();
      if (!r.status().ended()) {
        long now = clock.getAsLong();
        if (status == null) {
          records.endRun(
              runId,
              RunStatus.LOST,
              "its workflow is gone from Temporal; continue it with pici run resume " + runId,
              now);
        } else {
          records.endRun(
              runId,
              RunStatus.FAILED,
              "its workflow ended ("
                  + status
                      .name()
                      .replace("WORKFLOW_EXECUTION_STATUS_", "")
                      .toLowerCase(java.util.Locale.ROOT)
                  + ") without recording an end",
              now);
        }
        r = records.run(runId).orElseThrow();
      }
      out.add(
          new RunOutcome(
              r.id(),
              r.trialIndex() == null ? -1 : r.trialIndex(),
              r.configKey(),
              r.seed(),
              r.status(),
              r.scores(),
              r.resultKey(),
              r.error(),
              r.progress()));
    }
    return out;
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
