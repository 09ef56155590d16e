package org.picilab.platform.tracking;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A separate writer process for {@link LocalTrackerTest}: it opens the store, signals that it is
 * ready, waits for the go signal and then writes what {@link #write} writes.
 *
 * <p>Arguments: root, artifact root, shared run id, steps, ready file, go file, output file (where
 * it writes the id of its own run).
 */
final class LocalTrackerWriterMain {

  private LocalTrackerWriterMain() {}

  /**
   * Runs the writer.
   *
   * @param args see the class comment
   * @throws Exception when anything fails; the exit status is then not 0
   */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int steps = Integer.parseInt(args[3]);
    try (Tracker tracker = new LocalTracker(root, args[1])) {
      Files.createFile(Path.of(args[4]));
      Path go = Path.of(args[5]);
      while (!Files.exists(go)) {
        Thread.sleep(5);
      }
      String own = write(tracker, "process", args[2], steps);
      Files.writeString(Path.of(args[6]), own, StandardCharsets.UTF_8);
    }
  }

  /**
   * What each concurrent writer does: gets the shared experiment by name, starts and fills a run of
   * its own, and logs every step of the shared run, which the other writers log too.
   *
   * @param tracker the writer's tracker
   * @param name the writer's name, used as its run name and tag
   * @param shared the shared run
   * @param steps how many steps to log
   * @return the id of the writer's own run
   * @throws Exception when the tracker fails
   */
  static String write(Tracker tracker, String name, String shared, int steps) throws Exception {
    String experiment = tracker.experiment("shared");
    String own = tracker.startRun(experiment, name, null, Map.of("writer", name));
    tracker.logParams(own, Map.of("lr", "0.1"));
    tracker.logParams(shared, Map.of("lr", "0.1"));
    for (int step = 0; step < steps; step++) {
      tracker.logMetrics(own, step, Map.of("loss", 1.0 / (step + 1)));
      tracker.logMetrics(shared, step, Map.of("loss", 1.0 / (step + 1), "acc", step / 1000.0));
      tracker.setTags(shared, Map.of("last." + name, Integer.toString(step)));
    }
    tracker.finish(own, Tracker.RunState.FINISHED);
    return own;
  }
}
