package org.picilab.workflows.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.picilab.workflows.Execution;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;

/** The experiment workflow against fake activities. */
class ExperimentWorkflowTest extends WorkflowTestBase {

  static RunRequest request(String id, Map<String, String> params) {
    return new RunRequest(
        id, null, 0, "default", "pici", "digits", "cpu", params, 1, null, new Execution(2, 3, 2));
  }

  @Test
  void runsTheStagesInOrderThenEvaluates() {
    ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class, options("run-a"));
    RunOutcome out = wf.run(request("run-a", Map.of("lr", "0.001")));
    assertEquals(RunStatus.COMPLETED, out.status());
    assertNotNull(out.scores());
    assertEquals(1, training.stageCalls.get("run-a/pretrain").get());
    assertEquals(1, training.stageCalls.get("run-a/train").get());
    assertEquals(1, training.stageCalls.get("run-a/boost").get());
    assertEquals(4, out.progress().epoch());
    assertEquals("track-run-a", out.progress().trackingRunId());
    assertEquals(
        RunStatus.COMPLETED, control.runs.get("run-a").status(), "the registry has the end");
    assertEquals(RunStatus.COMPLETED, control.closed.get("track-run-a"));
  }

  @Test
  void badConfigurationFailsWithoutRetryAndSaysWhy() {
    ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class, options("run-b"));
    RunOutcome out = wf.run(request("run-b", Map.of("lr", "bad")));
    assertEquals(RunStatus.FAILED, out.status());
    assertTrue(out.error().contains("lr: 'bad'"), out.error());
    assertTrue(training.stageCalls.isEmpty(), "no stage was attempted");
  }

  @Test
  void divergenceFailsTheRunAtOnce() {
    training.failRun = "run-c";
    ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class, options("run-c"));
    RunOutcome out = wf.run(request("run-c", Map.of()));
    assertEquals(RunStatus.FAILED, out.status());
    assertTrue(out.error().contains("NaN"), out.error());
    assertEquals(1, training.stageCalls.get("run-c/train").get(), "not retried");
    assertEquals(RunStatus.FAILED, control.closed.get("track-run-c"));
  }

  @Test
  void stopCancelsTheStageAndEndsCancelled() throws Exception {
    training.stepMillis = 1500;
    ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class, options("run-d"));
    CompletableFuture<RunOutcome> result =
        WorkflowClient.execute(wf::run, request("run-d", Map.of()));
    while (training.running.get() == 0) {
      Thread.sleep(20);
    }
    client.newWorkflowStub(ExperimentWorkflow.class, "run-d").stop("enough");
    RunOutcome out = result.get();
    assertEquals(RunStatus.CANCELLED, out.status());
    assertTrue(training.evaluated.isEmpty(), "a stopped run is not evaluated");
    assertEquals(RunStatus.CANCELLED, control.runs.get("run-d").status());
  }

  @Test
  void cancellingTheWorkflowAlsoEndsCleanly() throws Exception {
    training.stepMillis = 1500;
    ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class, options("run-e"));
    WorkflowClient.start(wf::run, request("run-e", Map.of()));
    while (training.running.get() == 0) {
      Thread.sleep(20);
    }
    WorkflowStub untyped = client.newUntypedWorkflowStub("run-e");
    untyped.cancel();
    // Temporal records the execution as cancelled; the workflow's own bookkeeping still ran.
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> untyped.getResult(RunOutcome.class));
    assertTrue(e.getCause() instanceof CanceledFailure, String.valueOf(e.getCause()));
    assertEquals(RunStatus.CANCELLED, control.runs.get("run-e").status());
    assertTrue(training.evaluated.isEmpty());
  }

  @Test
  void aRetriedStageIsCountedFromTheAttemptThatFinishedIt() {
    training.flakyRun = "run-f";
    ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class, options("run-f"));
    RunOutcome out = wf.run(request("run-f", Map.of()));
    assertEquals(RunStatus.COMPLETED, out.status());
    assertEquals(2, training.stageCalls.get("run-f/train").get());
    assertEquals(1, out.progress().retries(), "one retry over the run");
    assertEquals(1, out.progress().resumedFromEpoch(), "the retry resumed at the train stage");
    assertEquals("fake", out.progress().worker());
  }

  /**
   * A paper-scale run (200/800/50 epochs, then five times as many) heartbeats once per epoch and
   * never signals its workflow: the history has the same few events however long training lasts,
   * far below the 10 240 events at which Temporal starts warning.
   */
  @Test
  @Timeout(120)
  void historyStaysBoundedHoweverLongTrainingLasts() {
    training.stepMillis = 0;
    int paper = historyEvents("run-paper", new int[] {200, 800, 50});
    int longer = historyEvents("run-longer", new int[] {1000, 4000, 250});
    System.out.printf(
        Locale.ROOT,
        "ExperimentWorkflow history: %d events for the paper preset (1 050 epochs),"
            + " %d events for 5 250 epochs%n",
        paper,
        longer);
    assertTrue(paper < 100, "paper preset history has " + paper + " events");
    assertEquals(paper, longer, "the history does not grow with the number of epochs");
  }

  private int historyEvents(String id, int[] epochs) {
    training.epochs = epochs;
    ExperimentWorkflow wf = client.newWorkflowStub(ExperimentWorkflow.class, options(id));
    RunOutcome out = wf.run(request(id, Map.of()));
    assertEquals(RunStatus.COMPLETED, out.status());
    assertEquals(epochs[0] + epochs[1] + epochs[2], out.progress().epoch());
    return client.fetchHistory(id).getHistory().getEventsCount();
  }
}
