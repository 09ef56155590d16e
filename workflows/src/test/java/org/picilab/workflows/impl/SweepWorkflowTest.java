package org.picilab.workflows.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;
import org.picilab.workflows.sweep.ConfigSummary;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepRequest;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepSpecParser;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;
import org.picilab.workflows.sweep.TrialState;

/** The sweep workflow against fake activities. */
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
    return wf.run(new SweepRequest(id, spec, null, null, null, 0));
  }

  @Test
  void everyTrialRunsOnceWithinTheConcurrencyLimit() {
    SweepStatus s = runSweep("sweep-quick-a", spec(200));
    assertEquals(SweepPhase.COMPLETED, s.phase());
    assertEquals(6, s.trials().size());
    assertEquals(6, s.count(RunStatus.COMPLETED));
    assertEquals(6, training.evaluated.size());
    assertEquals(6, training.evaluated.stream().distinct().count(), "each trial evaluated once");
    for (TrialState t : s.trials()) {
      assertEquals(1, training.stageCalls.get(t.runId() + "/train").get(), t.runId());
    }
    assertTrue(training.maxRunning.get() <= 2, "max concurrent " + training.maxRunning.get());
    assertEquals(2, training.maxRunning.get(), "and the slots were used");
    assertEquals("run-quick-a-001", s.trials().get(0).runId());
    ConfigSummary first = s.summary().get(0);
    assertEquals("lr=0.001", first.configKey());
    assertEquals(2, first.completed());
    // The fake scores are 0.5 + lr * 100 + seed / 100: seeds 1 and 2 give 0.61 and 0.62.
    assertEquals(0.615, first.mean().nmi(), 1e-9);
    assertEquals(Math.sqrt(0.00005), first.std().nmi(), 1e-9);
    assertEquals(1, control.opened.get());
    assertEquals(RunStatus.COMPLETED, control.closed.get("track-sweep-quick-a"));
  }

  @Test
  void continueAsNewKeepsTheCountExact() {
    SweepStatus s = runSweep("sweep-quick-b", spec(1));
    assertEquals(SweepPhase.COMPLETED, s.phase());
    assertTrue(s.continuedAsNew() >= 3, "continued as new " + s.continuedAsNew() + " times");
    assertEquals(6, s.count(RunStatus.COMPLETED));
    assertEquals(6, training.evaluated.size());
    assertEquals(6, training.evaluated.stream().distinct().count());
    assertEquals(1, control.opened.get(), "the parent tracked run survives continue-as-new");
  }

  @Test
  void pauseHoldsNewTrialsAndResumeFinishesThem() throws Exception {
    training.stepMillis = 200;
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options("sweep-quick-c"));
    CompletableFuture<SweepStatus> result =
        WorkflowClient.execute(
            wf::run, new SweepRequest("sweep-quick-c", spec(200), null, null, null, 0));
    SweepWorkflow live = client.newWorkflowStub(SweepWorkflow.class, "sweep-quick-c");
    while (training.running.get() == 0) {
      Thread.sleep(10);
    }
    live.pause();
    assertEquals(SweepPhase.PAUSED, live.status().phase());
    // The two running trials finish; nothing new starts while paused.
    AtomicInteger waited = new AtomicInteger();
    while (live.status().count(RunStatus.RUNNING) > 0 && waited.incrementAndGet() < 500) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    SweepStatus paused = live.status();
    assertEquals(0, paused.count(RunStatus.RUNNING));
    assertEquals(4, paused.count(RunStatus.PENDING));
    live.resume();
    SweepStatus done = result.get();
    assertEquals(6, done.count(RunStatus.COMPLETED));
    assertEquals(6, training.evaluated.stream().distinct().count());
  }

  @Test
  void cancelStopsRunningTrialsAndSkipsTheRest() throws Exception {
    training.stepMillis = 1000;
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options("sweep-quick-d"));
    CompletableFuture<SweepStatus> result =
        WorkflowClient.execute(
            wf::run, new SweepRequest("sweep-quick-d", spec(200), null, null, null, 0));
    while (training.running.get() < 2) {
      Thread.sleep(10);
    }
    client.newWorkflowStub(SweepWorkflow.class, "sweep-quick-d").cancel();
    SweepStatus s = result.get();
    assertEquals(SweepPhase.CANCELLED, s.phase());
    assertEquals(6, s.count(RunStatus.CANCELLED));
    assertTrue(training.evaluated.isEmpty());
    assertEquals(RunStatus.CANCELLED, control.closed.get("track-sweep-quick-d"));
  }

  @Test
  void aFailedTrialFinishedByHandIsUpdatedNotCountedAgain() throws Exception {
    training.stepMillis = 100;
    training.failRun = "run-quick-e-001";
    SweepWorkflow wf = client.newWorkflowStub(SweepWorkflow.class, options("sweep-quick-e"));
    CompletableFuture<SweepStatus> result =
        WorkflowClient.execute(
            wf::run, new SweepRequest("sweep-quick-e", spec(200), null, null, null, 0));
    SweepWorkflow live = client.newWorkflowStub(SweepWorkflow.class, "sweep-quick-e");
    AtomicInteger waited = new AtomicInteger();
    while (live.status().trials().get(0).status() != RunStatus.FAILED
        && waited.incrementAndGet() < 1000) {
      Thread.sleep(10);
    }
    assertEquals(RunStatus.FAILED, live.status().trials().get(0).status());
    TrialState failed = live.status().trials().get(0);
    Scores byHand = new Scores(0.9, 0.9, 0.9, 0.9);
    live.trialFinished(
        new RunOutcome(
            failed.runId(),
            0,
            failed.configKey(),
            failed.seed(),
            RunStatus.COMPLETED,
            byHand,
            null,
            null,
            null));
    // A stale failure report after that changes nothing.
    live.trialFinished(
        new RunOutcome(
            failed.runId(),
            0,
            failed.configKey(),
            failed.seed(),
            RunStatus.FAILED,
            null,
            null,
            "late",
            null));
    SweepStatus done = result.get();
    assertEquals(SweepPhase.COMPLETED, done.phase());
    assertEquals(6, done.count(RunStatus.COMPLETED));
    assertEquals(byHand, done.trials().get(0).scores());
    assertEquals(null, done.trials().get(0).error());
    assertEquals(5, training.evaluated.size(), "the trial was not run again");
  }
}
