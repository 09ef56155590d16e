package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.control.LiveProgress;
import org.picilab.platform.stack.Platform;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.impl.SweepWorkflowImpl;
import org.picilab.workflows.sweep.SweepPhase;

/**
 * The embedded server keeps its workflows in memory only. When {@code pici up} dies in the middle
 * of a sweep and is started again, the controller revives the sweep from the database of record by
 * itself: both interrupted trials continue from their newest checkpoints, in the same tracked runs,
 * and the sweep completes with every epoch logged once.
 */
class ServerRestartTest {

  @TempDir Path home;

  static final String SPEC =
      """
      name: restart
      dataset: digits
      preset: tiny
      parameters:
        epochs: {pretrain: 1, train: 10, boost: 2}
        checkpointEvery: 1
        cliRestarts: 3
      seeds: [3, 4]
      maxConcurrent: 2
      execution: {heartbeatTimeoutSeconds: 4, maxAttempts: 10}
      """;

  @Test
  @org.junit.jupiter.api.Timeout(1200)
  void restartingTheStackCarriesTheSweepOnFromItsCheckpoints() throws Exception {
    try (ProcessStack stack = new ProcessStack(home)) {
      Process up = stack.up("--workers", "2");
      String sweepId = stack.launch("restart", SPEC);
      String runId = SweepWorkflowImpl.runId(sweepId, 0);
      String otherId = SweepWorkflowImpl.runId(sweepId, 1);
      int epochAtCrash;
      try (Platform platform = stack.connect()) {
        ExperimentWorkflow run = platform.client().newWorkflowStub(ExperimentWorkflow.class, runId);
        ExperimentWorkflow other =
            platform.client().newWorkflowStub(ExperimentWorkflow.class, otherId);
        client = platform.client();
        ProcessStack.await(
            () -> inTrainAfter(run, 4) && inTrainAfter(other, 2),
            300,
            () -> runId + " and " + otherId + " did not reach the train stage",
            up);
        epochAtCrash = LiveProgress.overlay(client, runId, run.progress()).epoch();
      }
      stack.kill(up); // SIGKILL: the server, the controller and the in-process worker die at once

      // Starting the stack again brings the work back by itself: no typing.
      Process again = stack.up("--workers", "1");
      try (Platform platform = stack.connect()) {
        var records = platform.records();
        ProcessStack.await(
            () -> records.sweep(sweepId).map(x -> x.phase() == SweepPhase.COMPLETED).orElse(false),
            600,
            () -> sweepId + " did not complete after the restart",
            again);
      }
      assertTrue(stack.log(again).contains("Revived 1 sweeps"), stack.log(again));

      JsonNode sweep = json(stack.run("sweep", "show", sweepId, "--json").output());
      assertEquals("COMPLETED", sweep.get("phase").asText());
      JsonNode trials = sweep.get("trials").get("items");
      assertEquals(2, trials.size());
      for (JsonNode t : trials) {
        assertEquals("COMPLETED", t.get("status").asText(), sweep.toString());
        assertTrue(t.get("scores").has("nmi"), sweep.toString());
      }
      for (String id : new String[] {runId, otherId}) {
        JsonNode done = json(stack.run("run", "show", id, "--json").output());
        assertEquals("COMPLETED", done.get("status").asText(), done.toString());
        assertTrue(
            done.get("resumedFromEpoch").asInt() >= 1,
            "continued from its checkpoint, not from scratch: " + done);
        assertEquals(
            Trackers.range(13),
            Trackers.lossSteps(home, sweepId, id),
            "no epoch of " + id + " logged twice or lost");
      }
      assertTrue(epochAtCrash >= 4);
      assertTrue(again.isAlive());
    }
  }

  private static io.temporal.client.WorkflowClient client;

  private static boolean inTrainAfter(ExperimentWorkflow run, int epoch) {
    try {
      RunProgress p = run.progress();
      p = LiveProgress.overlay(client, p.runId(), p);
      return ("train".equals(p.stage()) && p.epoch() >= epoch) || "boost".equals(p.stage());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The JSON object in a command's output (logs around it are ignored). */
  static JsonNode json(String output) throws Exception {
    int start = output.indexOf("{\n");
    int end = output.lastIndexOf('}');
    return new ObjectMapper().readTree(output.substring(start, end + 1));
  }
}
