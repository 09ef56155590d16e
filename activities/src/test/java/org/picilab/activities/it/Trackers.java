package org.picilab.activities.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.picilab.activities.training.TrainingActivitiesImpl;
import org.picilab.platform.tracking.LocalTracker;
import org.picilab.platform.tracking.Tracker;

/** Reads the local tracking store of a test stack. */
final class Trackers {

  private Trackers() {}

  /**
   * The steps of every point of a run's "loss" metric, read from the raw lines of the local store
   * (one line per logged point, duplicates included), not through the tracker's history, which
   * keeps one point per step.
   */
  static List<Long> lossSteps(Path home, String sweepId, String runId) throws IOException {
    String tracked;
    try (Tracker t = new LocalTracker(home.resolve("tracking"), "s3://pici/tracking")) {
      String experiment = t.experiment(sweepId);
      tracked =
          t.findRun(experiment, TrainingActivitiesImpl.RUN_TAG, runId)
              .orElseThrow(() -> new AssertionError("no tracked run for " + runId));
    }
    Path file = home.resolve("tracking/runs").resolve(tracked).resolve("metrics/loss.tsv");
    return Files.readAllLines(file).stream()
        .filter(line -> !line.isBlank())
        .map(line -> Long.parseLong(line.substring(0, line.indexOf('\t'))))
        .collect(Collectors.toList());
  }

  static List<Long> range(int n) {
    return java.util.stream.LongStream.range(0, n).boxed().collect(Collectors.toList());
  }
}
