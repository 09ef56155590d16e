package org.picilab.platform.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.tracking.MlflowClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker contract against a real MLflow server (started from {@code PICI_MLFLOW}), plus what
 * only MLflow needs: no duplicate points when a POST reaches the server but answers with an error.
 */
class MlflowTrackerTest extends TrackerContract {

  private static final Logger log = LoggerFactory.getLogger(MlflowTrackerTest.class);

  @TempDir static Path serverDir;

  private static MlflowServer server;

  @BeforeAll
  static void startServer() throws Exception {
    String mlflow = System.getenv(MlflowServer.MLFLOW_ENV);
    if (mlflow == null || mlflow.isBlank()) {
      if ("1".equals(System.getenv(MlflowServer.REQUIRE_ENV))) {
        fail(
            MlflowServer.REQUIRE_ENV
                + "=1 but "
                + MlflowServer.MLFLOW_ENV
                + " is unset. "
                + MlflowServer.HOW_TO_ENABLE);
      }
      // Skipped test by test (below), so that the report counts them as skipped; an assumption
      // here would make the whole class vanish from the counts.
      log.warn("Skipping the MLflow tracker tests. {}", MlflowServer.HOW_TO_ENABLE);
      return;
    }
    server = MlflowServer.start(Path.of(mlflow), serverDir);
  }

  @BeforeEach
  void requireServer() {
    assumeTrue(server != null, MlflowServer.HOW_TO_ENABLE);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @Override
  protected Tracker newTracker() {
    return new MlflowTracker(server.uri());
  }

  @Test
  void artifactLocationIsTheServersRunArtifactUri() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment(unique("artifact-uri"));
    String run = tracker.startRun(experiment, "r", null, Map.of());
    // With --default-artifact-root s3://pici/mlflow the server places an experiment under
    // <root>/<experimentId> and a run under <experiment>/<runId>/artifacts: the same layout
    // LocalTracker uses.
    assertEquals(
        MlflowServer.ARTIFACT_ROOT + "/" + experiment + "/" + run + "/artifacts",
        tracker.artifactLocation(run));
  }

  @Test
  void aDeletedExperimentIsReportedWithHowToFreeItsName() throws IOException {
    Tracker tracker = tracker();
    String name = unique("deleted");
    String id = tracker.experiment(name);
    try (MlflowClient raw = new MlflowClient(server.uri())) {
      raw.deleteExperiment(id);
    }
    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> tracker.experiment(name));
    assertTrue(error.getMessage().contains(name), error.getMessage());
    assertTrue(error.getMessage().contains("restore"), error.getMessage());
    assertTrue(error.getMessage().contains("--experiment-id " + id), error.getMessage());
  }

  /**
   * The server commits a batch and then every answer to it is an error, so the client's own three
   * attempts all fail: the tracker must read the history back and find the points there instead of
   * sending them again with a new timestamp (which would record each point twice).
   */
  @Test
  void aBatchThatWasCommittedButFailedIsNotLoggedAgain() throws Exception {
    try (FaultyProxy proxy = FaultyProxy.start(server.uri());
        MlflowClient raw = new MlflowClient(server.uri())) {
      Tracker tracker = new MlflowTracker(proxy.uri());
      try {
        String run = tracker.startRun(tracker.experiment(unique("committed")), "r", null, Map.of());
        tracker.logMetrics(run, 0, Map.of("loss", 1.0, "acc", 0.5));

        proxy.failBatches(3, true);
        tracker.logMetrics(run, 1, Map.of("loss", 0.5, "acc", 0.6));

        assertEquals(3, proxy.failedBatches(), "the client tried three times, then gave up");
        assertEquals(0, proxy.pendingFailures());
        assertEquals(
            List.of(0L, 1L),
            raw.getMetricHistory(run, "loss").stream().map(Metric::getStep).sorted().toList(),
            "one point per step on the server");
        assertEquals(2, raw.getMetricHistory(run, "acc").size());
        assertEquals(List.of(1.0, 0.5), values(tracker.history(run, "loss")));
        assertEquals(4, proxy.batches(), "no batch after the failures: the points were there");
      } finally {
        tracker.close();
      }
    }
  }

  /** A batch that never reached the server is sent again once the server answers. */
  @Test
  void aBatchThatNeverArrivedIsSentAgain() throws Exception {
    try (FaultyProxy proxy = FaultyProxy.start(server.uri());
        MlflowClient raw = new MlflowClient(server.uri())) {
      Tracker tracker = new MlflowTracker(proxy.uri());
      try {
        String run = tracker.startRun(tracker.experiment(unique("dropped")), "r", null, Map.of());
        tracker.logMetrics(run, 0, Map.of("loss", 1.0));

        proxy.failBatches(3, false);
        tracker.logMetrics(run, 1, Map.of("loss", 0.5));

        assertEquals(0, proxy.pendingFailures());
        assertEquals(5, proxy.batches(), "one batch, three failed attempts, one that went through");
        assertEquals(2, raw.getMetricHistory(run, "loss").size());
        assertEquals(List.of(1.0, 0.5), values(tracker.history(run, "loss")));
      } finally {
        tracker.close();
      }
    }
  }

  /** A server that is down gives an IOException that names it, not a hang or a runtime error. */
  @Test
  void anUnreachableServerIsAnIoErrorNamingIt() throws Exception {
    String down;
    try (FaultyProxy proxy = FaultyProxy.start(server.uri())) {
      down = proxy.uri();
    }
    try (Tracker tracker = new MlflowTracker(down)) {
      IOException error = assertThrows(IOException.class, () -> tracker.experiment("any"));
      assertTrue(error.getMessage().contains(down), error.getMessage());
    }
  }
}
