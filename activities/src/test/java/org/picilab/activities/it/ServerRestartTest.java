package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.activities.platform.Platform;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.impl.SweepWorkflowImpl;

/**
 * The embedded server keeps its workflows in memory only. When {@code pici up} dies in the middle
 * of a run and is started again, {@code pici run show} reports the run as lost and {@code pici run
 * resume} finishes it from its newest checkpoint, in the same tracked run.
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
      seeds: [3]
      execution: {heartbeatTimeoutSeconds: 4, maxAttempts: 10}
      """;

  @Test
  void runResumeFinishesARunLostWithTheServer() throws Exception {
    try (ProcessStack stack = new ProcessStack(home)) {
      Process up = stack.up("--workers", "1");
      String sweepId = stack.launch("restart", SPEC);
      String runId = SweepWorkflowImpl.runId(sweepId, 0);
      int epochAtCrash;
      try (Platform platform = stack.connect()) {
        ExperimentWorkflow run = platform.client().newWorkflowStub(ExperimentWorkflow.class, runId);
        ProcessStack.await(
            () -> {
              try {
                RunProgress p = run.progress();
                return "train".equals(p.stage()) && p.epoch() >= 4;
              } catch (RuntimeException e) {
                return false;
              }
            },
            240,
            () -> runId + " did not reach epoch 4",
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
      assertTrue(again.isAlive());
    }
  }

  /** The JSON object in a command's output (logs around it are ignored). */
  static JsonNode json(String output) throws Exception {
    int start = output.indexOf("{\n");
    int end = output.lastIndexOf('}');
    return new ObjectMapper().readTree(output.substring(start, end + 1));
  }
}
