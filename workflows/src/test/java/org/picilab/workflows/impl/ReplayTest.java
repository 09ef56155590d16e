package org.picilab.workflows.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.SweepCursor;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepRequest;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;

/**
 * Workflow code must stay deterministic: replaying a recorded history with the current code must
 * reproduce the same commands. Histories recorded from earlier versions live in {@code
 * src/test/resources/histories}; regenerate them deliberately (after a versioned change) with
 * {@code ./mvnw -pl workflows test -Dtest=ReplayTest -Dpici.recordHistories=true}.
 */
class ReplayTest extends WorkflowTestBase {

  private static final List<String> EXPECTED =
      List.of(
          // Runs of a sweep tell it their end before their bookkeeping (SIGNAL_SWEEP_FIRST).
          "experiment-completed.json",
          "experiment-stopped.json",
          "experiment-retried.json",
          // Recorded before: bookkeeping first. The first two also from when the training
          // activity signalled its progress every epoch.
          "experiment-completed-v0.json",
          "experiment-stopped-v0.json",
          "experiment-retried-v1.json",
          // Sweeps with their trials in the database (version marker STATE_IN_DATABASE).
          "sweep-completed.json",
          "sweep-continued-as-new.json",
          "sweep-paused-resumed.json",
          "sweep-cancelled.json",
          "sweep-failed-trial-finished-by-hand.json",
          "sweep-reconciled-trial.json",
          // Recorded before a sweep waited for its children's starts before continuing as new
          // (version marker CHILDREN_STARTED_BEFORE_CONTINUE).
          "sweep-continued-as-new-v2.json",
          // Recorded before the sweep kept its trials in the database: the whole trial list in
          // the workflow's state.
          "sweep-completed-v1.json",
          "sweep-continued-as-new-v1.json",
          // Recorded before the sweep saved its status after starting trials (version marker
          // SweepWorkflowImpl.SAVE_STARTED_TRIALS): they must still replay.
          "sweep-completed-v0.json",
          "sweep-continued-as-new-v0.json");

  @Test
  void recordedHistoriesReplayWithTheCurrentCode() throws Exception {
    for (String name : EXPECTED) {
      try (InputStream in = getClass().getResourceAsStream("/histories/" + name)) {
        assertTrue(in != null, "missing recorded history " + name);
        WorkflowExecutionHistory history =
            WorkflowExecutionHistory.fromJson(
                new String(in.readAllBytes(), StandardCharsets.UTF_8));
        WorkflowReplayer.replayWorkflowExecution(
            history, ExperimentWorkflowImpl.class, SweepWorkflowImpl.class);
      }
    }
  }

  @Test
  void freshHistoriesReplay() throws Exception {
    ExperimentWorkflow done = client.newWorkflowStub(ExperimentWorkflow.class, options("run-r1"));
    assertEquals(
        RunStatus.COMPLETED,
        done.run(ExperimentWorkflowTest.request("run-r1", Map.of("lr", "0.001"))).status());
    record("experiment-completed.json", "run-r1");

    training.stepMillis = 1500;
    ExperimentWorkflow stopped =
        client.newWorkflowStub(ExperimentWorkflow.class, options("run-r2"));
    CompletableFuture<RunOutcome> r2 =
        WorkflowClient.execute(stopped::run, ExperimentWorkflowTest.request("run-r2", Map.of()));
    while (training.running.get() == 0) {
      Thread.sleep(20);
    }
    client.newWorkflowStub(ExperimentWorkflow.class, "run-r2").stop("replay test");
    assertEquals(RunStatus.CANCELLED, r2.get().status());
    record("experiment-stopped.json", "run-r2");

    training.stepMillis = 10;
    training.flakyRun = "run-r5";
    ExperimentWorkflow retried =
        client.newWorkflowStub(ExperimentWorkflow.class, options("run-r5"));
    assertEquals(
        RunStatus.COMPLETED,
        retried.run(ExperimentWorkflowTest.request("run-r5", Map.of())).status());
    record("experiment-retried.json", "run-r5");

    SweepWorkflow sweep = client.newWorkflowStub(SweepWorkflow.class, options("sweep-r3"));
    sweep.run(SweepRequest.start("sweep-r3", SweepWorkflowTest.spec(200)));
    record("sweep-completed.json", "sweep-r3");

    SweepWorkflow continued = client.newWorkflowStub(SweepWorkflow.class, options("sweep-r4"));
    continued.run(SweepRequest.start("sweep-r4", SweepWorkflowTest.spec(2)));
    // The first run of the chain: it continued as new with trials in flight.
    WorkflowExecutionHistory first = firstRun("sweep-r4");
    assertTrue(
        first.getLastEvent().hasWorkflowExecutionContinuedAsNewEventAttributes(),
        "the recorded run continued as new");
    record("sweep-continued-as-new.json", first);
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void freshSweepHistoriesReplay() throws Exception {
    training.stepMillis = 200;
    SweepWorkflow paused = client.newWorkflowStub(SweepWorkflow.class, options("sweep-r5"));
    CompletableFuture<SweepStatus> r5 =
        WorkflowClient.execute(
            paused::run, SweepRequest.start("sweep-r5", SweepWorkflowTest.spec(200)));
    SweepWorkflow live5 = client.newWorkflowStub(SweepWorkflow.class, "sweep-r5");
    while (training.running.get() == 0) {
      Thread.sleep(10);
    }
    live5.pause();
    Thread.sleep(300);
    live5.resume();
    r5.get();
    record("sweep-paused-resumed.json", "sweep-r5");

    training.stepMillis = 1000;
    SweepWorkflow cancelled = client.newWorkflowStub(SweepWorkflow.class, options("sweep-r6"));
    CompletableFuture<SweepStatus> r6 =
        WorkflowClient.execute(
            cancelled::run, SweepRequest.start("sweep-r6", SweepWorkflowTest.spec(200)));
    while (training.running.get() < 2) {
      Thread.sleep(10);
    }
    client.newWorkflowStub(SweepWorkflow.class, "sweep-r6").cancel();
    r6.get();
    record("sweep-cancelled.json", "sweep-r6");

    training.stepMillis = 50;
    training.failRun = "run-r7-001";
    SweepWorkflow failing = client.newWorkflowStub(SweepWorkflow.class, options("sweep-r7"));
    CompletableFuture<SweepStatus> r7 =
        WorkflowClient.execute(
            failing::run, SweepRequest.start("sweep-r7", SweepWorkflowTest.spec(200)));
    while (control.trialStatus.get("run-r7-001") != RunStatus.FAILED) {
      Thread.sleep(10);
    }
    client
        .newWorkflowStub(SweepWorkflow.class, "sweep-r7")
        .trialFinished(
            new RunOutcome(
                "run-r7-001", 0, "lr=0.001", 1, RunStatus.COMPLETED, null, null, null, null));
    r7.get();
    record("sweep-failed-trial-finished-by-hand.json", "sweep-r7");
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void freshReconciledSweepHistoryReplays() throws Exception {
    SweepSpec spec = SweepWorkflowTest.spec(200);
    control.openSweep("sweep-r8", spec, "track-sweep-r8");
    control.trialStatus.put("run-r8-001", RunStatus.RUNNING);
    control.gone.add("run-r8-001");
    client
        .newWorkflowStub(SweepWorkflow.class, options("sweep-r8"))
        .run(
            new SweepRequest(
                "sweep-r8",
                spec,
                null,
                SweepPhase.RUNNING,
                "track-sweep-r8",
                0,
                SweepCursor.fromDatabase(6, List.of(0))));
    record("sweep-reconciled-trial.json", "sweep-r8");
  }

  private void record(String name, String workflowId) throws Exception {
    record(name, client.fetchHistory(workflowId));
  }

  /** The first run of a workflow's continue-as-new chain. */
  private WorkflowExecutionHistory firstRun(String workflowId) {
    WorkflowExecutionHistory history = client.fetchHistory(workflowId);
    while (true) {
      String previous =
          history
              .getEvents()
              .get(0)
              .getWorkflowExecutionStartedEventAttributes()
              .getContinuedExecutionRunId();
      if (previous.isEmpty()) {
        return history;
      }
      history = client.fetchHistory(workflowId, previous);
    }
  }

  private void record(String name, WorkflowExecutionHistory history) throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        history, ExperimentWorkflowImpl.class, SweepWorkflowImpl.class);
    if (Boolean.getBoolean("pici.recordHistories")) {
      Path dir = Path.of("src/test/resources/histories");
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name), history.toJson(true), StandardCharsets.UTF_8);
    }
  }

  @Test
  void onlyTheExpectedHistoriesAreRecorded() throws Exception {
    URL url = getClass().getResource("/histories");
    assertTrue(url != null, "no recorded histories");
    try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
      assertEquals(EXPECTED.size(), files.filter(p -> p.toString().endsWith(".json")).count());
    }
  }
}
