package org.picilab.model.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.train.Snapshot;
import org.picilab.model.train.StageRunner;
import org.picilab.model.train.TrainingListener;
import org.picilab.model.train.TrainingRun;

/** The local run directory: atomic checkpoints, fallback past damage, pruning, metrics. */
class RunDirectoryTest {

  @TempDir Path tmp;

  private static RunConfig config() {
    return ConfigLoader.load(
        "tiny",
        null,
        Map.of(
            "batchSize", "16",
            "epochs.pretrain", "1",
            "epochs.train", "2",
            "epochs.boost", "0",
            "checkpointEvery", "1"));
  }

  @Test
  void newestIntactCheckpointWinsAndDamageIsReported() throws IOException {
    RunConfig c = config();
    ImageDataset data = Datasets.load("shapes:4:16", c.imageSize());
    Path root = tmp.resolve("run");
    RunDirectory dir =
        RunDirectory.create(root, new RunDirectory.RunSpec("shapes:4:16", "tiny", c));
    try (TrainingRun run = TrainingRun.create(c, "shapes:4:16", data, Device.cpu())) {
      new StageRunner(data, TrainingListener.NONE, () -> false, dir.sink(2, f -> {})).runAll(run);
    }
    List<Path> files = dir.checkpoints();
    assertEquals(2, files.size(), "only the newest two are kept");
    assertTrue(files.get(0).getFileName().toString().startsWith("e0003-b0000"));
    try (var left = Files.list(root.resolve("checkpoints"))) {
      assertTrue(left.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary files remain");
    }

    // Damage the newest: the reader must fall back to the previous one and say so.
    byte[] newest = Files.readAllBytes(files.get(0));
    Files.write(files.get(0), java.util.Arrays.copyOf(newest, newest.length / 3));
    List<String> warnings = new ArrayList<>();
    Optional<Snapshot> s = dir.newestCheckpoint(warnings::add);
    assertTrue(s.isPresent());
    assertEquals(2, s.get().epoch());
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("e0003-b0000.ckpt"), warnings.get(0));

    Files.write(files.get(1), new byte[] {1, 2, 3});
    assertTrue(dir.newestCheckpoint(w -> {}).isEmpty(), "nothing intact left");
  }

  @Test
  void runJsonRoundTripsAndAnExistingRunIsNotOverwritten() throws IOException {
    RunConfig c = config();
    Path root = tmp.resolve("r");
    RunDirectory.create(root, new RunDirectory.RunSpec("digits", "tiny", c));
    RunDirectory.RunSpec spec = RunDirectory.open(root).spec();
    assertEquals("digits", spec.data());
    assertEquals(c, spec.config());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RunDirectory.create(root, new RunDirectory.RunSpec("digits", "tiny", c)));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> RunDirectory.open(tmp.resolve("none")));
  }
}
