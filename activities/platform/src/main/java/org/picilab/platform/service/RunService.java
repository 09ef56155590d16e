package org.picilab.platform.service;

import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.picilab.platform.control.LiveProgress;
import org.picilab.platform.db.Page;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.RunSort;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.Ids;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.TaskQueues;

/** Single runs (a sweep's trials included): where they stand, resuming and cancelling them. */
public final class RunService {

  private final WorkflowClient client;
  private final RecordStore records;

  /**
   * Creates the service.
   *
   * @param client Temporal
   * @param records the database of record
   */
  public RunService(WorkflowClient client, RecordStore records) {
    this.client = client;
    this.records = records;
  }

  /**
   * Where a run stands: its workflow's answer while Temporal knows it, else its record in the
   * database, marked LOST when it was still running as its workflow disappeared.
   *
   * @param runId the run
   * @return its progress
   * @throws NotFoundException when the platform has no such run
   */
  public RunProgress progress(String runId) {
    Ids.requireRunId(runId, "run id");
    Optional<WorkflowExecutionStatus> status;
    try {
      status = Executions.status(client, runId);
    } catch (StatusRuntimeException e) {
      status = Optional.empty();
    }
    if (status.isPresent()) {
      try {
        RunProgress p = client.newWorkflowStub(ExperimentWorkflow.class, runId).progress();
        p = LiveProgress.overlay(client, runId, p);
        WorkflowExecutionStatus s = status.get();
        if (s == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED
            || s == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT) {
          return withStatus(
              p,
              RunStatus.FAILED,
              "the workflow was "
                  + s.name()
                      .substring("WORKFLOW_EXECUTION_STATUS_".length())
                      .toLowerCase(Locale.ROOT));
        }
        return p;
      } catch (WorkflowException | StatusRuntimeException e) {
        // Fall through to the record (a workflow of an old version, say).
      }
    }
    RunRecord r = record(runId);
    RunProgress p = r.progress();
    if (!p.status().ended() && p.status() != RunStatus.PENDING) {
      return withStatus(
          p,
          RunStatus.LOST,
          "its workflow is gone (the server restarted while it ran); continue it with ./pici run"
              + " resume "
              + runId);
    }
    return p;
  }

  /**
   * The run's record.
   *
   * @param runId the run
   * @return the record
   * @throws NotFoundException when there is none
   */
  public RunRecord record(String runId) {
    Ids.requireRunId(runId, "run id");
    return records
        .run(runId)
        .orElseThrow(
            () ->
                new NotFoundException(
                    "no run "
                        + runId
                        + " on this platform (a sweep's runs: ./pici sweep show ID)"));
  }

  /**
   * Runs of every sweep, a page at a time.
   *
   * @param statuses only these statuses, or empty for all
   * @param sort the order
   * @param offset runs to skip
   * @param limit the page size
   * @return the page
   */
  public Page<RunRecord> list(Set<RunStatus> statuses, RunSort sort, int offset, int limit) {
    return records.runs(null, statuses, sort, offset, limit);
  }

  /**
   * Reads a comma-separated list of statuses, in any case ({@code completed,failed}).
   *
   * @param text the list; null or blank for all statuses
   * @return the statuses, empty for all
   * @throws IllegalArgumentException naming the accepted values
   */
  public static Set<RunStatus> statuses(String text) {
    Set<RunStatus> out = EnumSet.noneOf(RunStatus.class);
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String part : text.split(",")) {
      try {
        out.add(RunStatus.valueOf(part.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "status must be a comma-separated list of "
                + Arrays.stream(RunStatus.values())
                    .map(v -> v.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "))
                + "; got '"
                + part.trim()
                + "'");
      }
    }
    return out;
  }

  /**
   * Continues an ended run (failed, cancelled, lost) from its newest checkpoint, in the same
   * tracked run.
   *
   * @param runId the run
   * @param force also train a completed run again (from its newest checkpoint)
   * @throws ConflictException when it is running, or completed and not forced
   */
  public void resume(String runId, boolean force) {
    RunRecord r = record(runId);
    if (Executions.running(client, runId)) {
      throw new ConflictException(runId + " is still running; there is nothing to resume");
    }
    if (r.status() == RunStatus.COMPLETED && !force) {
      throw new ConflictException(
          runId
              + " has completed; to run it again from its newest checkpoint, ask explicitly"
              + " (--force)");
    }
    start(r.request());
  }

  /**
   * Starts a run's workflow with the recorded request (it continues from its newest checkpoint).
   *
   * @param request the run
   */
  void start(RunRequest request) {
    ExperimentWorkflow wf =
        client.newWorkflowStub(
            ExperimentWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(request.runId())
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
    WorkflowClient.start(wf::run, request);
  }

  /**
   * Waits for a run's workflow to end.
   *
   * @param runId the run
   * @return how it ended
   */
  public RunOutcome awaitEnd(String runId) {
    return client.newUntypedWorkflowStub(runId).getResult(RunOutcome.class);
  }

  /**
   * Stops a run after its current batch; it leaves a checkpoint and can be resumed.
   *
   * @param runId the run
   * @throws ConflictException when it is not running
   */
  public void cancel(String runId) {
    record(runId);
    try {
      client.newWorkflowStub(ExperimentWorkflow.class, runId).stop("cancelled by a person");
    } catch (WorkflowException e) {
      throw new ConflictException(runId + " is not running: " + e.getMessage());
    }
  }

  WorkflowClient client() {
    return client;
  }

  static RunProgress withStatus(RunProgress p, RunStatus status, String error) {
    return new RunProgress(
        p.runId(),
        status,
        p.stage(),
        p.epoch(),
        p.totalEpochs(),
        p.losses(),
        p.imagesPerSecond(),
        p.etaSeconds(),
        p.attempts(),
        p.retries(),
        p.lastCheckpoint(),
        p.resumedFromEpoch(),
        p.worker(),
        p.scores(),
        p.error() != null ? p.error() : error,
        p.trackingRunId());
  }

  /**
   * Opens the service over a platform's connections.
   *
   * @param platform the connections
   * @return the service
   * @throws IOException when the database cannot be opened
   */
  public static RunService of(org.picilab.platform.stack.Platform platform) throws IOException {
    return new RunService(platform.client(), platform.records());
  }
}
