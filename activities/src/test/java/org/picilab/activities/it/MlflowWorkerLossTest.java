package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.activities.training.TrainingActivitiesImpl;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.tracking.MlflowServer;
import org.picilab.platform.tracking.MlflowTracker;
import org.picilab.platform.tracking.Tracker;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.impl.SweepWorkflowImpl;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepWorkflow;

/**
 * A run tracked in a real MLflow server loses its worker, and the retry lands on a worker that
 * trained the run before (and so has the run's steps cached from then): worker w1 trains the run
 * until it is frozen (SIGSTOP), the run moves on to w2, w1 is thawed (its stale attempt is fenced
 * and stops), w2 is killed (SIGKILL), and the run finishes on w1. MLflow's full metric history,
 * read from its REST API, has every epoch exactly once.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class MlflowWorkerLossTest {

  @TempDir Path home;
  @TempDir Path mlflowDir;

  static final String SPEC =
      """
      name: mlkill
      dataset: digits
      preset: tiny
      parameters:
        epochs: {pretrain: 1, train: 24, boost: 2}
        checkpointEvery: 1
        cliRestarts: 3
      seeds: [1]
      maxConcurrent: 1
      execution: {heartbeatTimeoutSeconds: 4, maxAttempts: 10}
      """;

  static final int EPOCHS = 27;

  @Test
  void noStepIsLoggedTwiceNorMissedWhenTheRetryLandsOnAWorkerThatTrainedTheRunBefore()
      throws Exception {
    String mlflow = System.getenv(MlflowServer.MLFLOW_ENV);
    if ((mlflow == null || mlflow.isBlank())
        && "1".equals(System.getenv(MlflowServer.REQUIRE_ENV))) {
      fail(MlflowServer.REQUIRE_ENV + "=1 but " + MlflowServer.MLFLOW_ENV + " is unset");
    }
    assumeTrue(mlflow != null && !mlflow.isBlank(), MlflowServer.HOW_TO_ENABLE);

    try (MlflowServer server = MlflowServer.start(Path.of(mlflow), mlflowDir);
        ProcessStack stack = new ProcessStack(home)) {
      stack.env.put("MLFLOW_TRACKING_URI", server.uri());
      Process up = stack.up("--workers", "0");
      Process w1 = stack.worker("w1");
      String sweepId = stack.launch("mlkill", SPEC);
      String runId = SweepWorkflowImpl.runId(sweepId, 0);
      try (Platform platform = stack.connect()) {
        ExperimentWorkflow run = platform.client().newWorkflowStub(ExperimentWorkflow.class, runId);
        ProcessStack.await(
            () -> {
              try {
                RunProgress p = ProcessStack.live(platform, run);
                return "train".equals(p.stage()) && p.epoch() >= 4;
              } catch (RuntimeException e) {
                return false;
              }
            },
            300,
            () -> runId + " did not reach epoch 4 on w1",
            up);
        Process w2 = stack.worker("w2");
        signal(w1, "STOP");
        int frozenAt = ProcessStack.live(platform, run).epoch();
        ProcessStack.await(
            () -> {
              RunProgress p = ProcessStack.live(platform, run);
              return "w2".equals(p.worker()) && p.epoch() >= frozenAt + 4;
            },
            240,
            () -> runId + " did not move on to w2: " + ProcessStack.live(platform, run),
            up,
            w2);
        signal(w1, "CONT");
        // The thawed attempt finds it was replaced and stops, which frees w1 for the retry.
        ProcessStack.await(
            () -> stack.log(w1).contains("StaleAttempt") || stack.log(w1).contains("is stale"),
            120,
            () -> "w1 did not notice it was replaced:\n" + stack.log(w1),
            w1);
        int attemptsBefore = ProcessStack.live(platform, run).attempts();
        stack.kill(w2);
        ProcessStack.await(
            () -> {
              RunProgress p = ProcessStack.live(platform, run);
              return "w1".equals(p.worker()) && p.attempts() > attemptsBefore;
            },
            240,
            () -> runId + " did not come back to w1: " + ProcessStack.live(platform, run),
            up,
            w1);
        SweepWorkflow sweep = platform.client().newWorkflowStub(SweepWorkflow.class, sweepId);
        ProcessStack.await(
            () -> sweep.status().phase() == SweepPhase.COMPLETED,
            400,
            () -> "the sweep did not end: " + sweep.status(),
            up,
            w1);
        assertEquals(
            RunStatus.COMPLETED,
            ProcessStack.live(platform, run).status(),
            ProcessStack.live(platform, run).toString());
      }

      String tracked;
      try (Tracker tracker = new MlflowTracker(server.uri())) {
        tracked =
            tracker
                .findRun(tracker.experiment(sweepId), TrainingActivitiesImpl.RUN_TAG, runId)
                .orElseThrow();
      }
      for (String key : List.of("loss", "learning_rate")) {
        assertEquals(
            Trackers.range(EPOCHS),
            rawSteps(server.uri(), tracked, key),
            key + ": every point MLflow holds, in step order: each epoch exactly once");
      }
    }
  }

  /** Every point of a metric as MLflow's REST API returns it, steps sorted, duplicates kept. */
  static List<Long> rawSteps(String uri, String runId, String key) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String url =
        uri
            + "/api/2.0/mlflow/metrics/get-history?run_id="
            + URLEncoder.encode(runId, StandardCharsets.UTF_8)
            + "&metric_key="
            + URLEncoder.encode(key, StandardCharsets.UTF_8)
            + "&max_results=25000";
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    JsonNode metrics = new ObjectMapper().readTree(response.body()).path("metrics");
    List<Long> steps = new ArrayList<>();
    metrics.forEach(m -> steps.add(m.path("step").asLong()));
    steps.sort(null);
    return steps;
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    assertEquals(0, kill.waitFor(), "kill -" + signal);
  }
}
