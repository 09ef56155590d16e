package org.picilab.activities.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.train.CheckpointCodec;
import org.picilab.model.train.Snapshot;
import org.picilab.model.train.TrainingRun;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.RetryPolicy;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a checkpoint of the {@code cpu} preset network against the embedded endpoint, and the
 * upload path with a file of the size of a big model's checkpoint. Slow (tens of seconds, a few
 * hundred MB of disk): run with {@code ./mvnw -pl activities -am verify -Pslow
 * -Dtest=CheckpointTimingTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("slow")
class CheckpointTimingTest {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointTimingTest.class);

  @TempDir Path root;

  @Test
  void cpuPresetCheckpoint() throws IOException {
    RunConfig config = ConfigLoader.load("cpu", null, Map.of());
    ImageDataset data = Datasets.load("digits", 16);
    try (EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3"), 0, "a", "timing-secret");
        S3ObjectStore store = timed(s3);
        TrainingRun run = TrainingRun.create(config, "digits", data, Device.cpu())) {
      CheckpointStore checkpoints = new CheckpointStore(store, root.resolve("tmp"));
      Snapshot before = run.snapshot();
      Path local = root.resolve("local.ckpt");
      for (int i = 0; i < 4; i++) {
        long t0 = System.nanoTime();
        try (OutputStream out = Files.newOutputStream(local)) {
          CheckpointCodec.write(run.snapshot(), out);
        }
        double encode = (System.nanoTime() - t0) / 1e9;
        String runId = "timing-" + i;
        CheckpointStore.Saved saved = checkpoints.save(runId, 1, run);
        CheckpointStore.Loaded loaded = checkpoints.newest(runId, LOG::warn).orElseThrow();
        LOG.info(
            String.format(
                Locale.ROOT,
                "cpu preset checkpoint: %.2f MB; snapshot+write to local file %.3f s;"
                    + " save %.3f s; newest %.3f s",
                saved.bytes() / 1e6,
                encode,
                saved.seconds(),
                loaded.seconds()));
        assertEquals(saved.bytes(), loaded.bytes());
        before
            .weights()
            .forEach((k, v) -> assertArrayEquals(v, loaded.snapshot().weights().get(k)));
      }
    }
  }

  @Test
  void bigFileUpload() throws IOException {
    Path big = root.resolve("big.bin");
    byte[] chunk = new byte[1 << 20];
    new Random(1).nextBytes(chunk);
    int megabytes = 300;
    try (OutputStream out = Files.newOutputStream(big)) {
      for (int i = 0; i < megabytes; i++) {
        out.write(chunk);
      }
    }
    List<Long> marks = new ArrayList<>();
    try (EmbeddedS3 s3 = EmbeddedS3.start(root.resolve("s3"), 0, "a", "timing-secret");
        S3ObjectStore store =
            S3ObjectStore.connect(
                new S3Settings(s3.endpoint(), "a", "timing-secret", "pici", "us-east-1"),
                RetryPolicy.DEFAULT,
                (key, tmp) -> marks.add(System.nanoTime()))) {
      for (int i = 0; i < 2; i++) {
        marks.clear();
        long t0 = System.nanoTime();
        store.putFile("big/b" + i, big, Map.of());
        long t1 = System.nanoTime();
        Path back = root.resolve("back.bin");
        store.download("big/b" + i, back);
        long t2 = System.nanoTime();
        LOG.info(
            String.format(
                Locale.ROOT,
                "%d MB: putFile %.2f s (upload %.2f s, server-side copy and delete %.2f s);"
                    + " download %.2f s",
                megabytes,
                (t1 - t0) / 1e9,
                (marks.get(0) - t0) / 1e9,
                (t1 - marks.get(0)) / 1e9,
                (t2 - t1) / 1e9));
        assertEquals(Files.size(big), Files.size(back));
        Files.delete(back);
      }
    }
  }

  private static S3ObjectStore timed(EmbeddedS3 s3) throws IOException {
    return S3ObjectStore.connect(
        new S3Settings(s3.endpoint(), "a", "timing-secret", "pici", "us-east-1"));
  }
}
