package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.stack.Platform;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.impl.SweepWorkflowImpl;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;

/**
 * {@code pici up --workers 0} with separate {@code pici worker} processes: the worker training a
 * run is killed with SIGKILL in the middle of the train stage, and for the next run in the middle
 * of boosting. Each run finishes on another worker, resumed from a checkpoint after epoch 0, and
 * its tracked metric history has every epoch exactly once.
 */
class WorkerLossTest {

  @TempDir Path home;

  static final String SPEC =
      """
      name: kill
      dataset: digits
      preset: tiny
      parameters:
        epochs: {pretrain: 1, train: 8, boost: 6}
        checkpointEvery: 1
        cliRestarts: 3
      seeds: [1, 2]
      maxConcurrent: 1
      execution: {heartbeatTimeoutSeconds: 4, maxAttempts: 10}
      """;

  @Test
  void killedWorkersLoseNoMoreThanTheLastCheckpoint() throws Exception {
    try (ProcessStack stack = new ProcessStack(home)) {
      Process up = stack.up("--workers", "0");
      Map<String, Process> workers = new LinkedHashMap<>();
      workers.put("w1", stack.worker("w1"));
      workers.put("w2", stack.worker("w2"));
      String sweepId = stack.launch("kill", SPEC);
      try (Platform platform = stack.connect()) {
        String first = SweepWorkflowImpl.runId(sweepId, 0);
        String second = SweepWorkflowImpl.runId(sweepId, 1);
        double trainGap = killDuring(platform, stack, workers, first, "train", 3);
        workers.put("w3", stack.worker("w3"));
        double boostGap = killDuring(platform, stack, workers, second, "boost", 11);
        System.out.printf(
            "worker killed -> training continued on another worker: %.1f s (train), %.1f s (boost)%n",
            trainGap, boostGap);

        SweepWorkflow sweep = platform.client().newWorkflowStub(SweepWorkflow.class, sweepId);
        ProcessStack.await(
            () -> ProcessStack.status(platform, sweepId).phase() == SweepPhase.COMPLETED,
            300,
            () -> "sweep did not complete: " + ProcessStack.status(platform, sweepId),
            up);
        SweepStatus done = ProcessStack.status(platform, sweepId);
        assertEquals(2, done.count(RunStatus.COMPLETED), done.toString());
        for (String run : new String[] {first, second}) {
          RunProgress p =
              platform.client().newWorkflowStub(ExperimentWorkflow.class, run).progress();
          assertEquals(RunStatus.COMPLETED, p.status());
          assertTrue(p.retries() >= 1, run + " was retried: " + p);
          assertNotNull(p.resumedFromEpoch(), run);
          assertTrue(
              p.resumedFromEpoch() > 0, run + " resumed from a checkpoint after epoch 0: " + p);
          assertNotNull(p.scores());
          assertEquals(
              Trackers.range(15),
              Trackers.lossSteps(home, sweepId, run),
              run + ": every epoch logged exactly once");
        }
      }
    }
  }

  /**
   * Waits until the run is in the stage at the given global epoch, kills its worker, and waits
   * until another worker trains it.
   *
   * @return seconds from the kill to the first progress from the new worker
   */
  static double killDuring(
      Platform platform,
      ProcessStack stack,
      Map<String, Process> workers,
      String runId,
      String stage,
      int epoch)
      throws Exception {
    ExperimentWorkflow run = platform.client().newWorkflowStub(ExperimentWorkflow.class, runId);
    ProcessStack.await(
        () -> {
          try {
            RunProgress p = ProcessStack.live(platform, run);
            return stage.equals(p.stage()) && p.epoch() >= epoch && p.worker() != null;
          } catch (RuntimeException e) {
            return false; // not started yet
          }
        },
        240,
        () -> runId + " never reached " + stage + " epoch " + epoch);
    RunProgress before = ProcessStack.live(platform, run);
    String victim = before.worker();
    Process process = workers.remove(victim);
    assertNotNull(process, "worker " + victim + " is one of ours");
    long killed = System.nanoTime();
    stack.kill(process);
    ProcessStack.await(
        () -> {
          RunProgress p = ProcessStack.live(platform, run);
          // The new attempt's own heartbeat: it names its worker and the epoch it resumed from.
          return p.attempts() >= 2
              && p.worker() != null
              && !p.worker().equals(victim)
              && p.resumedFromEpoch() != null;
        },
        120,
        () -> runId + " was not picked up by another worker: " + ProcessStack.live(platform, run));
    double gap = (System.nanoTime() - killed) / 1e9;
    RunProgress after = ProcessStack.live(platform, run);
    assertNotEquals(victim, after.worker());
    assertTrue(after.resumedFromEpoch() != null && after.resumedFromEpoch() >= 1, after.toString());
    return gap;
  }
}
