package org.picilab.model.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.train.CheckpointCodec;
import org.picilab.model.train.CheckpointSink;
import org.picilab.model.train.EpochRecord;
import org.picilab.model.train.Snapshot;
import org.picilab.model.train.TrainingRun;

/**
 * The directory of one local run.
 *
 * <pre>
 * run.json                     what was asked: data, configuration, preset
 * checkpoints/e0012-b0000.ckpt newest few checkpoints (epochs completed, batches into the next)
 * metrics.jsonl                one line per finished epoch
 * result.json, assignments.csv, embedding.csv, confusion.csv, report.html   at the end
 * </pre>
 *
 * <p>Checkpoints are written to a temporary file, forced to disk, and renamed into place, so a
 * process killed at any moment leaves either the previous set or the new one, never half a file
 * under a checkpoint name. A reader still verifies each file's checksum and falls back to the next
 * older one when the newest is damaged.
 */
public final class RunDirectory {

  private static final Pattern CHECKPOINT = Pattern.compile("e(\\d{4,})-b(\\d{4,})\\.ckpt");
  private static final ObjectMapper JSON = ConfigLoader.mapper();

  private final Path root;

  private RunDirectory(Path root) {
    this.root = root;
  }

  /**
   * What {@code run.json} records.
   *
   * @param data the data argument
   * @param preset the preset the configuration started from, or the baseline's name
   * @param config the configuration, or null for a baseline that trains nothing
   */
  public record RunSpec(String data, String preset, RunConfig config) {}

  /**
   * Creates the directory for a new run.
   *
   * @param root the directory; created if missing, must not hold a run already
   * @param spec the data and configuration
   * @return the run directory
   * @throws IOException when it cannot be created
   * @throws IllegalArgumentException when it already holds a run
   */
  public static RunDirectory create(Path root, RunSpec spec) throws IOException {
    if (Files.exists(root.resolve("run.json"))) {
      throw new IllegalArgumentException(
          root
              + " already holds a run. Continue it with --resume "
              + root
              + ", or choose another --out directory.");
    }
    Files.createDirectories(root.resolve("checkpoints"));
    RunDirectory dir = new RunDirectory(root);
    ObjectNode node = JSON.createObjectNode();
    node.put("data", spec.data());
    node.put("preset", spec.preset());
    if (spec.config() != null) {
      node.set("config", JSON.valueToTree(spec.config()));
    }
    dir.writeAtomically("run.json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    return dir;
  }

  /**
   * Opens an existing run directory.
   *
   * @param root the directory
   * @return the run directory
   * @throws IllegalArgumentException when it holds no run
   */
  public static RunDirectory open(Path root) {
    if (!Files.isRegularFile(root.resolve("run.json"))) {
      throw new IllegalArgumentException(
          root + " holds no run (no run.json); give the --out directory of an earlier pici train");
    }
    return new RunDirectory(root);
  }

  /**
   * Reads {@code run.json}.
   *
   * @return the data and configuration of the run
   * @throws IOException when it cannot be read
   */
  public RunSpec spec() throws IOException {
    JsonNode node = JSON.readTree(root.resolve("run.json").toFile());
    if (!node.has("config")) {
      return new RunSpec(node.get("data").asText(), node.path("preset").asText(), null);
    }
    RunConfig config =
        ConfigLoader.fromJson(node.get("config").toString(), root.resolve("run.json").toString());
    return new RunSpec(node.get("data").asText(), node.path("preset").asText("cpu"), config);
  }

  /**
   * The directory.
   *
   * @return its path
   */
  public Path root() {
    return root;
  }

  /**
   * A sink that writes checkpoints here and keeps the newest {@code keep} of them.
   *
   * @param keep how many checkpoints to keep, at least 1
   * @param onSaved called with the file and its size after each save
   * @return the sink
   */
  public CheckpointSink sink(int keep, Consumer<Path> onSaved) {
    return run -> {
      Path file = save(run);
      prune(keep);
      onSaved.accept(file);
    };
  }

  /**
   * Writes a checkpoint of the run's current position.
   *
   * @param run the run
   * @return the checkpoint file
   * @throws IOException when writing fails (the previous checkpoints are untouched)
   */
  public Path save(TrainingRun run) throws IOException {
    String name = String.format(Locale.ROOT, "e%04d-b%04d.ckpt", run.epoch(), run.batch());
    Path dir = root.resolve("checkpoints");
    Files.createDirectories(dir);
    Path tmp = dir.resolve(name + "." + java.util.UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel channel =
              FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
          OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
        CheckpointCodec.write(run.snapshot(), out);
        channel.force(true);
      }
      Path target = dir.resolve(name);
      move(tmp, target);
      return target;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Checkpoint files, newest first.
   *
   * @return paths ordered by position, newest first
   * @throws IOException when the directory cannot be listed
   */
  public List<Path> checkpoints() throws IOException {
    Path dir = root.resolve("checkpoints");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> CHECKPOINT.matcher(p.getFileName().toString()).matches())
          .sorted(Comparator.comparing((Path p) -> position(p)).reversed())
          .toList();
    }
  }

  private static Long position(Path p) {
    Matcher m = CHECKPOINT.matcher(p.getFileName().toString());
    if (!m.matches()) {
      return -1L;
    }
    return Long.parseLong(m.group(1)) * 1_000_000L + Long.parseLong(m.group(2));
  }

  /**
   * Reads the newest checkpoint that is complete and intact.
   *
   * @param warn receives a message for each damaged checkpoint skipped
   * @return the snapshot, or empty when there is none
   * @throws IOException when the directory cannot be read
   */
  public Optional<Snapshot> newestCheckpoint(Consumer<String> warn) throws IOException {
    for (Path p : checkpoints()) {
      try (InputStream in = Files.newInputStream(p)) {
        return Optional.of(CheckpointCodec.read(in));
      } catch (IOException e) {
        warn.accept(
            "skipping damaged checkpoint "
                + root.relativize(p)
                + " ("
                + e.getMessage()
                + "); trying the previous one");
      }
    }
    return Optional.empty();
  }

  private void prune(int keep) throws IOException {
    List<Path> all = checkpoints();
    for (int i = Math.max(1, keep); i < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
    }
  }

  /**
   * Rewrites the metrics log to exactly the given history, so that a resumed run neither repeats
   * nor skips an epoch even if the previous process died between logging and checkpointing.
   *
   * @param history the finished epochs
   * @throws IOException when writing fails
   */
  public void resetMetrics(List<EpochRecord> history) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (EpochRecord r : history) {
      sb.append(JSON.writeValueAsString(r)).append('\n');
    }
    writeAtomically("metrics.jsonl", sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Appends one epoch to the metrics log.
   *
   * @param record the epoch
   */
  public void appendMetrics(EpochRecord record) {
    try {
      Files.writeString(
          root.resolve("metrics.jsonl"),
          JSON.writeValueAsString(record) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The metrics log.
   *
   * @return every logged epoch, oldest first
   * @throws IOException when it cannot be read
   */
  public List<EpochRecord> metrics() throws IOException {
    Path file = root.resolve("metrics.jsonl");
    List<EpochRecord> out = new ArrayList<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          out.add(JSON.readValue(line, EpochRecord.class));
        }
      }
    }
    return out;
  }

  /**
   * Writes a file of the run atomically (temporary file, then rename).
   *
   * @param name file name inside the directory
   * @param bytes the content
   * @throws IOException when writing fails
   */
  public void writeAtomically(String name, byte[] bytes) throws IOException {
    Path target = root.resolve(name);
    Path tmp = root.resolve(name + "." + java.util.UUID.randomUUID() + ".tmp");
    try {
      Files.write(tmp, bytes);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
