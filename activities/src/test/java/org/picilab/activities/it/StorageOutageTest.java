package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.activities.training.CheckpointStore;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3ObjectStoreTest;
import org.picilab.platform.store.S3Settings;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.impl.SweepWorkflowImpl;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepWorkflow;

/**
 * A run that goes on through an outage of its object store: {@code pici up --workers 1} uses an S3
 * endpoint of this test's own, which is stopped in the middle of the train stage and started again
 * on the same port and folder. The issue asks for 30 minutes; the outage here lasts at least
 * {@value #OUTAGE_SECONDS} s and three epochs, which spans several checkpoints and upload retries
 * with a growing backoff, and keeps the test short. No stage fails, training advances during the
 * outage, and every checkpoint the worker reported as saved is in the store afterwards and reads
 * back intact.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class StorageOutageTest {

  static final int OUTAGE_SECONDS = 25;

  @TempDir Path home;

  static final String SPEC =
      """
      name: outage
      dataset: digits
      preset: tiny
      parameters:
        epochs: {pretrain: 1, train: 16, boost: 1}
        checkpointEvery: 1
        cliRestarts: 3
      seeds: [1]
      maxConcurrent: 1
      execution: {heartbeatTimeoutSeconds: 10, keepCheckpoints: 1000}
      """;

  @Test
  void aRunGoesOnThroughAnOutageOfItsObjectStore() throws Exception {
    Path s3Dir = home.resolve("external-s3");
    int port = ProcessStack.freePort();
    EmbeddedS3 s3 =
        EmbeddedS3.start(s3Dir, port, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
    try (ProcessStack stack = new ProcessStack(home)) {
      stack.env.put(S3Settings.ENDPOINT_VAR, s3.endpoint());
      stack.env.put(S3Settings.ACCESS_KEY_VAR, S3ObjectStoreTest.ACCESS);
      stack.env.put(S3Settings.SECRET_KEY_VAR, S3ObjectStoreTest.SECRET);
      Process up = stack.up("--workers", "1");
      String sweepId = stack.launch("outage", SPEC);
      String runId = SweepWorkflowImpl.runId(sweepId, 0);
      try (Platform platform = stack.connect()) {
        ExperimentWorkflow run = platform.client().newWorkflowStub(ExperimentWorkflow.class, runId);
        ProcessStack.await(
            () -> {
              try {
                RunProgress p = ProcessStack.live(platform, run);
                return "train".equals(p.stage()) && p.epoch() >= 4;
              } catch (RuntimeException e) {
                return false;
              }
            },
            300,
            () -> runId + " did not reach epoch 4 of training",
            up);
        int before = ProcessStack.live(platform, run).epoch();
        s3.close();
        long down = System.nanoTime();
        // Down for at least OUTAGE_SECONDS and three epochs, whichever is longer; training that
        // stalled would time out here.
        ProcessStack.await(
            () -> ProcessStack.live(platform, run).epoch() >= before + 3,
            240,
            () -> "training stalled while the store was down: " + ProcessStack.live(platform, run),
            up);
        long left = TimeUnit.SECONDS.toNanos(OUTAGE_SECONDS) - (System.nanoTime() - down);
        if (left > 0) {
          Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
        }
        RunProgress during = ProcessStack.live(platform, run);
        s3 = EmbeddedS3.start(s3Dir, port, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
        double outage = (System.nanoTime() - down) / 1e9;
        assertTrue(
            during.epoch() >= before + 3,
            "training went on while the store was down: epoch " + before + " -> " + during);
        assertEquals("train", during.stage(), "the outage stayed inside the train stage");

        SweepWorkflow sweep = platform.client().newWorkflowStub(SweepWorkflow.class, sweepId);
        ProcessStack.await(
            () -> sweep.status().phase() == SweepPhase.COMPLETED,
            600,
            () -> "the sweep did not end: " + sweep.status(),
            up);
        RunProgress done = ProcessStack.live(platform, run);
        assertEquals(RunStatus.COMPLETED, done.status(), done.toString());
        assertEquals(0, done.retries(), "no stage failed: " + done);
        System.out.printf(
            "store down %.1f s; training went from epoch %d to %d meanwhile%n",
            outage, before, during.epoch());
      }

      String log = stack.log(up);
      assertTrue(
          log.contains("uploading the checkpoint of epoch"),
          "uploads failed during the outage and were tried again");
      Set<String> reported = new TreeSet<>();
      Matcher m =
          Pattern.compile(
                  "saved checkpoint s3://pici/("
                      + Pattern.quote(CheckpointStore.prefix(runId))
                      + "\\S+)")
              .matcher(log);
      while (m.find()) {
        reported.add(m.group(1));
      }
      assertFalse(reported.isEmpty(), "the worker reported its checkpoints");
      try (S3ObjectStore store = S3ObjectStore.connect(S3ObjectStoreTest.settings(s3, "pici"))) {
        CheckpointStore checkpoints = new CheckpointStore(store, home.resolve("read"));
        assertTrue(
            new TreeSet<>(checkpoints.keys(runId)).containsAll(reported),
            "every reported checkpoint is in the store");
        for (String key : reported) {
          CheckpointStore.Position position = CheckpointStore.position(key).orElseThrow();
          assertEquals(
              position.epoch(),
              checkpoints.load(key).orElseThrow().snapshot().epoch(),
              key + " reads back intact");
        }
        assertEquals(18, checkpoints.newest(runId, s -> {}).orElseThrow().snapshot().epoch());
      }
    } finally {
      s3.close();
    }
  }
}
