package org.picilab.platform.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.tracking.Tracker.RunState;
import org.picilab.platform.tracking.Tracker.TrackedRun;

/** The tracker contract for the file store, plus its behaviour under concurrent writers. */
class LocalTrackerTest extends TrackerContract {

  static final String ARTIFACT_ROOT = "s3://pici/local";

  @TempDir Path root;

  @Override
  protected Tracker newTracker() {
    return new LocalTracker(root, ARTIFACT_ROOT);
  }

  @Test
  void artifactLocationFollowsTheMlflowLayout() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment("layout");
    String run = tracker.startRun(experiment, "r", null, Map.of());
    assertEquals(
        "s3://pici/local/" + experiment + "/" + run + "/artifacts", tracker.artifactLocation(run));
    assertEquals(
        "s3://bkt/p/" + experiment + "/" + run + "/artifacts",
        new LocalTracker(root, "s3://bkt/p/").artifactLocation(run),
        "a trailing slash of the root is not doubled");
  }

  @Test
  void rejectsArtifactRootsThatAreNotS3() {
    IllegalArgumentException error =
        assertThrows(IllegalArgumentException.class, () -> new LocalTracker(root, "/tmp/art"));
    assertTrue(error.getMessage().contains("/tmp/art"), error.getMessage());
  }

  @Test
  void metricKeysWithPathCharactersStayInsideTheRun() throws IOException {
    Tracker tracker = tracker();
    String run = tracker.startRun(tracker.experiment("keys"), "r", null, Map.of());
    for (String key : List.of("..", "../../escape", "val/acc", "val%2Facc", "a b:c")) {
      tracker.logMetrics(run, 0, Map.of(key, (double) key.length()));
    }
    assertEquals(2.0, tracker.history(run, "..").get(0).value());
    assertEquals(12.0, tracker.history(run, "../../escape").get(0).value());
    assertEquals(7.0, tracker.history(run, "val/acc").get(0).value());
    assertEquals(9.0, tracker.history(run, "val%2Facc").get(0).value(), "no clash with val/acc");
    assertEquals(5.0, tracker.history(run, "a b:c").get(0).value());
    try (var files = Files.walk(root)) {
      assertTrue(
          files.noneMatch(p -> p.getFileName().toString().startsWith("escape")),
          "no file outside the run's metrics folder");
    }
  }

  @Test
  void specialValuesRoundTrip() throws IOException {
    Tracker tracker = tracker();
    String run = tracker.startRun(tracker.experiment("values"), "r", null, Map.of());
    tracker.logMetrics(run, 0, Map.of("x", Double.NaN));
    tracker.logMetrics(run, 1, Map.of("x", Double.NEGATIVE_INFINITY));
    tracker.logMetrics(run, 2, Map.of("x", 1e-300));
    assertEquals(
        List.of(Double.NaN, Double.NEGATIVE_INFINITY, 1e-300), values(tracker.history(run, "x")));
  }

  @Test
  void aPartialLineLeftByACrashedWriterIsIgnoredAndRepaired() throws IOException {
    Tracker tracker = tracker();
    String run = tracker.startRun(tracker.experiment("crash"), "r", null, Map.of());
    tracker.logMetrics(run, 0, Map.of("loss", 1.0));
    Path file = root.resolve("runs").resolve(run).resolve("metrics").resolve("loss.tsv");
    // A writer killed in the middle of its line: no newline, value cut short.
    Files.writeString(
        file, "1\t0.", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);

    assertEquals(List.of(0L), steps(tracker.history(run, "loss")), "the partial line is unseen");
    Tracker resumed = tracker();
    resumed.logMetrics(run, 1, Map.of("loss", 0.5));
    resumed.logMetrics(run, 2, Map.of("loss", 0.25));
    assertEquals(List.of(1.0, 0.5, 0.25), values(resumed.history(run, "loss")));
    assertEquals(3, Files.readAllLines(file).size(), "the partial line was cut off");
  }

  @Test
  void storedFilesAreJsonAndLines() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment("files");
    String run = tracker.startRun(experiment, "r", null, Map.of());
    tracker.logParams(run, Map.of("lr", "0.1"));
    tracker.logMetrics(run, 3, Map.of("loss", 0.5));
    String runJson = Files.readString(root.resolve("runs").resolve(run).resolve("run.json"));
    assertTrue(runJson.contains("\"lr\" : \"0.1\""), runJson);
    assertTrue(Files.readString(root.resolve("experiments.json")).contains("\"files\""));
    List<String> lines =
        Files.readAllLines(root.resolve("runs").resolve(run).resolve("metrics/loss.tsv"));
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).startsWith("3\t0.5\t"), lines.get(0));
    try (var files = Files.list(root.resolve("runs").resolve(run))) {
      assertTrue(
          files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
          "no temporary files left behind");
    }
  }

  /**
   * A worker process and two threads of this JVM write at the same time: the same experiment name,
   * runs of their own, and the same run with the same steps. Every (key, step) must be written
   * exactly once and every run listed once.
   */
  @Test
  void concurrentProcessesAndThreadsShareTheStore() throws Exception {
    int steps = 150;
    Tracker tracker = tracker();
    String experiment = tracker.experiment("shared");
    String shared = tracker.startRun(experiment, "shared", null, Map.of());

    Path ready = root.resolve("child.ready");
    Path go = root.resolve("child.go");
    Path childOut = root.resolve("child.out");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LocalTrackerWriterMain.class.getName(),
                root.toString(),
                ARTIFACT_ROOT,
                shared,
                Integer.toString(steps),
                ready.toString(),
                go.toString(),
                childOut.toString())
            .redirectErrorStream(true)
            .redirectOutput(root.resolve("child.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(ready)) {
        assertTrue(child.isAlive(), () -> "the writer process died: " + log(root));
        assertTrue(System.nanoTime() < deadline, "the writer process did not get ready");
        Thread.sleep(20);
      }
      CyclicBarrier start = new CyclicBarrier(2);
      ExecutorService threads = Executors.newFixedThreadPool(2);
      List<Future<String>> own = new ArrayList<>();
      try {
        Files.createFile(go);
        for (int t = 0; t < 2; t++) {
          String name = "thread-" + t;
          Callable<String> writer =
              () -> {
                // Each thread has its own instance, as separate activities would.
                try (Tracker mine = newTracker()) {
                  start.await();
                  return LocalTrackerWriterMain.write(mine, name, shared, steps);
                }
              };
          own.add(threads.submit(writer));
        }
        List<String> ownRuns = new ArrayList<>();
        for (Future<String> future : own) {
          ownRuns.add(future.get(120, TimeUnit.SECONDS));
        }
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the writer process finished");
        assertEquals(0, child.exitValue(), () -> "the writer process failed: " + log(root));
        ownRuns.add(Files.readString(childOut).trim());

        List<Long> all = LongStream.range(0, steps).boxed().toList();
        assertEquals(all, steps(tracker.history(shared, "loss")), "each step once");
        assertEquals(all, steps(tracker.history(shared, "acc")), "each step once");
        for (String run : ownRuns) {
          assertEquals(all, steps(tracker.history(run, "loss")), run);
          assertEquals(Map.of("lr", "0.1"), tracker.run(run).params());
        }
        TrackedRun sharedRun = tracker.run(shared);
        assertEquals(Map.of("lr", "0.1"), sharedRun.params());
        // Every writer rewrote the run file once per step; a lost update would drop a tag.
        for (String writer : List.of("process", "thread-0", "thread-1")) {
          assertEquals(
              Integer.toString(steps - 1),
              sharedRun.tags().get("last." + writer),
              sharedRun.tags().toString());
        }

        List<TrackedRun> runs = tracker.runs(experiment);
        Set<String> ids = new HashSet<>();
        runs.forEach(r -> ids.add(r.id()));
        assertEquals(4, runs.size(), "shared + one per writer: " + runs);
        assertEquals(4, ids.size());
        assertTrue(ids.containsAll(ownRuns));
        for (String run : ownRuns) {
          String writer = tracker.run(run).name();
          assertEquals(Optional.of(run), tracker.findRun(experiment, "writer", writer));
          assertEquals(RunState.FINISHED, tracker.run(run).state());
        }
      } finally {
        threads.shutdownNow();
      }
    } finally {
      child.destroyForcibly();
    }
  }

  private static String log(Path root) {
    try {
      return Files.readString(root.resolve("child.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
