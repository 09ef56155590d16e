package org.picilab.platform.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Metric points buffered through a tracking outage, checked on the raw lines of the store. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MetricBufferTest {

  @TempDir Path root;

  /** A local tracker whose metric logging fails while {@code down} is set. */
  private static Tracker flaky(LocalTracker local, AtomicBoolean down) {
    return (Tracker)
        Proxy.newProxyInstance(
            Tracker.class.getClassLoader(),
            new Class<?>[] {Tracker.class},
            (proxy, method, args) -> {
              if (method.getName().equals("logMetrics") && down.get()) {
                throw new IOException("tracking server down");
              }
              try {
                return method.invoke(local, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private List<String> rawSteps(String runId, String key) throws IOException {
    return Files.readAllLines(
            root.resolve("runs").resolve(runId).resolve("metrics/" + key + ".tsv"))
        .stream()
        .map(line -> line.split("\t")[0])
        .toList();
  }

  @Test
  void pointsLoggedDuringAnOutageArriveOnceAfterIt() throws Exception {
    LocalTracker local = new LocalTracker(root, "s3://pici/tracking");
    String run = local.startRun(local.experiment("e"), "r", null, Map.of());
    AtomicBoolean down = new AtomicBoolean(true);
    try (MetricBuffer buffer =
        MetricBuffer.start(
            flaky(local, down), run, MetricBuffer.Gate.OPEN, Duration.ofMillis(200))) {
      for (int step = 0; step < 5; step++) {
        buffer.add(step, Map.of("loss", 1.0 / (step + 1)));
      }
      // A replayed epoch (a resumed attempt) is queued again; the tracker skips it.
      buffer.add(2, Map.of("loss", 0.5));
      assertFalse(buffer.flush(Duration.ofSeconds(1)), "nothing can be logged while down");
      assertEquals(6, buffer.pending());
      down.set(false);
      assertTrue(buffer.flush(Duration.ofSeconds(30)));
    }
    assertEquals(List.of("0", "1", "2", "3", "4"), rawSteps(run, "loss"));
  }

  @Test
  void aStaleWriterLogsNothingMore() throws Exception {
    LocalTracker local = new LocalTracker(root, "s3://pici/tracking");
    String run = local.startRun(local.experiment("e"), "r", null, Map.of());
    AtomicBoolean stale = new AtomicBoolean();
    try (MetricBuffer buffer =
        MetricBuffer.start(local, run, () -> !stale.get(), Duration.ofMillis(200))) {
      buffer.add(0, Map.of("loss", 1.0));
      assertTrue(buffer.flush(Duration.ofSeconds(30)));
      stale.set(true);
      buffer.add(1, Map.of("loss", 0.5));
      assertTrue(buffer.flush(Duration.ofSeconds(30)));
      assertTrue(buffer.stale());
    }
    assertEquals(List.of("0"), rawSteps(run, "loss"));
  }
}
