package org.picilab.activities.training;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.picilab.model.train.CheckpointSink;
import org.picilab.model.train.TrainingRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A checkpoint sink that writes each checkpoint to a local spool folder and uploads it from a
 * background thread, so that neither the upload's time nor a storage outage stops training.
 *
 * <ul>
 *   <li><b>Order.</b> Checkpoints are uploaded oldest first, one at a time; the run's old
 *       checkpoints are pruned only after a newer one is uploaded.
 *   <li><b>Retries.</b> A failed upload is tried again, with a backoff doubling from half a second
 *       up to {@link Limits#maxBackoff}, for as long as it takes: an outage of the object store
 *       costs time in the background, not the stage.
 *   <li><b>Bounded.</b> At most {@link Limits#maxCheckpoints} checkpoints and {@link
 *       Limits#maxBytes} bytes wait in the spool (counting the one being uploaded). When a new one
 *       does not fit, pending ones that it supersedes are dropped, oldest first; the one being
 *       uploaded and the newest are never dropped, so when they alone overflow the spool, training
 *       waits for the upload rather than losing the newest checkpoint. The spool may hold one
 *       checkpoint more than the limit while training waits.
 *   <li><b>Fenced.</b> Every upload first checks the run's generations ({@link
 *       CheckpointStore#checkFence}): once a newer attempt has claimed the run, nothing more is
 *       uploaded, {@link #stale()} turns true and the next {@link #save} or {@link #drain} throws
 *       {@link StaleAttemptException}.
 * </ul>
 *
 * <p>At the end of a stage the activity calls {@link #drain} to wait until the final checkpoint is
 * in the store, so that the next stage or attempt finds it. {@link #close} stops the upload thread
 * and deletes the spool folder, with whatever it still held.
 */
public final class CheckpointSpool implements CheckpointSink, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointSpool.class);

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

  /** How often a waiting thread looks at its stop condition. */
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  /** Between two warnings about the same failing upload. */
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** The environment variable with the spool folder. */
  public static final String DIR_ENV = "PICI_SPOOL_DIR";

  /** The environment variable with the most checkpoints a spool holds. */
  public static final String CHECKPOINTS_ENV = "PICI_SPOOL_CHECKPOINTS";

  /** The environment variable with the most bytes a spool holds. */
  public static final String BYTES_ENV = "PICI_SPOOL_BYTES";

  /**
   * The bounds of a spool.
   *
   * @param dir the local folder under which each spool gets its own folder
   * @param maxCheckpoints checkpoints waiting (the one being uploaded included), at least 1
   * @param maxBytes bytes of checkpoints waiting, at least 1; one checkpoint larger than this is
   *     still spooled, alone
   * @param maxBackoff the longest pause between two tries of an upload
   */
  public record Limits(Path dir, int maxCheckpoints, long maxBytes, Duration maxBackoff) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the value at fault
     */
    public Limits {
      Objects.requireNonNull(dir, "dir");
      if (maxCheckpoints < 1) {
        throw new IllegalArgumentException(
            "the spool must hold at least 1 checkpoint ("
                + CHECKPOINTS_ENV
                + "), was "
                + maxCheckpoints);
      }
      if (maxBytes < 1) {
        throw new IllegalArgumentException(
            "the spool must hold at least 1 byte (" + BYTES_ENV + "), was " + maxBytes);
      }
      if (maxBackoff == null || maxBackoff.isNegative() || maxBackoff.isZero()) {
        throw new IllegalArgumentException("maxBackoff must be positive, was " + maxBackoff);
      }
    }

    /**
     * The defaults: under the system's temporary folder, 3 checkpoints, 8 GiB, 30 s between tries.
     *
     * @return the limits
     */
    public static Limits defaults() {
      return new Limits(
          Path.of(System.getProperty("java.io.tmpdir"), "pici-spool"), 3, 8L << 30, seconds(30));
    }

    /**
     * The defaults, with what the environment sets: {@value #DIR_ENV}, {@value #CHECKPOINTS_ENV}
     * and {@value #BYTES_ENV}.
     *
     * @param env the environment
     * @return the limits
     * @throws IllegalArgumentException naming the variable when a value is not valid
     */
    public static Limits fromEnvironment(Map<String, String> env) {
      Limits d = defaults();
      String dir = env.get(DIR_ENV);
      return new Limits(
          dir == null || dir.isBlank() ? d.dir() : Path.of(dir),
          (int) number(env, CHECKPOINTS_ENV, d.maxCheckpoints()),
          number(env, BYTES_ENV, d.maxBytes()),
          d.maxBackoff());
    }

    private static long number(Map<String, String> env, String name, long fallback) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        long n = Long.parseLong(value.trim());
        if (n < 1 || (name.equals(CHECKPOINTS_ENV) && n > Integer.MAX_VALUE)) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            name + "='" + value + "' is not a positive whole number; unset it for the default");
      }
    }

    private static Duration seconds(long s) {
      return Duration.ofSeconds(s);
    }
  }

  private final CheckpointStore store;
  private final String runId;
  private final long generation;
  private final int keep;
  private final Limits limits;
  private final Path dir;
  private final Consumer<CheckpointStore.Saved> onUploaded;
  private final BooleanSupplier stop;
  private final Thread uploader;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Entry> queue = new ArrayDeque<>();
  private long queuedBytes;
  private long sequence;
  private boolean closed;
  private StaleAttemptException stale;
  private RuntimeException broken;
  private long uploaded;
  private long dropped;
  private long failedTries;

  private static final class Entry {
    final CheckpointStore.Local local;
    boolean uploading;

    Entry(CheckpointStore.Local local) {
      this.local = local;
    }
  }

  /**
   * Opens a spool for one attempt of a run and starts its upload thread.
   *
   * @param store where the checkpoints go
   * @param runId the run
   * @param generation the attempt's generation ({@link CheckpointStore#claim})
   * @param keep checkpoints of the run kept in the store, at least 1
   * @param limits the bounds
   * @param onUploaded called on the upload thread after each upload (e.g. to heartbeat the key), or
   *     null
   * @param stop tells a {@link #save} that waits for room to give up (the attempt was cancelled)
   * @return the spool; close it
   * @throws IOException when the spool folder cannot be created
   */
  public static CheckpointSpool open(
      CheckpointStore store,
      String runId,
      long generation,
      int keep,
      Limits limits,
      Consumer<CheckpointStore.Saved> onUploaded,
      BooleanSupplier stop)
      throws IOException {
    CheckpointStore.prefix(runId);
    CheckpointStore.requireKeep(keep);
    Files.createDirectories(limits.dir());
    Path dir = Files.createTempDirectory(limits.dir(), runId + "-g" + generation + "-");
    return new CheckpointSpool(store, runId, generation, keep, limits, dir, onUploaded, stop);
  }

  private CheckpointSpool(
      CheckpointStore store,
      String runId,
      long generation,
      int keep,
      Limits limits,
      Path dir,
      Consumer<CheckpointStore.Saved> onUploaded,
      BooleanSupplier stop) {
    this.store = Objects.requireNonNull(store, "store");
    this.runId = runId;
    this.generation = generation;
    this.keep = keep;
    this.limits = limits;
    this.dir = dir;
    this.onUploaded = onUploaded;
    this.stop = stop == null ? () -> false : stop;
    this.uploader = new Thread(this::uploadLoop, "pici-upload-" + runId);
    uploader.setDaemon(true);
    uploader.start();
  }

  /**
   * Writes the run's state into the spool and returns; the upload follows in the background. When
   * the spool is full, superseded pending checkpoints are dropped, or training waits for the upload
   * in progress.
   *
   * @param run the run, positioned at an epoch or batch boundary
   * @throws StaleAttemptException when a newer attempt has claimed the run
   * @throws InterruptedIOException when the attempt was stopped or interrupted while waiting for
   *     room
   * @throws IOException when the local file cannot be written
   */
  @Override
  public void save(TrainingRun run) throws IOException {
    failIfDone();
    Path file;
    lock.lock();
    try {
      file = dir.resolve(String.format(Locale.ROOT, "%06d.ckpt", sequence++));
    } finally {
      lock.unlock();
    }
    CheckpointStore.Local local;
    try {
      local = store.writeLocal(run, file);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    lock.lock();
    try {
      queue.addLast(new Entry(local));
      queuedBytes += local.bytes();
      changed.signalAll();
      while (queue.size() > limits.maxCheckpoints() || queuedBytes > limits.maxBytes()) {
        Entry victim = droppable();
        if (victim != null) {
          remove(victim);
          dropped++;
          LOG.info(
              "{}: dropped the pending checkpoint of epoch {} batch {} from the spool: a newer"
                  + " one supersedes it and the spool is full",
              runId,
              victim.local.epoch(),
              victim.local.batch());
          continue;
        }
        failIfDoneLocked();
        if (stop.getAsBoolean()) {
          throw new InterruptedIOException(
              runId + ": stopped while waiting for room in the checkpoint spool");
        }
        changed.awaitNanos(POLL_NANOS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          runId + ": interrupted while waiting for room in the checkpoint spool");
    } finally {
      lock.unlock();
    }
  }

  /** The oldest pending checkpoint that is neither being uploaded nor the newest. */
  private Entry droppable() {
    Entry newest = queue.peekLast();
    for (Entry e : queue) {
      if (!e.uploading && e != newest) {
        return e;
      }
    }
    return null;
  }

  /**
   * Waits until every spooled checkpoint is uploaded. The caller's heartbeats go on meanwhile (they
   * run on their own timer).
   *
   * @param giveUp polled while waiting; when it turns true, the wait ends
   * @return true when the spool is empty, false when {@code giveUp} ended the wait first
   * @throws StaleAttemptException when a newer attempt has claimed the run
   * @throws InterruptedIOException when interrupted
   */
  public boolean drain(BooleanSupplier giveUp) throws IOException {
    lock.lock();
    try {
      while (!queue.isEmpty()) {
        failIfDoneLocked();
        if (giveUp.getAsBoolean()) {
          return false;
        }
        changed.awaitNanos(POLL_NANOS);
      }
      failIfDoneLocked();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(runId + ": interrupted while uploading checkpoints");
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether a newer attempt has claimed the run, as the last upload found.
   *
   * @return true once this attempt is fenced
   */
  public boolean stale() {
    lock.lock();
    try {
      return stale != null;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Checkpoints waiting in the spool, the one being uploaded included.
   *
   * @return the count
   */
  public int pending() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * What the spool did so far.
   *
   * @return uploaded checkpoints, dropped (superseded) ones and failed upload tries
   */
  public String stats() {
    lock.lock();
    try {
      return String.format(
          Locale.ROOT,
          "%d uploaded, %d superseded and dropped, %d failed tries",
          uploaded,
          dropped,
          failedTries);
    } finally {
      lock.unlock();
    }
  }

  /** The generation this spool uploads under. */
  long generation() {
    return generation;
  }

  private void failIfDone() throws IOException {
    lock.lock();
    try {
      failIfDoneLocked();
    } finally {
      lock.unlock();
    }
  }

  private void failIfDoneLocked() throws IOException {
    if (stale != null) {
      throw new StaleAttemptException(runId, stale.generation(), stale.newer());
    }
    if (broken != null) {
      throw new IOException(
          runId + ": the checkpoint upload thread failed: " + broken.getMessage(), broken);
    }
    if (closed) {
      throw new IOException(runId + ": the checkpoint spool is closed");
    }
  }

  private void remove(Entry e) {
    queue.remove(e);
    queuedBytes -= e.local.bytes();
    deleteQuietly(e.local.file());
    changed.signalAll();
  }

  private void uploadLoop() {
    while (true) {
      Entry next;
      lock.lock();
      try {
        while (!closed && queue.isEmpty()) {
          changed.await();
        }
        if (closed) {
          return;
        }
        next = queue.peekFirst();
        next.uploading = true;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      CheckpointStore.Saved saved;
      try {
        saved = uploadWithRetries(next);
      } catch (StaleAttemptException e) {
        LOG.warn("{}: {}", runId, e.getMessage());
        lock.lock();
        try {
          stale = e;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
        return;
      } catch (InterruptedIOException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("{}: the checkpoint upload thread failed", runId, e);
        lock.lock();
        try {
          broken = e;
          changed.signalAll();
        } finally {
          lock.unlock();
        }
        return;
      }
      // Only now that a newer checkpoint is stored may older ones go.
      store.pruneAfter(runId, generation, keep, saved.key());
      lock.lock();
      try {
        uploaded++;
        remove(next);
      } finally {
        lock.unlock();
      }
      if (onUploaded != null) {
        try {
          onUploaded.accept(saved);
        } catch (RuntimeException e) {
          LOG.warn("{}: after uploading {}: {}", runId, saved.key(), e.toString());
        }
      }
    }
  }

  private CheckpointStore.Saved uploadWithRetries(Entry entry)
      throws StaleAttemptException, InterruptedIOException {
    Duration backoff = FIRST_BACKOFF;
    long firstFailure = 0;
    long lastWarning = 0;
    for (int tries = 1; ; tries++) {
      try {
        CheckpointStore.Saved saved = store.upload(runId, generation, entry.local);
        if (tries > 1) {
          LOG.info(
              "{}: uploaded {} after {} tries over {} s",
              runId,
              saved.key(),
              tries,
              String.format(Locale.ROOT, "%.1f", (System.nanoTime() - firstFailure) / 1e9));
        }
        return saved;
      } catch (StaleAttemptException e) {
        throw e;
      } catch (IOException | UncheckedIOException e) {
        // A read timeout is an InterruptedIOException too: only closing ends the tries.
        long now = System.nanoTime();
        lock.lock();
        try {
          failedTries++;
          if (closed) {
            throw new InterruptedIOException("the spool was closed");
          }
        } finally {
          lock.unlock();
        }
        if (tries == 1) {
          firstFailure = now;
        }
        if (tries == 1 || now - lastWarning > WARN_EVERY_NANOS) {
          lastWarning = now;
          LOG.warn(
              "{}: uploading the checkpoint of epoch {} batch {} failed ({} tries so far, trying"
                  + " again in the background; training goes on): {}",
              runId,
              entry.local.epoch(),
              entry.local.batch(),
              tries,
              e.getMessage());
        }
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException ie) {
          throw new InterruptedIOException("interrupted between upload tries");
        }
        Duration doubled = backoff.multipliedBy(2);
        backoff = doubled.compareTo(limits.maxBackoff()) > 0 ? limits.maxBackoff() : doubled;
      }
    }
  }

  /** Stops the upload thread and deletes the spool folder with what it still holds. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    uploader.interrupt();
    try {
      uploader.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      if (!queue.isEmpty()) {
        LOG.warn(
            "{}: {} checkpoint(s) not uploaded are dropped with the spool (the run resumes from"
                + " the newest one uploaded)",
            runId,
            queue.size());
      }
      for (Iterator<Entry> it = queue.iterator(); it.hasNext(); ) {
        deleteQuietly(it.next().local.file());
        it.remove();
      }
      queuedBytes = 0;
    } finally {
      lock.unlock();
    }
    try (Stream<Path> left = Files.list(dir)) {
      left.forEach(CheckpointSpool::deleteQuietly);
    } catch (IOException e) {
      LOG.debug("could not list {}: {}", dir, e.getMessage());
    }
    deleteQuietly(dir);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", file, e.getMessage());
    }
  }
}
