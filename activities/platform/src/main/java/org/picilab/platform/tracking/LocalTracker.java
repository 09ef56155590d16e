package org.picilab.platform.tracking;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tracker that keeps everything in files under one root directory: the embedded default of the
 * local stack, where a controller and its worker processes share the root at the same time.
 *
 * <p>Layout under the root:
 *
 * <ul>
 *   <li>{@code experiments.json}: every experiment (id, name, creation time); ids are increasing
 *       integers, starting at 1 (MLflow keeps 0 for its Default experiment).
 *   <li>{@code experiments/<experimentId>/runs.txt}: the experiment's run ids, one a line, in
 *       creation order (append only).
 *   <li>{@code runs/<runId>/run.json}: a run's name, state, parameters and tags.
 *   <li>{@code runs/<runId>/metrics/<key>.tsv}: one line per point, {@code step TAB value TAB
 *       timestamp}, append only; the key is percent-encoded into a file name.
 * </ul>
 *
 * <p>Every read-modify-write happens under an exclusive lock file ({@link FileChannel#lock()},
 * shared with other processes) and JSON files are replaced by atomic renames, so readers never need
 * a lock: they see a whole old or a whole new file. Metric files are appended under the run's
 * metrics lock after the steps already there have been skipped, so each (key, step) is written once
 * however many writers replay it.
 *
 * <p>Instances are safe for use by several threads.
 */
public final class LocalTracker implements Tracker {

  private static final Logger log = LoggerFactory.getLogger(LocalTracker.class);

  private static final Pattern RUN_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern EXPERIMENT_ID = Pattern.compile("[1-9][0-9]{0,17}");
  private static final Pattern S3_URI = Pattern.compile("s3://[a-z0-9][a-z0-9.-]{1,62}(/.*)?");
  private static final String METRIC_SUFFIX = ".tsv";

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          // Files written by a newer version with more fields stay readable.
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path root;
  private final String artifactRoot;

  /**
   * What this instance has read of each metric file: the steps in it up to a byte offset. Files
   * only grow, so the next read starts at the offset instead of parsing the whole file again.
   * Guarded by the run's metrics lock.
   */
  private final Map<Path, MetricFileIndex> metricIndexes = new HashMap<>();

  /**
   * Opens (and creates when missing) a file store.
   *
   * @param root the directory that holds the store; created when missing
   * @param artifactRoot where run artifacts go, an {@code s3://bucket/prefix} URI; a run's
   *     artifacts are under {@code artifactRoot/<experimentId>/<runId>/artifacts}
   * @throws IllegalArgumentException when {@code artifactRoot} is not an {@code s3://} URI
   * @throws UncheckedIOException when the root cannot be created
   */
  public LocalTracker(Path root, String artifactRoot) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(artifactRoot, "artifactRoot");
    String trimmed = artifactRoot.replaceAll("/+$", "");
    if (!S3_URI.matcher(trimmed).matches()) {
      throw new IllegalArgumentException(
          "artifactRoot must be an s3://bucket/prefix URI (where the object store keeps run"
              + " artifacts), got '"
              + artifactRoot
              + "'");
    }
    this.artifactRoot = trimmed;
    try {
      Files.createDirectories(root.resolve("experiments"));
      Files.createDirectories(root.resolve("runs"));
      // The real path makes every user of one file agree on its in-JVM lock, whatever path
      // (relative, through a symbolic link) each was given.
      this.root = root.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create the tracking store at " + root + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String experiment(String name) throws IOException {
    TrackerChecks.requireText(name, "experiment name");
    Optional<ExperimentEntry> existing = findExperiment(readExperiments(), name);
    if (existing.isPresent()) {
      return existing.get().id();
    }
    return FileLocks.locked(
        root.resolve("experiments.lock"),
        () -> {
          // Another process may have created it between the unlocked read and the lock.
          ExperimentsFile file = readExperiments();
          Optional<ExperimentEntry> found = findExperiment(file, name);
          if (found.isPresent()) {
            return found.get().id();
          }
          long next = 1;
          for (ExperimentEntry entry : file.experiments()) {
            next = Math.max(next, Long.parseLong(entry.id()) + 1);
          }
          String id = Long.toString(next);
          Files.createDirectories(experimentDir(id));
          List<ExperimentEntry> all = new ArrayList<>(file.experiments());
          all.add(new ExperimentEntry(id, name, System.currentTimeMillis()));
          FileLocks.writeAtomically(
              root.resolve("experiments.json"), JSON.writeValueAsBytes(new ExperimentsFile(all)));
          log.info("Created experiment {} ('{}') in {}", id, name, root);
          return id;
        });
  }

  @Override
  public String startRun(
      String experimentId, String name, String parentRunId, Map<String, String> tags)
      throws IOException {
    requireExperiment(experimentId);
    TrackerChecks.requireText(name, "run name");
    Map<String, String> allTags = new TreeMap<>(tags == null ? Map.of() : tags);
    allTags.put(RUN_NAME_TAG, name);
    if (parentRunId != null) {
      readRun(parentRunId); // An unknown parent fails here, naming it.
      allTags.put(PARENT_RUN_TAG, parentRunId);
    }
    String runId = UUID.randomUUID().toString().replace("-", "");
    Path dir = runDir(runId);
    Files.createDirectories(dir.resolve("metrics"));
    writeRun(
        new RunFile(
            runId,
            experimentId,
            name,
            RunState.RUNNING,
            new TreeMap<>(),
            allTags,
            System.currentTimeMillis(),
            null));
    // The index is written after the run file, so every run it lists can be read.
    Path index = experimentDir(experimentId).resolve("runs.txt");
    FileLocks.locked(
        experimentDir(experimentId).resolve("runs.lock"),
        () -> {
          appendLine(index, runId);
          return null;
        });
    log.debug("Started run {} ('{}') in experiment {}", runId, name, experimentId);
    return runId;
  }

  @Override
  public Optional<String> findRun(String experimentId, String tag, String value)
      throws IOException {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(value, "value");
    for (TrackedRun run : runs(experimentId)) {
      if (value.equals(run.tags().get(tag))) {
        return Optional.of(run.id());
      }
    }
    return Optional.empty();
  }

  @Override
  public TrackedRun run(String runId) throws IOException {
    return toTracked(readRun(runId));
  }

  @Override
  public List<TrackedRun> runs(String experimentId) throws IOException {
    requireExperiment(experimentId);
    Path index = experimentDir(experimentId).resolve("runs.txt");
    List<TrackedRun> runs = new ArrayList<>();
    for (String runId : new LinkedHashSet<>(readCompleteLines(index))) {
      runs.add(toTracked(readRun(runId)));
    }
    return runs;
  }

  @Override
  public void logParams(String runId, Map<String, String> params) throws IOException {
    Objects.requireNonNull(params, "params");
    if (params.isEmpty()) {
      return;
    }
    updateRun(
        runId,
        run -> {
          List<String> conflicts = new ArrayList<>();
          Map<String, String> merged = new TreeMap<>(run.params());
          for (Map.Entry<String, String> param : new TreeMap<>(params).entrySet()) {
            String old = merged.putIfAbsent(param.getKey(), param.getValue());
            if (old != null && !old.equals(param.getValue())) {
              conflicts.add(TrackerChecks.conflict(param.getKey(), old, param.getValue()));
            }
          }
          if (!conflicts.isEmpty()) {
            throw TrackerChecks.paramConflict(runId, conflicts);
          }
          return run.withParams(merged);
        });
  }

  @Override
  public void logMetrics(String runId, long step, Map<String, Double> values) throws IOException {
    Objects.requireNonNull(values, "values");
    readRun(runId); // An unknown run fails here, naming it.
    if (values.isEmpty()) {
      return;
    }
    Path metricsDir = runDir(runId).resolve("metrics");
    FileLocks.locked(
        runDir(runId).resolve("metrics.lock"),
        () -> {
          long now = System.currentTimeMillis();
          for (Map.Entry<String, Double> metric : new TreeMap<>(values).entrySet()) {
            TrackerChecks.requireText(metric.getKey(), "metric key");
            Double value = Objects.requireNonNull(metric.getValue(), metric.getKey());
            Path file = metricsDir.resolve(encodeKey(metric.getKey()) + METRIC_SUFFIX);
            MetricFileIndex index = refreshIndex(file);
            if (index.steps().contains(step)) {
              continue; // Already recorded: a replayed epoch.
            }
            String line = step + "\t" + value + "\t" + now + "\n";
            try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
              // A writer that died mid-line left a partial line after the indexed offset: cut it
              // off, or the new line would be glued to it. The lock excludes live writers.
              channel.truncate(index.offset());
              write(channel, index.offset(), line.getBytes(StandardCharsets.UTF_8));
              channel.force(false);
            }
            index.record(step, line.getBytes(StandardCharsets.UTF_8).length);
          }
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Logging here always reads what other writers appended under the run's lock, so nothing can
   * go stale; this only releases what the instance indexed of the run's files.
   */
  @Override
  public void beginAttempt(String runId) {
    forgetIndexes(Objects.requireNonNull(runId, "runId"));
  }

  private void forgetIndexes(String runId) {
    if (!RUN_ID.matcher(runId).matches()) {
      return;
    }
    Path metrics = runDir(runId).resolve("metrics");
    synchronized (metricIndexes) {
      metricIndexes.keySet().removeIf(file -> file.startsWith(metrics));
    }
  }

  @Override
  public List<MetricPoint> history(String runId, String key) throws IOException {
    TrackerChecks.requireText(key, "metric key");
    readRun(runId); // An unknown run fails here, naming it.
    Path file = runDir(runId).resolve("metrics").resolve(encodeKey(key) + METRIC_SUFFIX);
    // Keyed by step, first point wins: the file has one point per step, and if it ever had more
    // the first is the one that was recorded.
    TreeMap<Long, MetricPoint> points = new TreeMap<>();
    for (String line : readCompleteLines(file)) {
      MetricPoint point = parsePoint(file, line);
      points.putIfAbsent(point.step(), point);
    }
    return List.copyOf(points.values());
  }

  @Override
  public void setTags(String runId, Map<String, String> tags) throws IOException {
    Objects.requireNonNull(tags, "tags");
    if (tags.isEmpty()) {
      return;
    }
    updateRun(
        runId,
        run -> {
          Map<String, String> merged = new TreeMap<>(run.tags());
          merged.putAll(tags);
          // As in MLflow, the run name tag is the run's name.
          String name = merged.getOrDefault(RUN_NAME_TAG, run.name());
          return new RunFile(
              run.id(),
              run.experimentId(),
              name,
              run.state(),
              run.params(),
              merged,
              run.startMillis(),
              run.endMillis());
        });
  }

  @Override
  public void finish(String runId, RunState state) throws IOException {
    TrackerChecks.requireEndState(state);
    updateRun(runId, run -> run.withState(state, System.currentTimeMillis()));
    // An ended run takes no more points from this instance until reopened (when its files are
    // read again), so its indexes need not stay in memory of a long-lived worker.
    forgetIndexes(runId);
  }

  @Override
  public void reopen(String runId) throws IOException {
    updateRun(
        runId,
        run -> run.state() == RunState.RUNNING ? run : run.withState(RunState.RUNNING, null));
  }

  @Override
  public String artifactLocation(String runId) throws IOException {
    return artifactLocation(readRun(runId));
  }

  /** Holds no open files between calls, so there is nothing to release. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "LocalTracker[" + root + "]";
  }

  // ---- runs ----------------------------------------------------------------------------------

  private String artifactLocation(RunFile run) {
    return artifactRoot + "/" + run.experimentId() + "/" + run.id() + "/artifacts";
  }

  private TrackedRun toTracked(RunFile run) {
    return new TrackedRun(
        run.id(),
        run.experimentId(),
        run.name(),
        run.state(),
        Collections.unmodifiableMap(new TreeMap<>(run.params())),
        Collections.unmodifiableMap(new TreeMap<>(run.tags())),
        artifactLocation(run),
        run.startMillis());
  }

  private RunFile readRun(String runId) throws IOException {
    Objects.requireNonNull(runId, "runId");
    if (!RUN_ID.matcher(runId).matches()) {
      throw new IOException(
          "No run '" + runId + "' in " + root + ": run ids are 32 lower-case hex characters");
    }
    try {
      return JSON.readValue(Files.readAllBytes(runDir(runId).resolve("run.json")), RunFile.class);
    } catch (NoSuchFileException e) {
      throw new IOException("No run " + runId + " in the tracking store " + root, e);
    }
  }

  private void writeRun(RunFile run) throws IOException {
    FileLocks.writeAtomically(runDir(run.id()).resolve("run.json"), JSON.writeValueAsBytes(run));
  }

  /** A change to a run, applied under its lock; it may throw to refuse the change. */
  @FunctionalInterface
  private interface RunChange {
    RunFile apply(RunFile run) throws IOException;
  }

  private void updateRun(String runId, RunChange change) throws IOException {
    readRun(runId); // Fails for an unknown run before a lock file is created for it.
    FileLocks.locked(
        runDir(runId).resolve("run.lock"),
        () -> {
          RunFile before = readRun(runId);
          RunFile after = change.apply(before);
          if (!after.equals(before)) {
            writeRun(after);
          }
          return null;
        });
  }

  private Path runDir(String runId) {
    return root.resolve("runs").resolve(runId);
  }

  // ---- experiments ---------------------------------------------------------------------------

  private ExperimentsFile readExperiments() throws IOException {
    try {
      return JSON.readValue(
          Files.readAllBytes(root.resolve("experiments.json")), ExperimentsFile.class);
    } catch (NoSuchFileException e) {
      return new ExperimentsFile(List.of());
    }
  }

  private static Optional<ExperimentEntry> findExperiment(ExperimentsFile file, String name) {
    return file.experiments().stream().filter(e -> e.name().equals(name)).findFirst();
  }

  private void requireExperiment(String experimentId) throws IOException {
    Objects.requireNonNull(experimentId, "experimentId");
    if (!EXPERIMENT_ID.matcher(experimentId).matches()
        || readExperiments().experiments().stream().noneMatch(e -> e.id().equals(experimentId))) {
      throw new IOException(
          "No experiment '"
              + experimentId
              + "' in the tracking store "
              + root
              + "; get its id from experiment(name)");
    }
  }

  private Path experimentDir(String experimentId) {
    return root.resolve("experiments").resolve(experimentId);
  }

  // ---- metric files --------------------------------------------------------------------------

  /** The steps of a metric file up to a byte offset that ends a complete line. */
  private static final class MetricFileIndex {
    private final Set<Long> steps = new HashSet<>();
    private long offset;

    Set<Long> steps() {
      return steps;
    }

    long offset() {
      return offset;
    }

    void record(long step, int bytes) {
      steps.add(step);
      offset += bytes;
    }
  }

  /** Brings this instance's index of a metric file up to date; call under the metrics lock. */
  private MetricFileIndex refreshIndex(Path file) throws IOException {
    MetricFileIndex index;
    synchronized (metricIndexes) {
      index = metricIndexes.computeIfAbsent(file, f -> new MetricFileIndex());
    }
    if (!Files.exists(file)) {
      return index;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < index.offset()) {
        // Files only grow past complete lines; a shorter file was replaced behind our back.
        throw new IOException(
            "Metric file "
                + file
                + " shrank from "
                + index.offset()
                + " to "
                + size
                + " bytes; only LocalTracker may write under "
                + root);
      }
      ByteBuffer tail = ByteBuffer.allocate(Math.toIntExact(size - index.offset()));
      while (tail.hasRemaining()) {
        if (channel.read(tail, index.offset() + tail.position()) < 0) {
          break;
        }
      }
      String text = new String(tail.array(), 0, tail.position(), StandardCharsets.UTF_8);
      int start = 0;
      for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        String line = text.substring(start, end);
        index.record(
            parsePoint(file, line).step(), line.getBytes(StandardCharsets.UTF_8).length + 1);
        start = end + 1;
      }
    }
    return index;
  }

  private static MetricPoint parsePoint(Path file, String line) throws IOException {
    String[] fields = line.split("\t", -1);
    try {
      if (fields.length == 3) {
        return new MetricPoint(
            Long.parseLong(fields[0]), Double.parseDouble(fields[1]), Long.parseLong(fields[2]));
      }
    } catch (NumberFormatException e) {
      // Reported below with the line.
    }
    throw new IOException(
        "Malformed metric line '" + line + "' in " + file + "; expected step TAB value TAB time");
  }

  /**
   * Encodes a metric key as a file name: letters, digits, '-' and '_' stay, every other byte of its
   * UTF-8 form becomes %XX. So "val/acc" is "val%2Facc", and no key can name "." or "..".
   */
  static String encodeKey(String key) {
    StringBuilder name = new StringBuilder();
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_') {
        name.append(c);
      } else {
        name.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return name.toString();
  }

  // ---- plain files ---------------------------------------------------------------------------

  /**
   * The complete lines of a file; a last line without its newline is a write in progress (or cut
   * short by a crash) and is left out. A missing file has no lines.
   */
  private static List<String> readCompleteLines(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return List.of();
    }
    return text.substring(0, end).lines().filter(line -> !line.isEmpty()).toList();
  }

  /** Appends a line; call under the file's lock. */
  private static void appendLine(Path file, String line) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long size = channel.size();
      // Cut off a partial line left by a writer that died, as for metric files.
      String text = size == 0 ? "" : Files.readString(file, StandardCharsets.UTF_8);
      long end = text.lastIndexOf('\n') + 1L;
      if (end < size) {
        channel.truncate(end);
      }
      write(channel, end, (line + "\n").getBytes(StandardCharsets.UTF_8));
      channel.force(false);
    }
  }

  private static void write(FileChannel channel, long position, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer, position + buffer.position());
    }
  }

  // ---- stored forms --------------------------------------------------------------------------

  /**
   * All experiments, as stored in {@code experiments.json}.
   *
   * @param experiments in creation order
   */
  record ExperimentsFile(List<ExperimentEntry> experiments) {
    ExperimentsFile {
      experiments = experiments == null ? List.of() : List.copyOf(experiments);
    }
  }

  /**
   * One experiment.
   *
   * @param id its id, an integer
   * @param name its unique name
   * @param createdMillis when it was created
   */
  record ExperimentEntry(String id, String name, long createdMillis) {}

  /**
   * A run, as stored in {@code run.json}.
   *
   * @param id run id
   * @param experimentId its experiment
   * @param name run name
   * @param state lifecycle state
   * @param params parameters
   * @param tags tags
   * @param startMillis start time
   * @param endMillis end time, null while running
   */
  record RunFile(
      String id,
      String experimentId,
      String name,
      RunState state,
      Map<String, String> params,
      Map<String, String> tags,
      long startMillis,
      Long endMillis) {
    RunFile {
      params = new TreeMap<>(params == null ? Map.of() : params);
      tags = new TreeMap<>(tags == null ? Map.of() : tags);
    }

    RunFile withParams(Map<String, String> newParams) {
      return new RunFile(id, experimentId, name, state, newParams, tags, startMillis, endMillis);
    }

    RunFile withState(RunState newState, Long newEndMillis) {
      return new RunFile(id, experimentId, name, newState, params, tags, startMillis, newEndMillis);
    }
  }
}
