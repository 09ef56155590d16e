package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.tracking.LocalTracker;
import org.picilab.platform.tracking.Tracker;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;
import org.picilab.workflows.sweep.TrialState;

/**
 * A sweep of 6 trials with at most 2 at once keeps an exact count when a worker is killed, the
 * sweep is paused and resumed from the command line, and its workflow continues as new every two
 * finished trials: 6 trials, each started once and finished once, 6 tracked runs.
 */
class SweepCountTest {

  @TempDir Path home;

  static final String SPEC =
      """
      name: count
      dataset: digits
      preset: tiny
      parameters:
        epochs: {pretrain: 1, train: 4, boost: 1}
        checkpointEvery: 1
        cliRestarts: 3
      search:
        space:
          lr: [0.001, 0.002, 0.003]
      seeds: [1, 2]
      maxConcurrent: 2
      continueAsNewAfter: 2
      execution: {heartbeatTimeoutSeconds: 4, maxAttempts: 10}
      """;

  @Test
  void trialCountIsExactAcrossWorkerLossPauseAndContinueAsNew() throws Exception {
    try (ProcessStack stack = new ProcessStack(home)) {
      Process up = stack.up("--workers", "0");
      Map<String, Process> workers = new LinkedHashMap<>();
      workers.put("w1", stack.worker("w1"));
      workers.put("w2", stack.worker("w2"));
      String sweepId = stack.launch("count", SPEC);
      try (Platform platform = stack.connect()) {
        SweepWorkflow sweep = platform.client().newWorkflowStub(SweepWorkflow.class, sweepId);
        // Kill the worker of a running trial once the first trial has finished.
        ProcessStack.await(
            () ->
                ProcessStack.status(platform, sweepId).count(RunStatus.COMPLETED) >= 1
                    && ProcessStack.status(platform, sweepId).count(RunStatus.RUNNING) >= 1,
            240,
            () -> "no progress: " + ProcessStack.status(platform, sweepId),
            up);
        String running =
            ProcessStack.status(platform, sweepId).trials().stream()
                .filter(t -> t.status() == RunStatus.RUNNING)
                .map(TrialState::runId)
                .findFirst()
                .orElseThrow();
        ExperimentWorkflow run =
            platform.client().newWorkflowStub(ExperimentWorkflow.class, running);
        ProcessStack.await(
            () -> ProcessStack.live(platform, run).worker() != null,
            120,
            () -> running + " has no worker yet");
        String victim = ProcessStack.live(platform, run).worker();
        stack.kill(workers.remove(victim));
        workers.put("w3", stack.worker("w3"));

        ProcessStack.Result paused = stack.run("sweep", "pause", sweepId);
        assertEquals(0, paused.code(), paused.output());
        assertEquals(SweepPhase.PAUSED, ProcessStack.status(platform, sweepId).phase());
        // Running trials finish; nothing new starts while paused.
        ProcessStack.await(
            () -> ProcessStack.status(platform, sweepId).count(RunStatus.RUNNING) == 0,
            240,
            () -> "running trials did not end: " + ProcessStack.status(platform, sweepId),
            up);
        long startedWhilePaused =
            6 - ProcessStack.status(platform, sweepId).count(RunStatus.PENDING);
        Thread.sleep(3000);
        assertEquals(
            startedWhilePaused,
            6 - ProcessStack.status(platform, sweepId).count(RunStatus.PENDING),
            "no trial started while paused");
        assertTrue(
            ProcessStack.status(platform, sweepId).count(RunStatus.PENDING) > 0,
            "the pause came before the end: " + ProcessStack.status(platform, sweepId));

        ProcessStack.Result resumed = stack.run("sweep", "resume", sweepId);
        assertEquals(0, resumed.code(), resumed.output());
        ProcessStack.await(
            () -> ProcessStack.status(platform, sweepId).phase() == SweepPhase.COMPLETED,
            300,
            () -> "did not complete: " + ProcessStack.status(platform, sweepId),
            up);
        SweepStatus done = ProcessStack.status(platform, sweepId);
        assertEquals(6, done.trials().size());
        assertEquals(6, done.count(RunStatus.COMPLETED), done.toString());
        assertTrue(
            done.continuedAsNew() >= 2, "continued as new " + done.continuedAsNew() + " times");
        Set<String> runIds =
            done.trials().stream().map(TrialState::runId).collect(Collectors.toSet());
        assertEquals(6, runIds.size());
        assertEquals(3, done.summary().size());
        done.summary().forEach(c -> assertEquals(2, c.completed(), c.configKey()));

        try (Tracker t = new LocalTracker(home.resolve("tracking"), "s3://pici/tracking")) {
          String experiment = t.experiment(sweepId);
          List<Tracker.TrackedRun> tracked = t.runs(experiment);
          List<String> children =
              tracked.stream()
                  .filter(r -> r.tags().containsKey(Tracker.PARENT_RUN_TAG))
                  .map(r -> r.tags().get("pici.runId"))
                  .sorted()
                  .toList();
          assertEquals(runIds.stream().sorted().toList(), children, "one tracked run per trial");
          assertEquals(7, tracked.size(), "six trials and the sweep's parent run");
          for (String id : runIds) {
            assertEquals(Trackers.range(6), Trackers.lossSteps(home, sweepId, id), id);
          }
        }

        ProcessStack.Result shown = stack.run("sweep", "show", sweepId);
        assertEquals(0, shown.code(), shown.output());
        assertTrue(shown.output().contains("6 completed"), shown.output());
      }
    }
  }
}
