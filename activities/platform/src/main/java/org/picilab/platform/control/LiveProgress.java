package org.picilab.platform.control;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import java.util.List;
import java.util.Optional;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.StageHeartbeat;

/**
 * Live progress of a run: the workflow knows where the run stood at its last stage boundary (its
 * {@code progress()} query); the training activity's heartbeat knows the epoch, losses, throughput
 * and ETA of right now. The activity does not signal its workflow (a signal per epoch would grow
 * the history of a weeks-long run without bound), so this reads the pending training activity from
 * DescribeWorkflowExecution and overlays its heartbeat on the query's answer.
 */
public final class LiveProgress {

  /** The activity type of {@code TrainingActivities.trainStage}, as Temporal names it. */
  static final String TRAIN_STAGE = "TrainStage";

  private LiveProgress() {}

  /**
   * The run's progress with the pending training activity's heartbeat laid over it: stage, epoch,
   * losses, throughput, ETA, attempt, retries, worker and checkpoint. A run that has ended, or has
   * no training activity pending, is returned as the workflow answered.
   *
   * @param client the Temporal client
   * @param runId the run id (its workflow id)
   * @param progress what the workflow's {@code progress()} query answered
   * @return the live progress
   * @throws io.grpc.StatusRuntimeException when the server cannot describe the workflow (NOT_FOUND
   *     when it does not know it)
   */
  public static RunProgress overlay(WorkflowClient client, String runId, RunProgress progress) {
    if (progress.status() != null && progress.status().ended()) {
      return progress;
    }
    DescribeWorkflowExecutionResponse described =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(runId))
                    .build());
    return overlay(
        progress, described.getPendingActivitiesList(), client.getOptions().getDataConverter());
  }

  /**
   * Lays the pending training activity's state over the workflow's answer.
   *
   * @param progress the workflow's answer
   * @param pending the workflow's pending activities
   * @param converter decodes heartbeat details
   * @return the live progress
   */
  static RunProgress overlay(
      RunProgress progress, List<PendingActivityInfo> pending, DataConverter converter) {
    Optional<PendingActivityInfo> stage =
        pending.stream()
            .filter(a -> TRAIN_STAGE.equalsIgnoreCase(a.getActivityType().getName()))
            .findFirst();
    if (stage.isEmpty()) {
      return progress;
    }
    PendingActivityInfo info = stage.get();
    int attempt = Math.max(1, info.getAttempt());
    // The workflow counts a stage's retries when the stage ends; these are the current stage's.
    int retries = progress.retries() + attempt - 1;
    String worker = info.getLastWorkerIdentity().isEmpty() ? null : info.getLastWorkerIdentity();
    Optional<StageHeartbeat> beat = heartbeat(info, converter);
    if (beat.isEmpty()) {
      return new RunProgress(
          progress.runId(),
          progress.status(),
          progress.stage(),
          progress.epoch(),
          progress.totalEpochs(),
          progress.losses(),
          progress.imagesPerSecond(),
          progress.etaSeconds(),
          Math.max(progress.attempts(), attempt),
          retries,
          progress.lastCheckpoint(),
          progress.resumedFromEpoch(),
          worker != null ? worker : progress.worker(),
          progress.scores(),
          progress.error(),
          progress.trackingRunId());
    }
    StageHeartbeat b = beat.get();
    // Heartbeat details outlive their attempt: until the new attempt heartbeats, they are the
    // previous one's, whose position still holds but whose throughput and worker do not.
    boolean current = b.attempt() == attempt;
    return new RunProgress(
        progress.runId(),
        progress.status(),
        b.stage(),
        Math.max(progress.epoch(), b.epoch()),
        b.totalEpochs() > 0 ? b.totalEpochs() : progress.totalEpochs(),
        b.losses() != null && !b.losses().isEmpty() ? b.losses() : progress.losses(),
        current ? b.imagesPerSecond() : 0,
        current ? b.etaSeconds() : 0,
        Math.max(progress.attempts(), attempt),
        retries,
        b.checkpointKey() != null ? b.checkpointKey() : progress.lastCheckpoint(),
        current && attempt > 1 ? Integer.valueOf(b.startedAtEpoch()) : progress.resumedFromEpoch(),
        current && b.worker() != null ? b.worker() : worker != null ? worker : progress.worker(),
        progress.scores(),
        progress.error(),
        progress.trackingRunId());
  }

  private static Optional<StageHeartbeat> heartbeat(
      PendingActivityInfo info, DataConverter converter) {
    if (!info.hasHeartbeatDetails() || info.getHeartbeatDetails().getPayloadsCount() == 0) {
      return Optional.empty();
    }
    try {
      StageHeartbeat b =
          converter.fromPayloads(
              0,
              Optional.of(info.getHeartbeatDetails()),
              StageHeartbeat.class,
              StageHeartbeat.class);
      return b == null || b.stage() == null ? Optional.empty() : Optional.of(b);
    } catch (DataConverterException e) {
      // Details of another shape (a foreign or much older activity): show what the workflow knows.
      return Optional.empty();
    }
  }
}
