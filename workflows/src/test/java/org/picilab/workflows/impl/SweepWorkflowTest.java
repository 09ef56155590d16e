package org.picilab.workflows.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SweepCursor;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepRequest;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepSpecParser;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;
import org.picilab.workflows.sweep.TrialPlan;
import org.picilab.workflows.sweep.TrialState;

/**
 * The sweep workflow against fake activities over an in-memory database of record. "Started once"
 * is read from the raw count of {@code prepare} calls per run id.
 */
@Timeout(120)
class SweepWorkflowTest extends WorkflowTestBase {

  static SweepSpec spec(int continueAsNewAfter) {
    return SweepSpecParser.parse(
        """
        name: quick
        dataset: digits
        search: {space: {lr: [0.001, 0.002, 0.003]}}
        seeds: [1, 2]
        maxConcurrent: 2
        execution: {heartbeatTimeoutSeconds: 2, maxAttempts: 3}
        continueAsNewAfter: %d
        """
            .formatted(continueAsNewAfter));
  }

  private SweepStatus runSweep(String id, SweepSpec spec) {
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options(id));
    return wf.run(SweepRequest.start(id, spec));
  }

  private void assertEachStartedOnce(String sweepId, int trials) {
    for (int i = 0; i < trials; i++) {
      String runId = TrialPlan.runId(sweepId, i);
      AtomicInteger n = training.prepared.get(runId);
      assertEquals(1, n == null ? 0 : n.get(), runId + " prepared " + n + " times");
    }
    assertEquals(trials, training.prepared.size());
  }

  @Test
  void everyTrialRunsOnceWithinTheConcurrencyLimit() {
    SweepStatus s = runSweep("sweep-quick-a", spec(200));
    assertEquals(SweepPhase.COMPLETED, s.phase());
    assertTrue(s.trials().isEmpty(), "the state holds no trial list");
    assertEquals(6, control.count("sweep-quick-a", RunStatus.COMPLETED));
    assertEachStartedOnce("sweep-quick-a", 6);
    assertEquals(6, training.evaluated.stream().distinct().count(), "each trial evaluated once");
    assertTrue(training.maxRunning.get() <= 2, "max concurrent " + training.maxRunning.get());
    assertEquals(2, training.maxRunning.get(), "and the slots were used");
    assertEquals(1, control.opened.get());
    assertEquals(SweepPhase.COMPLETED, control.phases.get("sweep-quick-a"));
    assertEquals(RunStatus.COMPLETED, control.closed.get("track-sweep-quick-a"));
  }

  @Test
  void continueAsNewKeepsTheCountExact() {
    SweepStatus s = runSweep("sweep-quick-b", spec(1));
    assertEquals(SweepPhase.COMPLETED, s.phase());
    assertTrue(s.continuedAsNew() >= 2, "continued as new " + s.continuedAsNew() + " times");
    assertEquals(6, control.count("sweep-quick-b", RunStatus.COMPLETED));
    assertEachStartedOnce("sweep-quick-b", 6);
    assertEquals(1, control.opened.get(), "the parent tracked run survives continue-as-new");
    assertChildrenStartedBeforeEachContinue("sweep-quick-b");
  }

  /**
   * Reads every run of a sweep's chain, newest first, from its raw history: each run that continued
   * as new saw the server's answer (started or failed to start) to every child start it asked for
   * before it continued.
   */
  private void assertChildrenStartedBeforeEachContinue(String sweepId) {
    String runId = "";
    int continued = 0;
    while (true) {
      List<HistoryEvent> events =
          (runId.isEmpty() ? client.fetchHistory(sweepId) : client.fetchHistory(sweepId, runId))
              .getEvents();
      Set<Long> asked = new LinkedHashSet<>();
      for (HistoryEvent e : events) {
        switch (e.getEventType()) {
          case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED -> asked.add(e.getEventId());
          case EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED ->
              asked.remove(
                  e.getChildWorkflowExecutionStartedEventAttributes().getInitiatedEventId());
          case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED ->
              asked.remove(
                  e.getStartChildWorkflowExecutionFailedEventAttributes().getInitiatedEventId());
          case EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW -> {
            continued++;
            assertEquals(
                Set.of(),
                asked,
                "child starts (initiated event ids) without an answer when "
                    + sweepId
                    + " continued as new");
          }
          default -> {}
        }
      }
      String previous =
          events.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
      if (previous.isEmpty()) {
        break;
      }
      runId = previous;
    }
    assertTrue(continued >= 2, "runs that continued as new: " + continued);
  }

  @Test
  void pauseHoldsNewTrialsAndResumeFinishesThem() throws Exception {
    training.stepMillis = 200;
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options("sweep-quick-c"));
    CompletableFuture<SweepStatus> result =
        WorkflowClient.execute(wf::run, SweepRequest.start("sweep-quick-c", spec(200)));
    SweepWorkflow live = client.newWorkflowStub(SweepWorkflow.class, "sweep-quick-c");
    while (training.running.get() == 0) {
      Thread.sleep(10);
    }
    live.pause();
    assertEquals(SweepPhase.PAUSED, live.status().phase());
    while (control.count("sweep-quick-c", RunStatus.RUNNING) > 0) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    assertEquals(0, control.count("sweep-quick-c", RunStatus.RUNNING));
    assertEquals(4, control.count("sweep-quick-c", RunStatus.PENDING));
    assertEquals(SweepPhase.PAUSED, control.phases.get("sweep-quick-c"));
    live.resume();
    assertEquals(SweepPhase.COMPLETED, result.get().phase());
    assertEquals(6, control.count("sweep-quick-c", RunStatus.COMPLETED));
    assertEachStartedOnce("sweep-quick-c", 6);
  }

  @Test
  void cancelStopsRunningTrialsAndSkipsTheRest() throws Exception {
    training.stepMillis = 1000;
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options("sweep-quick-d"));
    CompletableFuture<SweepStatus> result =
        WorkflowClient.execute(wf::run, SweepRequest.start("sweep-quick-d", spec(200)));
    while (training.running.get() < 2) {
      Thread.sleep(10);
    }
    client.newWorkflowStub(SweepWorkflow.class, "sweep-quick-d").cancel();
    SweepStatus s = result.get();
    assertEquals(SweepPhase.CANCELLED, s.phase());
    assertEquals(6, control.count("sweep-quick-d", RunStatus.CANCELLED));
    assertTrue(training.evaluated.isEmpty());
    assertEquals(RunStatus.CANCELLED, control.closed.get("track-sweep-quick-d"));
  }

  @Test
  void aFailedTrialFinishedByHandIsNotCountedAgain() throws Exception {
    training.stepMillis = 100;
    training.failRun = "run-quick-e-001";
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options("sweep-quick-e"));
    CompletableFuture<SweepStatus> result =
        WorkflowClient.execute(wf::run, SweepRequest.start("sweep-quick-e", spec(200)));
    SweepWorkflow live = client.newWorkflowStub(SweepWorkflow.class, "sweep-quick-e");
    while (control.trialStatus.get("run-quick-e-001") != RunStatus.FAILED) {
      Thread.sleep(10);
    }
    // Finished by hand, and reported twice: the sweep must still wait for the other five.
    for (int i = 0; i < 2; i++) {
      live.trialFinished(
          new RunOutcome(
              "run-quick-e-001", 0, "lr=0.001", 1, RunStatus.COMPLETED, null, null, null, null));
    }
    SweepStatus s = result.get();
    assertEquals(SweepPhase.COMPLETED, s.phase());
    assertEquals(5, control.count("sweep-quick-e", RunStatus.COMPLETED));
    assertEquals(5, training.evaluated.size(), "every other trial ran to its end");
  }

  @Test
  void anAdoptedTrialWhoseRunIsGoneIsReconciledAsLost() throws Exception {
    SweepSpec spec = spec(200);
    String id = "sweep-quick-f";
    control.openSweep(id, spec, "track-" + id);
    String adopted = TrialPlan.runId(id, 0);
    control.trialStatus.put(adopted, RunStatus.RUNNING);
    control.gone.add(adopted);
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options(id));
    SweepStatus s =
        wf.run(
            new SweepRequest(
                id,
                spec,
                null,
                SweepPhase.RUNNING,
                "track-" + id,
                0,
                SweepCursor.fromDatabase(6, List.of(0))));
    assertEquals(SweepPhase.COMPLETED, s.phase());
    assertEquals(RunStatus.LOST, control.trialStatus.get(adopted));
    assertNull(training.prepared.get(adopted), "an adopted trial is not started again");
    assertEquals(5, control.count(id, RunStatus.COMPLETED));
    assertTrue(control.reconciled.get() >= 1);
  }

  @Test
  void aSweepOfAnEarlierVersionCarriesOnFromItsTrialList() {
    SweepSpec spec = spec(200);
    String id = "sweep-quick-g";
    List<TrialState> trials = new ArrayList<>();
    for (TrialPlan p : SearchSpace.trials(spec)) {
      RunStatus st = p.index() < 2 ? RunStatus.COMPLETED : RunStatus.PENDING;
      trials.add(
          new TrialState(
              p.index(),
              TrialPlan.runId(id, p.index()),
              p.configKey(),
              p.parameters(),
              p.seed(),
              st,
              null,
              null));
    }
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options(id));
    SweepStatus s =
        wf.run(new SweepRequest(id, spec, trials, SweepPhase.RUNNING, "track-" + id, 3, null));
    assertEquals(SweepPhase.COMPLETED, s.phase());
    assertEquals(6, control.count(id, RunStatus.COMPLETED));
    assertEquals(4, training.prepared.size(), "only the pending trials ran");
  }
}
