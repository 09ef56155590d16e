package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.stack.Platform;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.impl.SweepWorkflowImpl;

/**
 * The embedded server keeps its workflows in memory only. When {@code pici up} dies in the middle
 * of a sweep and is started again, {@code pici run show} and {@code pici sweep show} report the run
 * and the sweep as lost; {@code pici run resume} finishes one run from its newest checkpoint, in
 * the same tracked run, and {@code pici sweep resume} carries the sweep on: the finished run counts
 * once, the other continues from its checkpoint.
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
  void runAndSweepResumeFinishWhatWasLostWithTheServer() throws Exception {
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
        ProcessStack.await(
            () -> inTrainAfter(run, 4) && inTrainAfter(other, 2),
            300,
            () -> runId + " and " + otherId + " did not reach the train stage",
            up);
        epochAtCrash = run.progress().epoch();
      }
      stack.kill(up); // SIGKILL: the server, the controller and the in-process worker die at once

      Process again = stack.up("--workers", "1");
      ProcessStack.Result lost = stack.run("run", "show", runId, "--json");
      assertEquals(0, lost.code(), lost.output());
      JsonNode shown = json(lost.output());
      assertEquals("LOST", shown.get("status").asText(), lost.output());
      assertTrue(shown.get("epoch").asInt() >= epochAtCrash - 1, lost.output());

      ProcessStack.Result resumed = stack.run("run", "resume", runId, "--wait");
      assertEquals(0, resumed.code(), resumed.output());
      assertTrue(resumed.output().contains("COMPLETED"), resumed.output());

      ProcessStack.Result after = stack.run("run", "show", runId, "--json");
      JsonNode done = json(after.output());
      assertEquals("COMPLETED", done.get("status").asText(), after.output());
      assertTrue(
          done.get("resumedFromEpoch").asInt() >= 2,
          "resumed from its checkpoint: " + after.output());
      assertTrue(done.get("scores").has("nmi"));
      assertEquals(
          Trackers.range(13),
          Trackers.lossSteps(home, sweepId, runId),
          "no epoch logged twice or lost");

      ProcessStack.Result sweepLost = stack.run("sweep", "show", sweepId, "--json");
      assertEquals(0, sweepLost.code(), sweepLost.output());
      assertEquals("LOST", json(sweepLost.output()).get("phase").asText(), sweepLost.output());

      ProcessStack.Result revived = stack.run("sweep", "resume", sweepId, "--wait");
      assertEquals(0, revived.code(), revived.output());
      assertTrue(
          revived.output().contains("1 ended trials kept, 1 continue from their checkpoints"),
          revived.output());

      JsonNode sweep = json(stack.run("sweep", "show", sweepId, "--json").output());
      assertEquals("COMPLETED", sweep.get("phase").asText());
      assertEquals(2, sweep.get("trials").size());
      for (JsonNode t : sweep.get("trials")) {
        assertEquals("COMPLETED", t.get("status").asText(), sweep.toString());
        assertTrue(t.get("scores").has("nmi"), sweep.toString());
      }
      JsonNode second = json(stack.run("run", "show", otherId, "--json").output());
      assertTrue(
          second.get("resumedFromEpoch").asInt() >= 1,
          "the sweep continued the lost run from its checkpoint: " + second);
      assertEquals(
          Trackers.range(13),
          Trackers.lossSteps(home, sweepId, otherId),
          "no epoch of the continued run logged twice or lost");
      assertEquals(
          done,
          json(stack.run("run", "show", runId, "--json").output()),
          "the run finished by hand was not started again");
      assertTrue(again.isAlive());
    }
  }

  private static boolean inTrainAfter(ExperimentWorkflow run, int epoch) {
    try {
      RunProgress p = run.progress();
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
