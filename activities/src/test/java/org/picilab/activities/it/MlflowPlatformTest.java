package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.activities.training.TrainingActivitiesImpl;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.store.ObjectStore;
import org.picilab.platform.store.S3Uri;
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
 * A sweep through the platform tracked by a real MLflow server: one experiment per sweep, a parent
 * run and a child run per trial linked by {@code mlflow.parentRunId}, params, tags, per-epoch
 * metrics at global-epoch steps, artifacts under each run's artifact location; a run cancelled from
 * the command line and resumed continues the same MLflow run without logging a step twice.
 */
class MlflowPlatformTest {

  @TempDir Path home;
  @TempDir Path mlflowDir;

  static final String SPEC =
      """
      name: tracked
      dataset: digits
      preset: tiny
      parameters:
        epochs: {pretrain: 1, train: 8, boost: 1}
        checkpointEvery: 1
        cliRestarts: 3
      seeds: [5, 6]
      maxConcurrent: 1
      execution: {heartbeatTimeoutSeconds: 4}
      """;

  static final int EPOCHS = 10;

  @Test
  void aSweepIsTrackedInMlflowAndAResumedRunContinuesItsMlflowRun() throws Exception {
    String mlflow = System.getenv(MlflowServer.MLFLOW_ENV);
    if ((mlflow == null || mlflow.isBlank())
        && "1".equals(System.getenv(MlflowServer.REQUIRE_ENV))) {
      fail(MlflowServer.REQUIRE_ENV + "=1 but " + MlflowServer.MLFLOW_ENV + " is unset");
    }
    assumeTrue(mlflow != null && !mlflow.isBlank(), MlflowServer.HOW_TO_ENABLE);

    try (MlflowServer server = MlflowServer.start(Path.of(mlflow), mlflowDir);
        ProcessStack stack = new ProcessStack(home)) {
      stack.env.put("MLFLOW_TRACKING_URI", server.uri());
      Process up = stack.up("--workers", "1");
      String sweepId = stack.launch("tracked", SPEC);
      String first = SweepWorkflowImpl.runId(sweepId, 0);
      String second = SweepWorkflowImpl.runId(sweepId, 1);

      try (Platform platform = stack.connect()) {
        ExperimentWorkflow run = platform.client().newWorkflowStub(ExperimentWorkflow.class, first);
        ProcessStack.await(
            () -> {
              try {
                RunProgress p = ProcessStack.live(platform, run);
                return "train".equals(p.stage()) && p.epoch() >= 4;
              } catch (RuntimeException e) {
                return false;
              }
            },
            240,
            () -> first + " did not reach epoch 4 of training",
            up);
        ProcessStack.Result cancel = stack.run("run", "cancel", first);
        assertEquals(0, cancel.code(), cancel.output());
        ProcessStack.await(
            () -> ProcessStack.live(platform, run).status() == RunStatus.CANCELLED,
            120,
            () -> first + " did not stop",
            up);

        // The sweep counts the cancelled trial as ended and finishes the other one.
        SweepWorkflow sweep = platform.client().newWorkflowStub(SweepWorkflow.class, sweepId);
        ProcessStack.await(
            () -> ProcessStack.status(platform, sweepId).phase() == SweepPhase.COMPLETED,
            240,
            () -> "the sweep did not end: " + ProcessStack.status(platform, sweepId),
            up);
        assertEquals(
            RunStatus.CANCELLED, ProcessStack.status(platform, sweepId).trials().get(0).status());

        // Finished by hand afterwards, in the same MLflow run; the sweep's summary counts it.
        ProcessStack.Result resumed = stack.run("run", "resume", first, "--wait");
        assertEquals(0, resumed.code(), resumed.output());
        ProcessStack.Result shown = stack.run("sweep", "show", sweepId, "--json");
        assertEquals(0, shown.code(), shown.output());
        var json = ServerRestartTest.json(shown.output());
        for (var t : json.get("trials").get("items")) {
          assertEquals("COMPLETED", t.get("status").asText(), shown.output());
        }
        assertEquals(2, json.get("summary").get(0).get("completed").asInt(), shown.output());
      }

      try (Tracker mlflowRuns = new MlflowTracker(server.uri());
          Platform platform = stack.connect()) {
        String experiment = mlflowRuns.experiment(sweepId);
        List<Tracker.TrackedRun> runs = mlflowRuns.runs(experiment);
        assertEquals(3, runs.size(), "a parent run and two trials: " + runs);
        List<Tracker.TrackedRun> children =
            runs.stream()
                .filter(r -> r.tags().containsKey(TrainingActivitiesImpl.RUN_TAG))
                .collect(Collectors.toList());
        assertEquals(2, children.size(), "one MLflow run per trial, also after the resume");
        Tracker.TrackedRun parent =
            runs.stream().filter(r -> !children.contains(r)).findFirst().orElseThrow();
        assertEquals(sweepId, parent.name());
        assertEquals(Tracker.RunState.FINISHED, parent.state());
        assertEquals("2", parent.params().get("sweep.trials"));

        Set<String> seeds = new HashSet<>();
        for (Tracker.TrackedRun child : children) {
          assertEquals(parent.id(), child.tags().get(Tracker.PARENT_RUN_TAG));
          assertEquals(Tracker.RunState.FINISHED, child.state(), child.toString());
          assertEquals("pici", child.tags().get("pici.method"));
          assertEquals(ProcessStack.COMMIT, child.tags().get("pici.gitCommit"));
          assertEquals(ProcessStack.COMMIT, child.tags().get("mlflow.source.git.commit"));
          assertEquals("evaluate", child.tags().get(TrainingActivitiesImpl.STAGE_TAG));
          assertEquals(child.tags().get("pici.seed"), child.params().get("seed"));
          seeds.add(child.params().get("seed"));
          assertEquals("digits", child.tags().get("pici.dataset"));

          List<Long> steps =
              mlflowRuns.history(child.id(), "loss").stream()
                  .map(Tracker.MetricPoint::step)
                  .collect(Collectors.toList());
          assertEquals(Trackers.range(EPOCHS), steps, "loss of " + child.name() + " per epoch");
          List<Tracker.MetricPoint> nmi = mlflowRuns.history(child.id(), "nmi");
          assertEquals(1, nmi.size());
          assertEquals(EPOCHS, nmi.get(0).step());

          S3Uri artifacts = S3Uri.parse(child.artifactLocation());
          ObjectStore store = platform.store();
          assertEquals(store.bucket(), artifacts.bucket(), child.artifactLocation());
          Set<String> names =
              store.list(artifacts.key().replaceAll("/*$", "/")).stream()
                  .map(o -> o.key().substring(o.key().lastIndexOf('/') + 1))
                  .collect(Collectors.toSet());
          assertTrue(
              names.containsAll(
                  List.of("result.json", "assignments.csv", "embedding.csv", "confusion.csv")),
              "artifacts of " + child.name() + ": " + names);
        }
        assertEquals(Set.of("5", "6"), seeds);
        assertFalse(
            mlflowRuns.run(children.get(0).id()).params().isEmpty(), "the configuration as params");
      }
    }
  }
}
