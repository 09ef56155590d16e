package org.picilab.activities.training;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.picilab.model.train.CheckpointCodec;
import org.picilab.model.train.CheckpointSink;
import org.picilab.model.train.CorruptCheckpointException;
import org.picilab.model.train.Snapshot;
import org.picilab.model.train.TrainingRun;
import org.picilab.platform.store.ObjectStore;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training checkpoints of runs, kept in an {@link ObjectStore} under {@code
 * runs/<runId>/checkpoints/e0003-b0000.ckpt} (three epochs completed, no batches into the fourth).
 *
 * <p>A checkpoint becomes visible only when complete ({@link ObjectStore#putFile} is atomic) and
 * carries its own SHA-256 (written by {@link CheckpointCodec}), so a reader never resumes from a
 * half-written or damaged one: {@link #newest} steps back past damage to the previous checkpoint.
 * Each object also records {@code sha256}, {@code epoch}, {@code batch} and {@code format} as
 * metadata for people and tools that look at the bucket.
 *
 * <p>Storage failures propagate as {@link StorageException} (retry the activity); damaged content
 * is reported and skipped. Instances are thread-safe when the object store is.
 */
public final class CheckpointStore {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

  private static final Pattern NAME = Pattern.compile("e(\\d{4,9})-b(\\d{4,9})\\.ckpt");

  /**
   * What S3Proxy's filesystem store writes beside a destination while it stores or copies an object
   * ({@code <key>-<uuid>}, renamed at the end); a crash of the endpoint leaves it behind.
   */
  private static final Pattern SERVER_LEFTOVER =
      Pattern.compile("e\\d{4,9}-b\\d{4,9}\\.ckpt-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");

  /** Temporary uploads older than this belong to a writer that died; {@link #prune} drops them. */
  static final Duration ABANDONED_AFTER = Duration.ofHours(6);

  private final ObjectStore store;
  private final Path tempDir;
  private final Duration abandonedAfter;

  /**
   * A checkpoint that was stored.
   *
   * @param key its key
   * @param bytes its size
   * @param seconds the time to serialise and upload it
   * @param epoch epochs completed
   * @param batch batches into the next epoch
   */
  public record Saved(String key, long bytes, double seconds, int epoch, int batch) {}

  /**
   * A checkpoint that was read and verified.
   *
   * @param key its key
   * @param snapshot the training state it holds
   * @param bytes its size
   * @param seconds the time to download and decode it
   */
  public record Loaded(String key, Snapshot snapshot, long bytes, double seconds) {}

  /**
   * Creates a store that serialises checkpoints into the system's temporary folder.
   *
   * @param store where the checkpoints go
   */
  public CheckpointStore(ObjectStore store) {
    this(store, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /**
   * Creates a store.
   *
   * @param store where the checkpoints go
   * @param tempDir local folder for the file a checkpoint is serialised into before the upload; it
   *     needs room for one checkpoint per concurrent save
   */
  public CheckpointStore(ObjectStore store, Path tempDir) {
    this(store, tempDir, ABANDONED_AFTER);
  }

  CheckpointStore(ObjectStore store, Path tempDir, Duration abandonedAfter) {
    this.store = Objects.requireNonNull(store, "store");
    this.tempDir = Objects.requireNonNull(tempDir, "tempDir");
    this.abandonedAfter = Objects.requireNonNull(abandonedAfter, "abandonedAfter");
  }

  /**
   * The prefix under which a run's checkpoints live.
   *
   * @param runId the run, e.g. the Temporal workflow id {@code run-abc}
   * @return {@code runs/<runId>/checkpoints/}
   * @throws IllegalArgumentException when the id is empty or would leave its folder
   */
  public static String prefix(String runId) {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("the run id is empty; pass the run's id, e.g. run-abc");
    }
    if (runId.contains("/")
        || runId.equals(".")
        || runId.equals("..")
        || runId.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "run id '"
              + runId
              + "' cannot name a folder: it must not contain '/' or control characters, nor be"
              + " '.' or '..'");
    }
    return "runs/" + runId + "/checkpoints/";
  }

  /**
   * The key of a run's checkpoint at a position.
   *
   * @param runId the run
   * @param epoch epochs completed
   * @param batch batches into the next epoch
   * @return {@code runs/<runId>/checkpoints/e%04d-b%04d.ckpt}
   */
  public static String key(String runId, int epoch, int batch) {
    if (epoch < 0 || batch < 0) {
      throw new IllegalArgumentException(
          "epoch and batch must not be negative, were " + epoch + " and " + batch);
    }
    return prefix(runId) + String.format(Locale.ROOT, "e%04d-b%04d.ckpt", epoch, batch);
  }

  /**
   * Stores the run's current state. The snapshot is serialised into a local temporary file (a
   * checkpoint of a big model is hundreds of megabytes: it should not be in memory twice), uploaded
   * so that it becomes visible at once, and the file is deleted.
   *
   * @param runId the run
   * @param run the training run, at an epoch or batch boundary; not modified
   * @return what was stored
   * @throws IOException when writing the file or the upload fails (a {@link StorageException} is
   *     worth retrying)
   */
  public Saved save(String runId, TrainingRun run) throws IOException {
    Objects.requireNonNull(run, "run");
    prefix(runId);
    long start = System.nanoTime();
    Snapshot snapshot = run.snapshot();
    String key = key(runId, snapshot.epoch(), snapshot.batch());
    Files.createDirectories(tempDir);
    Path file = Files.createTempFile(tempDir, "pici-checkpoint-", ".ckpt");
    try {
      MessageDigest sha = sha256();
      long bytes;
      try (CountingOutputStream counting = new CountingOutputStream(Files.newOutputStream(file));
          DigestOutputStream out = new DigestOutputStream(counting, sha)) {
        CheckpointCodec.write(snapshot, out);
        out.flush();
        bytes = counting.count;
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put("sha256", HexFormat.of().formatHex(sha.digest()));
      metadata.put("epoch", Integer.toString(snapshot.epoch()));
      metadata.put("batch", Integer.toString(snapshot.batch()));
      metadata.put("format", Integer.toString(CheckpointCodec.FORMAT));
      store.putFile(key, file, metadata);
      double seconds = (System.nanoTime() - start) / 1e9;
      LOG.info(
          "saved checkpoint {} ({} bytes in {} s)",
          store.uri(key),
          bytes,
          String.format(Locale.ROOT, "%.2f", seconds));
      return new Saved(key, bytes, seconds, snapshot.epoch(), snapshot.batch());
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * A sink for the stage runner: saves, keeps the newest {@code keep} checkpoints and reports.
   *
   * <p>A failed save stops training with the exception. A failed prune does not: the checkpoint is
   * safe, the extra ones cost only space and the next prune removes them.
   *
   * @param runId the run
   * @param keep how many checkpoints to keep, at least 1; the one just saved is always kept
   * @param onSaved called after each save (e.g. to heartbeat the key), or null
   * @return the sink
   */
  public CheckpointSink sink(String runId, int keep, Consumer<Saved> onSaved) {
    prefix(runId);
    if (keep < 1) {
      throw new IllegalArgumentException(
          "keep must be at least 1 (the checkpoint just saved), was " + keep);
    }
    return run -> {
      Saved saved = save(runId, run);
      try {
        prune(runId, keep, saved.key());
      } catch (IOException e) {
        LOG.warn(
            "pruning the checkpoints of run {} failed ({}); the next save tries again",
            runId,
            e.getMessage());
      }
      if (onSaved != null) {
        onSaved.accept(saved);
      }
    };
  }

  /**
   * The newest checkpoint of a run that reads back intact. A damaged or truncated one is reported
   * through {@code warn} and the one before it is tried.
   *
   * @param runId the run
   * @param warn receives one line per damaged checkpoint, naming its key and the problem
   * @return the checkpoint, or empty when the run has none that is intact
   * @throws IOException when the store fails (not for damaged content); worth retrying
   */
  public Optional<Loaded> newest(String runId, Consumer<String> warn) throws IOException {
    Consumer<String> report = warn == null ? s -> {} : warn;
    for (String key : keys(runId)) {
      try {
        Optional<Loaded> loaded = load(key);
        if (loaded.isPresent()) {
          return loaded;
        }
        // Pruned by another writer between the listing and the read: the next one is older.
        LOG.debug("checkpoint {} disappeared while reading", store.uri(key));
      } catch (CorruptCheckpointException e) {
        String line =
            "checkpoint "
                + store.uri(key)
                + " is damaged ("
                + e.getMessage()
                + "); trying the previous one";
        LOG.warn(line);
        report.accept(line);
      }
    }
    return Optional.empty();
  }

  /**
   * Reads and verifies one checkpoint.
   *
   * @param key its key
   * @return the checkpoint, or empty when there is no such object
   * @throws CorruptCheckpointException when it is truncated or damaged, or holds another position
   *     than its name says
   * @throws IOException when the store fails
   */
  public Optional<Loaded> load(String key) throws IOException {
    long start = System.nanoTime();
    InputStream raw;
    try {
      raw = store.open(key);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Snapshot snapshot;
    long bytes;
    try (CountingInputStream in = new CountingInputStream(raw)) {
      snapshot = CheckpointCodec.read(in);
      // The codec reads through a buffer and may stop short of the end; count the whole object.
      in.transferTo(OutputStream.nullOutputStream());
      bytes = in.count;
    }
    Matcher m = NAME.matcher(name(key));
    if (m.matches()
        && (Integer.parseInt(m.group(1)) != snapshot.epoch()
            || Integer.parseInt(m.group(2)) != snapshot.batch())) {
      throw new CorruptCheckpointException(
          "it holds epoch "
              + snapshot.epoch()
              + " batch "
              + snapshot.batch()
              + " but its name says otherwise; it was renamed or overwritten");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.info(
        "loaded checkpoint {} ({} bytes in {} s)",
        store.uri(key),
        bytes,
        String.format(Locale.ROOT, "%.2f", seconds));
    return Optional.of(new Loaded(key, snapshot, bytes, seconds));
  }

  /**
   * The keys of a run's checkpoints, newest first (by epoch, then batch). Other objects under the
   * prefix (temporary uploads) are left out.
   *
   * @param runId the run
   * @return the keys
   * @throws IOException when listing fails
   */
  public List<String> keys(String runId) throws IOException {
    return checkpoints(runId).stream().map(c -> c.info().key()).toList();
  }

  /**
   * Deletes all but the newest {@code keep} checkpoints of a run, and temporary uploads that a
   * writer (or the endpoint) abandoned hours ago.
   *
   * @param runId the run
   * @param keep how many to keep, at least 0
   * @throws IOException when listing or deleting fails
   */
  public void prune(String runId, int keep) throws IOException {
    if (keep < 0) {
      throw new IllegalArgumentException("keep must not be negative, was " + keep);
    }
    prune(runId, keep, null);
  }

  private void prune(String runId, int keep, String protectedKey) throws IOException {
    String prefix = prefix(runId);
    List<ObjectStore.ObjectInfo> all = store.list(prefix);
    List<Checkpoint> checkpoints = checkpoints(prefix, all);
    // The checkpoint just saved counts as one of the kept, wherever it sorts: keys newer than it
    // can only be leftovers that newest() skipped as damaged, and must not push it out.
    int slots = protectedKey == null ? keep : keep - 1;
    int kept = 0;
    for (Checkpoint c : checkpoints) {
      String key = c.info().key();
      if (key.equals(protectedKey)) {
        continue;
      }
      if (kept < slots) {
        kept++;
        continue;
      }
      store.delete(key);
      LOG.debug("pruned checkpoint {}", store.uri(key));
    }
    long cutoff = System.currentTimeMillis() - abandonedAfter.toMillis();
    for (ObjectStore.ObjectInfo o : all) {
      String rest = o.key().substring(prefix.length());
      boolean leftover =
          rest.startsWith(S3ObjectStore.TEMPORARY_DIR) || SERVER_LEFTOVER.matcher(rest).matches();
      if (leftover && o.lastModifiedMillis() <= cutoff) {
        store.delete(o.key());
        LOG.info("removed abandoned temporary upload {}", store.uri(o.key()));
      }
    }
  }

  private record Checkpoint(ObjectStore.ObjectInfo info, int epoch, int batch) {}

  private List<Checkpoint> checkpoints(String runId) throws IOException {
    String prefix = prefix(runId);
    return checkpoints(prefix, store.list(prefix));
  }

  private static List<Checkpoint> checkpoints(String prefix, List<ObjectStore.ObjectInfo> all) {
    List<Checkpoint> out = new ArrayList<>();
    for (ObjectStore.ObjectInfo o : all) {
      String rest = o.key().substring(prefix.length());
      Matcher m = NAME.matcher(rest);
      // Only names of our own layout directly under the prefix: temporary uploads, and files an
      // S3 server writes beside the destination while it copies, are not checkpoints.
      if (m.matches()) {
        out.add(new Checkpoint(o, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
      }
    }
    // Numbers, not names: e10000 sorts before e9999 as text.
    out.sort(
        Comparator.comparingInt(Checkpoint::epoch).thenComparingInt(Checkpoint::batch).reversed());
    return out;
  }

  private static String name(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  private static final class CountingOutputStream extends FilterOutputStream {
    long count;

    CountingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  private static final class CountingInputStream extends FilterInputStream {
    long count;

    CountingInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }
  }
}
