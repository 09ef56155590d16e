package org.picilab.platform.tracking;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Metric points of one tracked run on their way to a {@link Tracker}: the training thread adds them
 * and goes on, a background thread logs them in order, and a point that could not be logged
 * (tracking server down) stays and is tried again with a capped backoff, never dropped while the
 * buffer is open. Each (key, step) reaches the tracker through its idempotent {@link
 * Tracker#logMetrics}, so points logged before by another attempt are skipped there.
 *
 * <p>A {@link Gate} is asked before each point: when it answers that the writer is stale (a newer
 * attempt has taken over the run and replays these epochs itself), the buffer discards what it
 * holds and logs nothing more. {@link #flush} waits until everything is logged; {@link #close}
 * stops the thread and reports what was left.
 */
public final class MetricBuffer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MetricBuffer.class);

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Whether the writer may still log to the run. */
  @FunctionalInterface
  public interface Gate {
    /**
     * Asked before each point is logged.
     *
     * @return true to log, false when the writer is stale (the buffer then discards its points)
     * @throws IOException when it cannot tell now; the point is tried again later
     */
    boolean open() throws IOException;

    /** A gate that is always open. */
    Gate OPEN = () -> true;
  }

  private record Point(long step, Map<String, Double> values) {}

  private final Tracker tracker;
  private final String runId;
  private final Gate gate;
  private final Duration maxBackoff;
  private final Thread thread;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Point> queue = new ArrayDeque<>();
  private boolean busy;
  private boolean closed;
  private boolean stale;
  private long logged;
  private long failedTries;

  /**
   * Starts a buffer and its logging thread.
   *
   * @param tracker where the points go
   * @param runId the tracked run
   * @param gate asked before each point
   * @param maxBackoff the longest pause between two tries
   * @return the buffer; close it
   */
  public static MetricBuffer start(Tracker tracker, String runId, Gate gate, Duration maxBackoff) {
    return new MetricBuffer(tracker, runId, gate, maxBackoff);
  }

  private MetricBuffer(Tracker tracker, String runId, Gate gate, Duration maxBackoff) {
    this.tracker = Objects.requireNonNull(tracker, "tracker");
    TrackerChecks.requireText(runId, "run id");
    this.runId = runId;
    this.gate = Objects.requireNonNull(gate, "gate");
    if (maxBackoff == null || maxBackoff.isNegative() || maxBackoff.isZero()) {
      throw new IllegalArgumentException("maxBackoff must be positive, was " + maxBackoff);
    }
    this.maxBackoff = maxBackoff;
    this.thread = new Thread(this::loop, "pici-metrics-" + runId);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues metric values at one step; returns at once.
   *
   * @param step the step
   * @param values key to value
   */
  public void add(long step, Map<String, Double> values) {
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      return;
    }
    Point point = new Point(step, Map.copyOf(new LinkedHashMap<>(values)));
    lock.lock();
    try {
      if (closed || stale) {
        return;
      }
      queue.addLast(point);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until every queued point is logged, or discarded because the writer is stale.
   *
   * @param timeout the longest wait
   * @return true when nothing is left to log
   * @throws InterruptedException when interrupted
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (!queue.isEmpty() || busy) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Points not logged yet.
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
   * Whether the gate reported the writer stale.
   *
   * @return true once stale
   */
  public boolean stale() {
    lock.lock();
    try {
      return stale;
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    Duration backoff = FIRST_BACKOFF;
    long lastWarning = 0;
    int tries = 0;
    while (true) {
      Point next;
      lock.lock();
      try {
        while (!closed && queue.isEmpty()) {
          changed.await();
        }
        if (closed) {
          return;
        }
        next = queue.peekFirst();
        busy = true;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      boolean done = false;
      try {
        if (!gate.open()) {
          discardAsStale();
          return;
        }
        tracker.logMetrics(runId, next.step(), next.values());
        done = true;
      } catch (IOException e) {
        tries++;
        long now = System.nanoTime();
        if (tries == 1 || now - lastWarning > WARN_EVERY_NANOS) {
          lastWarning = now;
          LOG.warn(
              "run {}: logging metrics at step {} failed ({} tries so far; kept and tried again"
                  + " in the background): {}",
              runId,
              next.step(),
              tries,
              e.getMessage());
        }
      } catch (RuntimeException e) {
        // A point the tracker rejects as invalid fails the same way every time: report it and
        // go on with the others rather than block them for ever.
        LOG.error("run {}: metrics at step {} rejected: {}", runId, next.step(), e.toString());
        done = true;
      }
      lock.lock();
      try {
        busy = false;
        if (done) {
          queue.pollFirst();
          logged++;
        } else {
          failedTries++;
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
      if (done) {
        backoff = FIRST_BACKOFF;
        tries = 0;
        continue;
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(maxBackoff) > 0 ? maxBackoff : doubled;
    }
  }

  private void discardAsStale() {
    lock.lock();
    try {
      LOG.warn(
          "run {}: a newer attempt has taken over; {} metric point(s) are left to it",
          runId,
          queue.size());
      stale = true;
      busy = false;
      queue.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the logging thread; points still queued are reported and not logged by this buffer. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      if (!queue.isEmpty()) {
        LOG.warn(
            "run {}: {} metric point(s) were not logged yet (from step {}); the next attempt logs"
                + " them from the checkpoint's history",
            runId,
            queue.size(),
            queue.peekFirst().step());
      }
      LOG.debug("run {}: {} metric points logged, {} failed tries", runId, logged, failedTries);
    } finally {
      lock.unlock();
    }
  }
}
