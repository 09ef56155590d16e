package org.picilab.platform.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run ids become folder names in the local store only when they are the store's own ids. */
class LocalTrackerIdsTest {

  @TempDir Path root;

  @Test
  void idsThatCouldNameAnotherFolderAreRefusedBeforeAnyFileIsTouched() throws IOException {
    Path store = root.resolve("tracking");
    Path outside = root.resolve("outside");
    Files.createDirectories(outside.resolve("metrics"));
    try (LocalTracker tracker = new LocalTracker(store, "s3://pici/tracking")) {
      String experiment = tracker.experiment("e");
      String run = tracker.startRun(experiment, "r", null, Map.of());
      for (String id :
          List.of(
              "../../outside", "../runs/" + run, run + "/..", "run-digits-quick-ab12-001", "")) {
        IOException e = assertThrows(IOException.class, () -> tracker.run(id));
        assertTrue(e.getMessage().contains("32 lower-case hex characters"), e.getMessage());
        assertThrows(IOException.class, () -> tracker.logMetrics(id, 0, Map.of("loss", 1.0)));
        assertThrows(IOException.class, () -> tracker.setTags(id, Map.of("k", "v")));
        assertThrows(IOException.class, () -> tracker.finish(id, Tracker.RunState.FINISHED));
      }
      assertThrows(IOException.class, () -> tracker.startRun("../1", "r", null, Map.of()));
    }
    try (var files = Files.walk(outside)) {
      assertEquals(2, files.count(), "nothing was written outside the store");
    }
  }
}
