package org.picilab.platform.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.ObjectStore;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3ObjectStoreTest;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.sweep.SweepStatus;

/** The registry turns only valid run and sweep ids into keys. */
class RegistryIdsTest {

  @TempDir static Path root;
  static EmbeddedS3 s3;
  static S3ObjectStore store;
  static Registry registry;

  @BeforeAll
  static void start() throws IOException {
    s3 =
        EmbeddedS3.start(root.resolve("s3"), 0, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
    store = S3ObjectStore.connect(S3ObjectStoreTest.settings(s3, "pici"));
    registry = new Registry(store);
  }

  @AfterAll
  static void stop() {
    store.close();
    s3.close();
  }

  private static RunRequest request(String runId) {
    return new RunRequest(
        runId, null, 0, "c0", "scan", "digits", "quick", Map.of(), 1L, null, null);
  }

  @Test
  void validIdsRoundTrip() throws IOException {
    registry.saveRequest(request("run-digits-quick-ab12-001"));
    assertEquals("digits", registry.request("run-digits-quick-ab12-001").orElseThrow().dataset());
    assertEquals(Optional.empty(), registry.status("run-digits-quick-ab12-001"));
  }

  @Test
  void malformedIdsAreRefusedNamingTheFieldAndNothingIsWritten() throws IOException {
    List<String> before = keys();
    String runId = "run-a/../../registry/sweeps/sweep-x";
    assertRefused("runId", () -> registry.saveRequest(request(runId)));
    assertRefused("runId", () -> registry.request(runId));
    assertRefused("runId", () -> registry.status("../run-a"));
    assertRefused("runId", () -> registry.progress("run-A"));
    assertRefused("runId", () -> registry.saveProgress("run-a\n", null));
    assertRefused("sweepId", () -> registry.sweep("sweep-x/../../runs/run-a/request"));
    assertRefused(
        "sweepId",
        () -> registry.saveSweep(new SweepStatus("sweep-a.b", null, null, List.of(), null, 0)));
    assertEquals(before, keys(), "nothing was written");
  }

  @Test
  void sweepIdsListsOnlyValidIds() throws IOException {
    store.putBytes("registry/sweeps/sweep-ok-ab12.json", "{}".getBytes(), "application/json");
    store.putBytes("registry/sweeps/Not A Sweep.json", "{}".getBytes(), "application/json");
    store.putBytes("registry/sweeps/x/sweep-nested.json", "{}".getBytes(), "application/json");
    assertEquals(List.of("sweep-ok-ab12"), registry.sweepIds());
  }

  private static List<String> keys() throws IOException {
    return store.list("").stream().map(ObjectStore.ObjectInfo::key).toList();
  }

  private static void assertRefused(String field, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().startsWith(field + " "), e.getMessage());
    assertTrue(e.getMessage().contains("lowercase letters, digits and hyphens"), e.getMessage());
  }
}
