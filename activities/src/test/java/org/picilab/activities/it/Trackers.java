package org.picilab.activities.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.picilab.activities.training.TrainingActivitiesImpl;
import org.picilab.platform.tracking.LocalTracker;
import org.picilab.platform.tracking.Tracker;

/** Reads the local tracking store of a test stack. */
final class Trackers {

  private Trackers() {}

  /** The steps of a run's "loss" metric, as recorded. */
  static List<Long> lossSteps(Path home, String sweepId, String runId) throws IOException {
    try (Tracker t = new LocalTracker(home.resolve("tracking"), "s3://pici/tracking")) {
      String experiment = t.experiment(sweepId);
      String tracked =
          t.findRun(experiment, TrainingActivitiesImpl.RUN_TAG, runId)
              .orElseThrow(() -> new AssertionError("no tracked run for " + runId));
      return t.history(tracked, "loss").stream()
          .map(Tracker.MetricPoint::step)
          .collect(Collectors.toList());
    }
  }

  static List<Long> range(int n) {
    return java.util.stream.LongStream.range(0, n).boxed().collect(Collectors.toList());
  }
}
