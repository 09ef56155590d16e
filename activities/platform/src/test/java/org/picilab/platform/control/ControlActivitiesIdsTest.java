package org.picilab.platform.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.db.Database;
import org.picilab.platform.db.DatabaseSettings;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.ObjectStore;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3ObjectStoreTest;
import org.picilab.platform.tracking.LocalTracker;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.sweep.SweepStatus;

/** The control activities refuse malformed ids at once, without a retry and without a write. */
class ControlActivitiesIdsTest {

  @TempDir Path root;

  @Test
  void malformedIdsFailNonRetryablyBeforeAnyWrite() throws IOException {
    try (EmbeddedS3 s3 =
            EmbeddedS3.start(
                root.resolve("s3"), 0, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
        S3ObjectStore store = S3ObjectStore.connect(S3ObjectStoreTest.settings(s3, "pici"));
        LocalTracker tracker = new LocalTracker(root.resolve("tracking"), "s3://pici/tracking");
        Database db = Database.open(DatabaseSettings.embedded(root.resolve("home")))) {
      RecordStore records = new RecordStore(db);
      ControlActivitiesImpl control = new ControlActivitiesImpl(records, tracker, null, null);

      assertNonRetryable(
          "sweepId '../sweep-a'",
          () -> control.saveSweep(new SweepStatus("../sweep-a", null, null, List.of(), null, 0)));
      assertNonRetryable(
          "sweepId 'sweep-x/y'", () -> control.openSweepTracking("sweep-x/y", Map.of()));
      assertEquals(List.of(), store.list("").stream().map(ObjectStore.ObjectInfo::key).toList());
      assertEquals(0, records.sweeps(0, 10).total(), "nothing recorded");

      String run = control.openSweepTracking("sweep-ok-ab12", Map.of("k", "v"));
      assertEquals(run, control.openSweepTracking("sweep-ok-ab12", Map.of("k", "v")));
    }
  }

  private static void assertNonRetryable(String named, Executable call) {
    ApplicationFailure f = assertThrows(ApplicationFailure.class, call);
    assertTrue(f.isNonRetryable());
    assertEquals(FailureTypes.BAD_CONFIGURATION, f.getType());
    assertTrue(f.getOriginalMessage().contains(named), f.getOriginalMessage());
  }
}
