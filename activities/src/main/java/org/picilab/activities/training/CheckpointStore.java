package org.picilab.activities.training;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import java.util.UUID;
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
 * runs/<runId>/checkpoints/e0003-b0000-g0002.ckpt} (three epochs completed, no batches into the
 * fourth, written by the attempt of generation 2).
 *
 * <p><b>Fencing.</b> Every attempt that writes checkpoints of a run first {@linkplain #claim
 * claims} a generation greater than any claimed or written before for that run (a small object
 * under {@code runs/<runId>/generations/}). Its checkpoint keys carry the generation, so attempts
 * never write the same key; keys without one ({@code e0003-b0000.ckpt}, written before generations
 * existed) are generation 0 and stay readable. Checkpoints sort by generation first, then by
 * position: the newest attempt's checkpoints are the run's. A writer checks before every upload
 * that no newer generation exists, and stops with a {@link StaleAttemptException} when one does (a
 * worker that was cut off and kept training); pruning never deletes keys of a newer generation.
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

  private static final Pattern NAME =
      Pattern.compile("e(\\d{4,9})-b(\\d{4,9})(?:-g(\\d{4,18}))?\\.ckpt");

  /** A generation claim: {@code g<generation, 18 digits>-<random token>}. */
  private static final Pattern CLAIM = Pattern.compile("g(\\d{18})-([0-9a-f]{32})");

  /** Claims kept per run; older ones are deleted by the next claim (the newest counts alone). */
  private static final int CLAIMS_KEPT = 8;

  /**
   * What S3Proxy's filesystem store writes beside a destination while it stores or copies an object
   * ({@code <key>-<uuid>}, renamed at the end); a crash of the endpoint leaves it behind.
   */
  private static final Pattern SERVER_LEFTOVER =
      Pattern.compile(
          "e\\d{4,9}-b\\d{4,9}(-g\\d{4,18})?\\.ckpt-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");

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
   * @param generation the generation of the attempt that wrote it
   */
  public record Saved(
      String key, long bytes, double seconds, int epoch, int batch, long generation) {}

  /**
   * A checkpoint serialised into a local file, not uploaded yet.
   *
   * @param file the file
   * @param epoch epochs completed
   * @param batch batches into the next epoch
   * @param bytes its size
   * @param sha256 the SHA-256 of the file, hex
   * @param seconds the time to take the snapshot and write the file
   */
  public record Local(Path file, int epoch, int batch, long bytes, String sha256, double seconds) {}

  /**
   * Where a checkpoint stands among those of its run: the newest attempt's checkpoints come first,
   * then later positions.
   *
   * @param generation the generation of the attempt that wrote it, 0 for keys without one
   * @param epoch epochs completed
   * @param batch batches into the next epoch
   */
  public record Position(long generation, int epoch, int batch) implements Comparable<Position> {
    private static final Comparator<Position> ORDER =
        Comparator.comparingLong(Position::generation)
            .thenComparingInt(Position::epoch)
            .thenComparingInt(Position::batch);

    @Override
    public int compareTo(Position other) {
      return ORDER.compare(this, other);
    }
  }

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
   * The key of a run's checkpoint at a position, without a generation (generation 0: the layout
   * before attempts were fenced, still read).
   *
   * @param runId the run
   * @param epoch epochs completed
   * @param batch batches into the next epoch
   * @return {@code runs/<runId>/checkpoints/e%04d-b%04d.ckpt}
   */
  public static String key(String runId, int epoch, int batch) {
    return key(runId, epoch, batch, 0);
  }

  /**
   * The key of a run's checkpoint at a position, written by an attempt of a generation.
   *
   * @param runId the run
   * @param epoch epochs completed
   * @param batch batches into the next epoch
   * @param generation the writer's generation; 0 gives the key without a generation
   * @return {@code runs/<runId>/checkpoints/e%04d-b%04d-g%04d.ckpt}
   */
  public static String key(String runId, int epoch, int batch, long generation) {
    if (epoch < 0 || batch < 0 || generation < 0) {
      throw new IllegalArgumentException(
          "epoch, batch and generation must not be negative, were "
              + epoch
              + ", "
              + batch
              + " and "
              + generation);
    }
    String name =
        generation == 0
            ? String.format(Locale.ROOT, "e%04d-b%04d.ckpt", epoch, batch)
            : String.format(Locale.ROOT, "e%04d-b%04d-g%04d.ckpt", epoch, batch, generation);
    return prefix(runId) + name;
  }

  /**
   * The position a checkpoint key names.
   *
   * @param key a key, e.g. {@code runs/run-a/checkpoints/e0003-b0000-g0002.ckpt}
   * @return its position, or empty when the key's last segment is not a checkpoint name
   */
  public static Optional<Position> position(String key) {
    Matcher m = NAME.matcher(name(Objects.requireNonNull(key, "key")));
    if (!m.matches()) {
      return Optional.empty();
    }
    long generation = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
    return Optional.of(
        new Position(generation, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
  }

  /**
   * Whether one checkpoint key sorts after another among a run's checkpoints (a newer generation,
   * or the same generation further on). A key that is not a checkpoint name is never newer.
   *
   * @param key the candidate
   * @param than the reference
   * @return true when {@code key} is the newer checkpoint
   */
  public static boolean isNewer(String key, String than) {
    Optional<Position> a = position(key);
    Optional<Position> b = position(than);
    return a.isPresent() && (b.isEmpty() || a.get().compareTo(b.get()) > 0);
  }

  // ---------------------------------------------------------------- generations

  /**
   * Claims a generation for an attempt that is going to write checkpoints of a run: one greater
   * than every generation claimed or written before. The claim is an object under {@code
   * runs/<runId>/generations/} that names the owner, so that older attempts see it and stop.
   *
   * <p>Two attempts that claim at the same moment may read the same newest generation; the one
   * whose random token is smaller then claims again, above both, so exactly one of them ends as the
   * newest and the other is fenced at its next upload.
   *
   * @param runId the run
   * @param owner who claims, for people reading the bucket (worker, workflow, attempt)
   * @return the generation, at least 1
   * @throws IOException when the store fails (worth retrying)
   */
  public long claim(String runId, String owner) throws IOException {
    String prefix = generationsPrefix(runId);
    for (int tries = 1; ; tries++) {
      long generation = newestGeneration(runId) + 1;
      String token = UUID.randomUUID().toString().replace("-", "");
      String key = prefix + String.format(Locale.ROOT, "g%018d-%s", generation, token);
      String body =
          "{\"generation\":"
              + generation
              + ",\"owner\":\""
              + jsonEscape(Objects.requireNonNullElse(owner, ""))
              + "\",\"claimedAt\":"
              + System.currentTimeMillis()
              + "}\n";
      store.putBytes(key, body.getBytes(StandardCharsets.UTF_8), "application/json");
      List<Claim> claims = claims(runId);
      boolean yields =
          claims.stream()
              .anyMatch(c -> c.generation() == generation && c.token().compareTo(token) > 0);
      if (!yields) {
        for (int i = CLAIMS_KEPT; i < claims.size(); i++) {
          store.delete(claims.get(i).key());
        }
        LOG.info("{}: generation {} claimed by {}", runId, generation, owner);
        return generation;
      }
      if (tries >= 10) {
        throw new StorageException(
            "could not claim a checkpoint generation of run "
                + runId
                + ": other attempts claimed the same one 10 times in a row; retry the attempt",
            null);
      }
    }
  }

  /**
   * The highest generation claimed or written for a run.
   *
   * @param runId the run
   * @return the generation, 0 when none was claimed and only keys without one exist
   * @throws IOException when listing fails
   */
  public long newestGeneration(String runId) throws IOException {
    long newest = 0;
    for (Claim c : claims(runId)) {
      newest = Math.max(newest, c.generation());
    }
    for (Checkpoint c : checkpoints(runId)) {
      newest = Math.max(newest, c.position().generation());
    }
    return newest;
  }

  /**
   * Fails when an attempt newer than {@code generation} has claimed the run.
   *
   * @param runId the run
   * @param generation the caller's generation
   * @throws StaleAttemptException when a newer generation exists
   * @throws IOException when listing fails
   */
  public void checkFence(String runId, long generation) throws IOException {
    List<Claim> claims = claims(runId);
    if (!claims.isEmpty() && claims.get(0).generation() > generation) {
      throw new StaleAttemptException(runId, generation, claims.get(0).generation());
    }
  }

  private record Claim(String key, long generation, String token) {}

  /** A run's claims, highest generation first. */
  private List<Claim> claims(String runId) throws IOException {
    String prefix = generationsPrefix(runId);
    List<Claim> claims = new ArrayList<>();
    for (ObjectStore.ObjectInfo o : store.list(prefix)) {
      Matcher m = CLAIM.matcher(o.key().substring(prefix.length()));
      if (m.matches()) {
        claims.add(new Claim(o.key(), Long.parseLong(m.group(1)), m.group(2)));
      }
    }
    claims.sort(Comparator.comparingLong(Claim::generation).reversed());
    return claims;
  }

  private static String generationsPrefix(String runId) {
    String checkpoints = prefix(runId);
    return checkpoints.substring(0, checkpoints.length() - "checkpoints/".length())
        + "generations/";
  }

  private static String jsonEscape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  // ---------------------------------------------------------------- writing

  /**
   * Serialises the run's current state into a local file (a checkpoint of a big model is hundreds
   * of megabytes: it should not be in memory twice), forced to disk.
   *
   * @param run the training run, at an epoch or batch boundary; not modified
   * @param file the file to write, replaced if present
   * @return what was written
   * @throws IOException when writing fails
   */
  public Local writeLocal(TrainingRun run, Path file) throws IOException {
    Objects.requireNonNull(run, "run");
    long start = System.nanoTime();
    Snapshot snapshot = run.snapshot();
    MessageDigest sha = sha256();
    long bytes;
    try (FileChannel channel =
            FileChannel.open(
                file,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        CountingOutputStream counting =
            new CountingOutputStream(
                new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
        DigestOutputStream out = new DigestOutputStream(counting, sha)) {
      CheckpointCodec.write(snapshot, out);
      out.flush();
      channel.force(false);
      bytes = counting.count;
    }
    return new Local(
        file,
        snapshot.epoch(),
        snapshot.batch(),
        bytes,
        HexFormat.of().formatHex(sha.digest()),
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * Uploads a local checkpoint under the key of its position and the writer's generation, after
   * checking that no newer generation has claimed the run. It becomes visible all at once ({@link
   * ObjectStore#putFile}); the local file is left in place.
   *
   * @param runId the run
   * @param generation the writer's generation
   * @param local the checkpoint
   * @return what was stored
   * @throws StaleAttemptException when a newer attempt has claimed the run; nothing is uploaded
   * @throws IOException when the upload fails (a {@link StorageException} is worth retrying)
   */
  public Saved upload(String runId, long generation, Local local) throws IOException {
    Objects.requireNonNull(local, "local");
    String key = key(runId, local.epoch(), local.batch(), generation);
    long start = System.nanoTime();
    checkFence(runId, generation);
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("sha256", local.sha256());
    metadata.put("epoch", Integer.toString(local.epoch()));
    metadata.put("batch", Integer.toString(local.batch()));
    metadata.put("generation", Long.toString(generation));
    metadata.put("format", Integer.toString(CheckpointCodec.FORMAT));
    store.putFile(key, local.file(), metadata);
    double seconds = local.seconds() + (System.nanoTime() - start) / 1e9;
    LOG.info(
        "saved checkpoint {} ({} bytes in {} s)",
        store.uri(key),
        local.bytes(),
        String.format(Locale.ROOT, "%.2f", seconds));
    return new Saved(key, local.bytes(), seconds, local.epoch(), local.batch(), generation);
  }

  /**
   * Stores the run's current state at once: serialised into a local temporary file, uploaded, the
   * file deleted.
   *
   * @param runId the run
   * @param generation the writer's generation (see {@link #claim})
   * @param run the training run, at an epoch or batch boundary; not modified
   * @return what was stored
   * @throws StaleAttemptException when a newer attempt has claimed the run
   * @throws IOException when writing the file or the upload fails (a {@link StorageException} is
   *     worth retrying)
   */
  public Saved save(String runId, long generation, TrainingRun run) throws IOException {
    prefix(runId);
    Files.createDirectories(tempDir);
    Path file = Files.createTempFile(tempDir, "pici-checkpoint-", ".ckpt");
    try {
      return upload(runId, generation, writeLocal(run, file));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * A sink for the stage runner that saves on the training thread: saves, keeps the newest {@code
   * keep} checkpoints and reports. {@link CheckpointSpool} is the sink that uploads in the
   * background.
   *
   * <p>A failed save stops training with the exception. A failed prune does not: the checkpoint is
   * safe, the extra ones cost only space and the next prune removes them.
   *
   * @param runId the run
   * @param generation the writer's generation (see {@link #claim})
   * @param keep how many checkpoints to keep, at least 1; the one just saved is always kept
   * @param onSaved called after each save (e.g. to heartbeat the key), or null
   * @return the sink
   */
  public CheckpointSink sink(String runId, long generation, int keep, Consumer<Saved> onSaved) {
    prefix(runId);
    requireKeep(keep);
    return run -> {
      Saved saved = save(runId, generation, run);
      pruneAfter(runId, generation, keep, saved.key());
      if (onSaved != null) {
        onSaved.accept(saved);
      }
    };
  }

  static void requireKeep(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException(
          "keep must be at least 1 (the checkpoint just saved), was " + keep);
    }
  }

  /** Prunes after a save; a failure is logged, the next save tries again. */
  void pruneAfter(String runId, long generation, int keep, String savedKey) {
    try {
      prune(runId, generation, keep, savedKey);
    } catch (IOException e) {
      LOG.warn(
          "pruning the checkpoints of run {} failed ({}); the next save tries again",
          runId,
          e.getMessage());
    }
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
    prune(runId, Long.MAX_VALUE, keep, null);
  }

  /**
   * Prunes as a writer of a generation: keys of newer generations are neither deleted nor counted,
   * and the key just saved counts as one of the kept wherever it sorts.
   */
  private void prune(String runId, long generation, int keep, String protectedKey)
      throws IOException {
    String prefix = prefix(runId);
    List<ObjectStore.ObjectInfo> all = store.list(prefix);
    List<Checkpoint> checkpoints = checkpoints(prefix, all);
    // Keys newer than the one just saved can only be leftovers that newest() skipped as damaged,
    // or a newer attempt's: they must not push it out.
    int slots = protectedKey == null ? keep : keep - 1;
    int kept = 0;
    for (Checkpoint c : checkpoints) {
      String key = c.info().key();
      if (key.equals(protectedKey) || c.position().generation() > generation) {
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

  private record Checkpoint(ObjectStore.ObjectInfo info, Position position) {}

  private List<Checkpoint> checkpoints(String runId) throws IOException {
    String prefix = prefix(runId);
    return checkpoints(prefix, store.list(prefix));
  }

  private static List<Checkpoint> checkpoints(String prefix, List<ObjectStore.ObjectInfo> all) {
    List<Checkpoint> out = new ArrayList<>();
    for (ObjectStore.ObjectInfo o : all) {
      String rest = o.key().substring(prefix.length());
      // Only names of our own layout directly under the prefix: temporary uploads, and files an
      // S3 server writes beside the destination while it copies, are not checkpoints.
      if (NAME.matcher(rest).matches()) {
        out.add(new Checkpoint(o, position(rest).orElseThrow()));
      }
    }
    // Numbers, not names: e10000 sorts before e9999 as text.
    out.sort(Comparator.comparing(Checkpoint::position).reversed());
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
