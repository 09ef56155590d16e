package org.picilab.platform.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.picilab.workflows.ControlActivities;
import org.picilab.workflows.EvaluationResult;
import org.picilab.workflows.Execution;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunPlan;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.StageHeartbeat;
import org.picilab.workflows.StageOutcome;
import org.picilab.workflows.StageRequest;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.TrainingActivities;
import org.picilab.workflows.impl.ExperimentWorkflowImpl;
import org.picilab.workflows.sweep.SweepStatus;

/**
 * Live progress read through DescribeWorkflowExecution from a real ExperimentWorkflow whose
 * training activity heartbeats and never signals.
 */
class LiveProgressTest {

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private final CountDownLatch release = new CountDownLatch(1);

  /** Fails the train stage's first attempt, then heartbeats epoch 7 and waits to be released. */
  final class Training implements TrainingActivities {
    @Override
    public RunPlan prepare(RunRequest request) {
      return new RunPlan("track-1", 5, 10, 5, 100, 10, 0);
    }

    @Override
    public StageOutcome trainStage(StageRequest request) {
      ActivityExecutionContext ctx = Activity.getExecutionContext();
      int attempt = ctx.getInfo().getAttempt();
      if (request.stage().equals("pretrain")) {
        return new StageOutcome("pretrain", 5, 0, "runs/x/e5", attempt, false, 1, "w1");
      }
      if (request.stage().equals("train") && attempt == 1) {
        ctx.heartbeat(
            new StageHeartbeat(
                "train", 6, 3, 40, "runs/x/e6", Map.of("loss", 2.0), 50, 900, 1, 5, "w1", 20));
        throw ApplicationFailure.newFailure("storage hiccup", "Transient");
      }
      if (request.stage().equals("train")) {
        ctx.heartbeat(
            new StageHeartbeat(
                "train", 7, 12, 25, "runs/x/e7", Map.of("loss", 1.5), 321, 654, 2, 6, "w2", 20));
        try {
          release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new StageOutcome("train", 15, 6, "runs/x/e15", attempt, false, 1, "w2");
      }
      return new StageOutcome(request.stage(), 20, 15, "runs/x/e20", attempt, false, 1, "w2");
    }

    @Override
    public EvaluationResult evaluate(RunRequest run, String trackingRunId) {
      return new EvaluationResult(null, "runs/x/result.json", "s3://pici/x");
    }
  }

  static final class Control implements ControlActivities {
    @Override
    public void saveRun(RunRequest request, RunProgress progress) {}

    @Override
    public void saveSweep(SweepStatus status) {}

    @Override
    public String openSweepTracking(String sweepId, Map<String, String> params) {
      return "track-" + sweepId;
    }

    @Override
    public void closeTracking(String trackingRunId, RunStatus status) {}

    // A run alone never asks for the sweep's bookkeeping.
    @Override
    public int openSweep(String sweepId, org.picilab.workflows.sweep.SweepSpec spec, String t) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.List<RunRequest> pendingTrials(String sweepId, int afterIndex, int limit) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void saveSweepPhase(
        String sweepId, org.picilab.workflows.sweep.SweepPhase phase, String trackingRunId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int cancelPendingTrials(String sweepId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.List<org.picilab.workflows.RunOutcome> reconcileRuns(
        java.util.List<String> runIds) {
      throw new UnsupportedOperationException();
    }
  }

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    env.newWorker(TaskQueues.WORKFLOWS)
        .registerWorkflowImplementationTypes(ExperimentWorkflowImpl.class);
    env.newWorker(TaskQueues.TRAINING).registerActivitiesImplementations(new Training());
    env.newWorker(TaskQueues.CONTROL).registerActivitiesImplementations(new Control());
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stop() {
    release.countDown();
    env.close();
  }

  @Test
  @Timeout(60)
  void overlaysTheHeartbeatOfTheRunningAttempt() throws Exception {
    ExperimentWorkflow wf =
        client.newWorkflowStub(
            ExperimentWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("run-live")
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .build());
    WorkflowClient.start(
        wf::run,
        new RunRequest(
            "run-live",
            null,
            0,
            "default",
            "pici",
            "digits",
            "cpu",
            Map.of(),
            1,
            null,
            new Execution(10, 5, 2)));
    ExperimentWorkflow running = client.newWorkflowStub(ExperimentWorkflow.class, "run-live");
    RunProgress live;
    do {
      Thread.sleep(100);
      live = LiveProgress.overlay(client, "run-live", running.progress());
    } while (live.epoch() < 7);
    RunProgress asked = running.progress();
    assertEquals(5, asked.epoch(), "the workflow itself only knows the stage boundary");
    assertEquals("train", live.stage());
    assertEquals(7, live.epoch());
    assertEquals(20, live.totalEpochs());
    assertEquals(Map.of("loss", 1.5), live.losses());
    assertEquals(321, live.imagesPerSecond());
    assertEquals(654, live.etaSeconds());
    assertEquals(2, live.attempts());
    assertEquals(1, live.retries());
    assertEquals(6, live.resumedFromEpoch());
    assertEquals("w2", live.worker());
    assertEquals("runs/x/e7", live.lastCheckpoint());
    assertEquals(RunStatus.RUNNING, live.status());
    release.countDown();
    RunProgress end =
        io.temporal.client.WorkflowStub.fromTyped(running)
            .getResult(
                Duration.ofSeconds(30).toMillis(),
                TimeUnit.MILLISECONDS,
                org.picilab.workflows.RunOutcome.class)
            .progress();
    assertEquals(RunStatus.COMPLETED, end.status());
    assertEquals(end, LiveProgress.overlay(client, "run-live", end), "an ended run is as it was");
    assertNull(end.error());
  }
}
