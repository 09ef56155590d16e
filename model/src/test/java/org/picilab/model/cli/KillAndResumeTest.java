package org.picilab.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.local.RunDirectory;
import org.picilab.model.train.Snapshot;
import org.picilab.model.train.TrainingRun;

/**
 * A real {@code pici train} process killed with SIGKILL in the middle of training, then resumed
 * with {@code --resume}, ends where an uninterrupted run of the same configuration ends.
 */
class KillAndResumeTest {

  private static final String DATA = "shapes:4:32";
  private static final String[] ARGS = {
    "--preset",
    "tiny",
    "--batch-size",
    "16",
    "--epochs",
    "2,6,2",
    "--checkpoint-every",
    "1",
    "--set",
    "cliRestarts=2",
    "--progress",
    "lines",
    "--seed",
    "5"
  };

  @TempDir Path tmp;

  private static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(PiciCli.class.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    return pb.start();
  }

  private static String[] with(String... more) {
    List<String> all = new ArrayList<>(List.of(more));
    all.addAll(List.of(ARGS));
    return all.toArray(new String[0]);
  }

  private static long checkpointCount(Path dir) throws IOException {
    Path c = dir.resolve("checkpoints");
    if (!Files.isDirectory(c)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(c)) {
      return s.filter(p -> p.toString().endsWith(".ckpt")).count();
    }
  }

  @Test
  void sigkillInTheTrainStageThenResumeEndsLikeAnUninterruptedRun() throws Exception {
    Path killed = tmp.resolve("killed");
    Process p =
        start(
            tmp.resolve("killed.log"),
            with("train", "--data", DATA, "--out", killed.toString(), "--keep-checkpoints", "20"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    // Wait until training is inside the train stage (pre-training has 2 epochs).
    while (checkpointCount(killed) < 4 && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(
        p.isAlive(),
        "the run must still be training when it is killed: "
            + Files.readString(tmp.resolve("killed.log")));
    p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no final checkpoint
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(137, p.exitValue(), "killed by SIGKILL");
    assertTrue(Files.notExists(killed.resolve("result.json")));
    long before = checkpointCount(killed);
    assertTrue(before >= 4 && before < 10, "stopped part-way, with " + before + " checkpoints");

    Process resumed =
        start(
            tmp.resolve("resumed.log"),
            "train",
            "--resume",
            killed.toString(),
            "--progress",
            "lines");
    assertTrue(resumed.waitFor(180, TimeUnit.SECONDS));
    String log = Files.readString(tmp.resolve("resumed.log"));
    assertEquals(0, resumed.exitValue(), log);
    assertTrue(log.contains("Resuming"), log);

    Path straight = tmp.resolve("straight");
    Process full =
        start(
            tmp.resolve("straight.log"),
            with("train", "--data", DATA, "--out", straight.toString()));
    assertTrue(full.waitFor(180, TimeUnit.SECONDS));
    assertEquals(0, full.exitValue(), Files.readString(tmp.resolve("straight.log")));

    ObjectMapper json = new ObjectMapper();
    JsonNode a = json.readTree(killed.resolve("result.json").toFile());
    JsonNode b = json.readTree(straight.resolve("result.json").toFile());
    for (String s : new String[] {"nmi", "acc", "ari", "fmi"}) {
      assertEquals(b.get("scores").get(s).asDouble(), a.get("scores").get(s).asDouble(), 1e-6, s);
    }
    assertTrue(a.get("resumedFromEpoch").asInt() >= 3);
    assertEquals(
        Files.readAllLines(straight.resolve("metrics.jsonl")).size(),
        Files.readAllLines(killed.resolve("metrics.jsonl")).size(),
        "no epoch logged twice or lost");

    // The final weights agree to the tolerance of ResumeEquivalenceTest.
    Snapshot x = RunDirectory.open(killed).newestCheckpoint(w -> {}).orElseThrow();
    Snapshot y = RunDirectory.open(straight).newestCheckpoint(w -> {}).orElseThrow();
    ImageDataset data = Datasets.load(DATA, x.config().imageSize());
    try (TrainingRun rx = TrainingRun.restore(x, data, Device.cpu());
        TrainingRun ry = TrainingRun.restore(y, data, Device.cpu())) {
      double maxDiff = 0;
      double maxAbs = 0;
      for (String name : rx.network().parameters().keySet()) {
        float[] u = rx.weights(name);
        float[] v = ry.weights(name);
        for (int i = 0; i < u.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(u[i] - v[i]));
          maxAbs = Math.max(maxAbs, Math.abs(v[i]));
        }
      }
      assertTrue(maxDiff / maxAbs <= 1e-4, "relative difference " + maxDiff / maxAbs);
    }
    try (InputStream in = Files.newInputStream(killed.resolve("assignments.csv"))) {
      assertEquals(
          Files.readString(straight.resolve("assignments.csv")),
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
