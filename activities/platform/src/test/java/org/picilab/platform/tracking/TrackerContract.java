package org.picilab.platform.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.picilab.platform.tracking.Tracker.MetricPoint;
import org.picilab.platform.tracking.Tracker.RunState;
import org.picilab.platform.tracking.Tracker.TrackedRun;

/**
 * The behaviour every {@link Tracker} must have. A concrete test class supplies trackers that share
 * one backend; each test uses experiments of its own, so the backend may be shared by all tests of
 * a class.
 */
abstract class TrackerContract {

  private final List<Tracker> opened = new ArrayList<>();

  /**
   * A new tracker instance on this test's backend: a second call gives a second instance on the
   * same backend, as a resumed worker process would have.
   *
   * @return the tracker
   */
  protected abstract Tracker newTracker();

  /** A tracker that the contract closes after the test. */
  protected final Tracker tracker() {
    Tracker tracker = newTracker();
    opened.add(tracker);
    return tracker;
  }

  @AfterEach
  void closeTrackers() {
    opened.forEach(Tracker::close);
    opened.clear();
  }

  /** An experiment name no other test (or earlier run of the suite on the same server) uses. */
  protected static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void experimentGetOrCreateIsIdempotentAndNamesAreDistinct() throws IOException {
    Tracker tracker = tracker();
    String name = unique("sweep");
    String id = tracker.experiment(name);
    assertEquals(id, tracker.experiment(name), "the same name gives the same experiment");
    assertEquals(id, tracker().experiment(name), "another instance finds the same experiment");
    String other = tracker.experiment(unique("sweep"));
    assertNotEquals(id, other, "another name gives another experiment");
    assertTrue(id.matches("[0-9]+") && other.matches("[0-9]+"), id + ", " + other);
    assertTrue(Long.parseLong(other) > Long.parseLong(id), "ids increase: " + id + ", " + other);
  }

  @Test
  void concurrentGetOrCreateGivesOneExperiment() throws Exception {
    String name = unique("race");
    int writers = 4;
    CyclicBarrier start = new CyclicBarrier(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<String>> ids = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        Tracker own = tracker(); // one instance each, as separate worker processes would have
        ids.add(
            pool.submit(
                () -> {
                  start.await();
                  return own.experiment(name);
                }));
      }
      Set<String> distinct = new HashSet<>();
      for (Future<String> id : ids) {
        distinct.add(id.get(60, TimeUnit.SECONDS));
      }
      assertEquals(1, distinct.size(), "one experiment: " + distinct);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void experimentNamesWithQuotesAreFoundAgain() throws IOException {
    Tracker tracker = tracker();
    for (String name : List.of(unique("bob's"), unique("the \"best\""), unique("bob's \"best\""))) {
      String id = tracker.experiment(name);
      assertEquals(id, tracker().experiment(name), name);
      String run = tracker.startRun(id, name, null, Map.of());
      assertEquals(id, tracker.run(run).experimentId());
    }
  }

  @Test
  void startRunSetsNameParentAndTags() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment(unique("runs"));
    String parent = tracker.startRun(experiment, "sweep", null, Map.of("pici.kind", "sweep"));
    String child = tracker.startRun(experiment, "trial-0", parent, Map.of("pici.trial", "0"));

    assertTrue(parent.matches("[0-9a-f]{32}"), "MLflow-style run id: " + parent);
    assertNotEquals(parent, child);

    TrackedRun parentRun = tracker.run(parent);
    assertEquals(parent, parentRun.id());
    assertEquals(experiment, parentRun.experimentId());
    assertEquals("sweep", parentRun.name());
    assertEquals(RunState.RUNNING, parentRun.state());
    assertEquals("sweep", parentRun.tags().get(Tracker.RUN_NAME_TAG));
    assertEquals("sweep", parentRun.tags().get("pici.kind"));
    assertTrue(!parentRun.tags().containsKey(Tracker.PARENT_RUN_TAG), parentRun.tags().toString());
    assertTrue(parentRun.params().isEmpty(), parentRun.params().toString());
    long now = System.currentTimeMillis();
    assertTrue(
        Math.abs(now - parentRun.startMillis()) < 120_000,
        "start time is now: " + parentRun.startMillis() + " vs " + now);

    TrackedRun childRun = tracker.run(child);
    assertEquals("trial-0", childRun.name());
    assertEquals(parent, childRun.tags().get(Tracker.PARENT_RUN_TAG));
    assertEquals("trial-0", childRun.tags().get(Tracker.RUN_NAME_TAG));
    assertEquals("0", childRun.tags().get("pici.trial"));
  }

  @Test
  void unknownRunsAndParentsAreErrors() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment(unique("unknown"));
    String missing = "0123456789abcdef0123456789abcdef";
    IOException error = assertThrows(IOException.class, () -> tracker.run(missing));
    assertTrue(error.getMessage().contains(missing), error.getMessage());
    assertThrows(
        IOException.class, () -> tracker.startRun(experiment, "orphan", missing, Map.of()));
    assertThrows(IOException.class, () -> tracker.logMetrics(missing, 0, Map.of("loss", 1.0)));
    assertTrue(tracker.runs(experiment).isEmpty(), "a failed start leaves no run");
  }

  @Test
  void paramsAreIdempotentAndConflictsAreRejected() throws IOException {
    Tracker tracker = tracker();
    String run = tracker.startRun(tracker.experiment(unique("params")), "r", null, Map.of());
    tracker.logParams(run, Map.of("lr", "0.1", "batch", "64"));
    tracker.logParams(run, Map.of("lr", "0.1")); // the same value again: a no-op
    tracker().logParams(run, Map.of("batch", "64", "epochs", "10")); // another instance, new key

    IllegalStateException conflict =
        assertThrows(
            IllegalStateException.class,
            () -> tracker.logParams(run, Map.of("lr", "0.2", "seed", "1")));
    assertTrue(conflict.getMessage().contains("lr"), conflict.getMessage());
    assertTrue(conflict.getMessage().contains("0.1"), conflict.getMessage());
    assertTrue(conflict.getMessage().contains("0.2"), conflict.getMessage());

    assertEquals(
        Map.of("lr", "0.1", "batch", "64", "epochs", "10"),
        tracker.run(run).params(),
        "values kept and nothing of the refused call logged");
  }

  @Test
  void metricsAreIdempotentPerKeyAndStep() throws IOException {
    Tracker tracker = tracker();
    String run = tracker.startRun(tracker.experiment(unique("metrics")), "r", null, Map.of());
    tracker.logMetrics(run, 0, Map.of("loss", 2.0, "acc", 0.1));
    tracker.logMetrics(run, 1, Map.of("loss", 1.5));
    tracker.logMetrics(run, 1, Map.of("loss", 9.9, "acc", 0.3)); // loss@1 replayed, acc@1 new
    tracker.logMetrics(run, 0, Map.of("loss", 9.9)); // replay of an earlier step
    tracker.logMetrics(run, 2, Map.of("loss", 1.0));

    assertEquals(List.of(0L, 1L, 2L), steps(tracker.history(run, "loss")));
    assertEquals(List.of(2.0, 1.5, 1.0), values(tracker.history(run, "loss")));
    assertEquals(List.of(0L, 1L), steps(tracker.history(run, "acc")));
    assertEquals(List.of(0.1, 0.3), values(tracker.history(run, "acc")));
    assertEquals(List.of(), tracker.history(run, "never-logged"));
    long now = System.currentTimeMillis();
    for (MetricPoint point : tracker.history(run, "loss")) {
      assertTrue(Math.abs(now - point.timestampMillis()) < 120_000, point.toString());
    }
  }

  @Test
  void metricsLoggedOutOfOrderComeBackInStepOrder() throws IOException {
    Tracker tracker = tracker();
    String run = tracker.startRun(tracker.experiment(unique("order")), "r", null, Map.of());
    for (long step : new long[] {5, 3, 9, 0, 7}) {
      tracker.logMetrics(run, step, Map.of("val/nmi", step / 10.0));
    }
    assertEquals(List.of(0L, 3L, 5L, 7L, 9L), steps(tracker.history(run, "val/nmi")));
    assertEquals(List.of(0.0, 0.3, 0.5, 0.7, 0.9), values(tracker.history(run, "val/nmi")));
  }

  @Test
  void aResumedTrackerContinuesTheSameRunWithoutDuplicates() throws IOException {
    Tracker first = tracker();
    String experiment = first.experiment(unique("resume"));
    String run = first.startRun(experiment, "trial", null, Map.of("pici.run", "abc"));
    first.logParams(run, Map.of("lr", "0.1"));
    for (long step = 0; step < 5; step++) {
      first.logMetrics(run, step, Map.of("loss", 10.0 - step, "nmi", step / 10.0));
    }
    first.finish(run, RunState.FAILED);
    first.close();

    // A new worker process: a new tracker that finds the run, reopens it and replays from the
    // last checkpoint (step 3), so steps 3 and 4 come again with different values.
    Tracker resumed = tracker();
    assertEquals(Optional.of(run), resumed.findRun(experiment, "pici.run", "abc"));
    resumed.reopen(run);
    resumed.logParams(run, Map.of("lr", "0.1"));
    for (long step = 3; step < 8; step++) {
      resumed.logMetrics(run, step, Map.of("loss", 100.0 + step, "nmi", step / 10.0));
    }
    resumed.finish(run, RunState.FINISHED);

    List<MetricPoint> loss = resumed.history(run, "loss");
    assertEquals(LongStream.range(0, 8).boxed().toList(), steps(loss), "no duplicates or gaps");
    assertEquals(
        List.of(10.0, 9.0, 8.0, 7.0, 6.0, 105.0, 106.0, 107.0),
        values(loss),
        "replayed steps keep their first values");
    assertEquals(LongStream.range(0, 8).boxed().toList(), steps(resumed.history(run, "nmi")));
    assertEquals(RunState.FINISHED, resumed.run(run).state());
    assertEquals(1, resumed.runs(experiment).size(), "still one run");
  }

  @Test
  void findRunByTag() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment(unique("find"));
    String other = tracker.experiment(unique("find-other"));
    String a = tracker.startRun(experiment, "a", null, Map.of("pici.run", "run-a"));
    String b = tracker.startRun(experiment, "b", null, Map.of("pici.run", "run-b"));
    String elsewhere = tracker.startRun(other, "c", null, Map.of("pici.run", "run-c"));
    String quoted = tracker.startRun(experiment, "q", null, Map.of("pici.note", "it's \"odd\""));
    tracker.setTags(b, Map.of("pici.attempt", "2"));

    assertEquals(Optional.of(a), tracker.findRun(experiment, "pici.run", "run-a"));
    assertEquals(Optional.of(b), tracker.findRun(experiment, "pici.run", "run-b"));
    assertEquals(Optional.of(b), tracker.findRun(experiment, "pici.attempt", "2"));
    assertEquals(Optional.empty(), tracker.findRun(experiment, "pici.run", "run-c"));
    assertEquals(Optional.of(elsewhere), tracker.findRun(other, "pici.run", "run-c"));
    assertEquals(Optional.empty(), tracker.findRun(experiment, "pici.run", "run"));
    assertEquals(Optional.empty(), tracker.findRun(experiment, "pici.missing", "run-a"));
    assertEquals(Optional.of(quoted), tracker.findRun(experiment, "pici.note", "it's \"odd\""));
  }

  @Test
  void setTagsReplacesValues() throws IOException {
    Tracker tracker = tracker();
    String run =
        tracker.startRun(tracker.experiment(unique("tags")), "r", null, Map.of("stage", "a"));
    tracker.setTags(run, Map.of("stage", "b", "epoch", "3"));
    tracker().setTags(run, Map.of("stage", "c"));
    TrackedRun tracked = tracker.run(run);
    assertEquals("c", tracked.tags().get("stage"));
    assertEquals("3", tracked.tags().get("epoch"));
    assertEquals("r", tracked.tags().get(Tracker.RUN_NAME_TAG), "other tags kept");
  }

  @Test
  void finishReopenFinish() throws IOException {
    Tracker tracker = tracker();
    String run = tracker.startRun(tracker.experiment(unique("states")), "r", null, Map.of());
    tracker.finish(run, RunState.KILLED);
    assertEquals(RunState.KILLED, tracker.run(run).state());
    tracker.reopen(run);
    assertEquals(RunState.RUNNING, tracker.run(run).state());
    tracker.reopen(run); // reopening a running run changes nothing
    assertEquals(RunState.RUNNING, tracker.run(run).state());
    tracker.logMetrics(run, 4, Map.of("loss", 0.5)); // a reopened run takes metrics
    tracker.finish(run, RunState.FINISHED);
    assertEquals(RunState.FINISHED, tracker.run(run).state());
    assertEquals(List.of(4L), steps(tracker.history(run, "loss")));
    tracker.reopen(run);
    tracker.finish(run, RunState.FAILED);
    assertEquals(RunState.FAILED, tracker.run(run).state());
    assertThrows(IllegalArgumentException.class, () -> tracker.finish(run, RunState.RUNNING));
  }

  @Test
  void runsListsAnExperimentsRunsInCreationOrder() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment(unique("list"));
    String other = tracker.experiment(unique("list-other"));
    assertEquals(List.of(), tracker.runs(experiment));
    List<String> created = new ArrayList<>();
    Map<String, String> names = new LinkedHashMap<>();
    String parent = tracker.startRun(experiment, "sweep", null, Map.of());
    created.add(parent);
    names.put(parent, "sweep");
    for (int i = 0; i < 4; i++) {
      String child = tracker.startRun(experiment, "trial-" + i, parent, Map.of());
      created.add(child);
      names.put(child, "trial-" + i);
    }
    tracker.startRun(other, "elsewhere", null, Map.of());
    tracker.logParams(created.get(2), Map.of("k", "v"));
    tracker.finish(created.get(3), RunState.FINISHED);

    List<TrackedRun> runs = tracker.runs(experiment);
    assertEquals(created, runs.stream().map(TrackedRun::id).toList());
    for (TrackedRun run : runs) {
      assertEquals(experiment, run.experimentId());
      assertEquals(names.get(run.id()), run.name());
    }
    assertEquals(Map.of("k", "v"), runs.get(2).params());
    assertEquals(RunState.FINISHED, runs.get(3).state());
    assertEquals(RunState.RUNNING, runs.get(4).state());
    assertEquals(1, tracker.runs(other).size());
  }

  @Test
  void artifactLocationIsAnS3UriOfTheRun() throws IOException {
    Tracker tracker = tracker();
    String experiment = tracker.experiment(unique("artifacts"));
    String a = tracker.startRun(experiment, "a", null, Map.of());
    String b = tracker.startRun(experiment, "b", a, Map.of());
    String location = tracker.artifactLocation(a);
    assertTrue(location.startsWith("s3://"), location);
    assertTrue(location.contains(a), "the location names the run: " + location);
    assertEquals(location, tracker.run(a).artifactLocation());
    assertNotEquals(location, tracker.artifactLocation(b));
    assertEquals(location, tracker().artifactLocation(a), "stable across instances");
  }

  static List<Long> steps(List<MetricPoint> points) {
    return points.stream().map(MetricPoint::step).toList();
  }

  static List<Double> values(List<MetricPoint> points) {
    return points.stream().map(MetricPoint::value).toList();
  }
}
