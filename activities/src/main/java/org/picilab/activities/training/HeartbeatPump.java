package org.picilab.activities.training;

import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionClient;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;
import org.picilab.model.train.CheckpointSink;
import org.picilab.workflows.StageHeartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a training activity alive and honest, from a timer thread of its own:
 *
 * <ul>
 *   <li>heartbeats the latest {@link StageHeartbeat} every quarter of the heartbeat timeout, so
 *       that long work between batches (loading data, k-means, uploading a checkpoint) never looks
 *       like a dead worker, and live progress can be read from the server;
 *   <li>notices a worker cut off from Temporal: a cancellation, an attempt the server no longer
 *       knows, or a whole heartbeat timeout without a heartbeat the server acknowledged. From then
 *       on the server may have handed the stage to another worker, so {@link #stopRequested()} asks
 *       the stage runner to stop between two batches and {@link #fence} writes no further
 *       checkpoint;
 *   <li>runs a watchdog on the batch counter: when no batch advanced for {@code watchdog} outside
 *       the phases that legitimately take long ({@link #pauseWatchdog}), the attempt is hung. The
 *       pump stops heartbeating (so the server retries the stage elsewhere even if the training
 *       thread never comes back), interrupts the training thread, asks the runner to stop, and
 *       {@link #failure()} says why.
 * </ul>
 */
final class HeartbeatPump implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatPump.class);

  /** Environment variable: seconds without a batch before the watchdog fails an attempt. */
  static final String WATCHDOG_ENV = "PICI_WATCHDOG_SECONDS";

  /**
   * Default watchdog limit: far beyond the slowest batch expected (seconds on a CPU, a big model's
   * batch on a small GPU), short enough that a hung GPU costs minutes, not the night.
   */
  static final Duration DEFAULT_WATCHDOG = Duration.ofMinutes(10);

  /** Sends a heartbeat; throws when the server refuses it or cannot be reached. */
  @FunctionalInterface
  interface Beat {
    /**
     * Sends one heartbeat synchronously.
     *
     * @param details the details
     * @throws ActivityCompletionException when the attempt is cancelled, gone or unreachable
     */
    void send(StageHeartbeat details);
  }

  private final Beat beat;
  private final long timeoutNanos;
  private final long watchdogNanos;
  private final LongSupplier clock;
  private final Thread trainer;
  private final ScheduledExecutorService timer;
  private final AtomicReference<StageHeartbeat> details = new AtomicReference<>();
  private final AtomicReference<ActivityCompletionException> cancellation = new AtomicReference<>();
  private final AtomicReference<ApplicationFailure> hung = new AtomicReference<>();
  private final AtomicBoolean cutOff = new AtomicBoolean();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong paused = new AtomicLong();
  private volatile boolean pausedUntilBatch = true;
  private volatile long lastAcknowledged;
  private volatile long lastAdvance;

  HeartbeatPump(
      Beat beat, Duration heartbeatTimeout, Duration watchdog, LongSupplier clock, Thread trainer) {
    this.beat = beat;
    this.timeoutNanos = heartbeatTimeout.toNanos();
    this.watchdogNanos = watchdog.toNanos();
    this.clock = clock;
    this.trainer = trainer;
    this.lastAcknowledged = clock.getAsLong();
    this.lastAdvance = lastAcknowledged;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pici-heartbeat");
              t.setDaemon(true);
              return t;
            });
    long period = Math.max(100, heartbeatTimeout.toMillis() / 4);
    timer.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Starts a pump for the calling activity. Heartbeats go out synchronously through the client's
   * activity completion client, so that the pump knows which ones the server acknowledged; where
   * the context has no client (Temporal's activity test environment), through the context.
   *
   * @param ctx the activity's context
   * @param heartbeatTimeout the stage's heartbeat timeout
   * @param watchdog the longest a batch may take, outside long phases
   * @return the running pump; the caller's thread is the one interrupted when the watchdog fires
   */
  static HeartbeatPump start(
      ActivityExecutionContext ctx, Duration heartbeatTimeout, Duration watchdog) {
    return new HeartbeatPump(
        beatFor(ctx), heartbeatTimeout, watchdog, System::nanoTime, Thread.currentThread());
  }

  private static Beat beatFor(ActivityExecutionContext ctx) {
    ActivityCompletionClient completions = null;
    try {
      completions = ctx.getWorkflowClient().newActivityCompletionClient();
    } catch (RuntimeException noClient) {
      LOG.debug("no workflow client in this context: {}", noClient.getMessage());
    }
    if (completions == null) {
      return ctx::heartbeat;
    }
    byte[] token = ctx.getTaskToken();
    ActivityCompletionClient client = completions;
    return d -> client.heartbeat(token, d);
  }

  /**
   * The watchdog limit configured by {@value #WATCHDOG_ENV}, or {@link #DEFAULT_WATCHDOG}.
   *
   * @param env the environment
   * @return the limit
   * @throws IllegalArgumentException naming the variable when it is not a positive number
   */
  static Duration watchdogLimit(Map<String, String> env) {
    String value = env.get(WATCHDOG_ENV);
    if (value == null || value.isBlank()) {
      return DEFAULT_WATCHDOG;
    }
    try {
      long seconds = Long.parseLong(value.trim());
      if (seconds > 0) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        WATCHDOG_ENV
            + " must be a whole number of seconds above 0 (the longest a training batch may take"
            + " before the attempt counts as hung), got '"
            + value
            + "'");
  }

  /**
   * Replaces the details sent with the next heartbeats.
   *
   * @param d the details
   */
  void details(StageHeartbeat d) {
    details.set(d);
  }

  /**
   * Updates the details sent with the next heartbeats.
   *
   * @param change computes the new details from the current ones (never null)
   */
  void update(UnaryOperator<StageHeartbeat> change) {
    details.updateAndGet(d -> d == null ? null : change.apply(d));
  }

  /**
   * A batch finished: the watchdog starts over and a paused one resumes.
   *
   * @return the batches this attempt trained so far
   */
  long batchDone() {
    long n = batches.incrementAndGet();
    lastAdvance = clock.getAsLong();
    pausedUntilBatch = false;
    return n;
  }

  /** A long phase began that ends with the next batch (k-means pseudo-labels). */
  void pauseUntilNextBatch() {
    pausedUntilBatch = true;
  }

  /**
   * Suspends the watchdog for a long phase without batches (loading data, a checkpoint upload,
   * evaluation); close the returned handle when it ends.
   *
   * @return ends the pause
   */
  AutoCloseable pauseWatchdog() {
    paused.incrementAndGet();
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.getAndSet(false)) {
        lastAdvance = clock.getAsLong();
        paused.decrementAndGet();
      }
    };
  }

  /**
   * Whether the stage runner should stop between two batches: cancelled, cut off, or hung.
   *
   * @return true to stop
   */
  boolean stopRequested() {
    return cancellation.get() != null || hung.get() != null || checkCutOff();
  }

  /**
   * True once this attempt may have been handed to another worker (cut off from the server, or
   * hung): it must write no further checkpoint.
   *
   * @return true when fenced
   */
  boolean fenced() {
    return hung.get() != null || checkCutOff();
  }

  /**
   * A sink that writes through {@code sink} while this attempt still holds the stage, and drops the
   * checkpoint once it is {@link #fenced()}; the watchdog is paused while it writes.
   *
   * @param sink the real sink
   * @return the fenced sink
   */
  CheckpointSink fence(CheckpointSink sink) {
    return run -> {
      if (fenced()) {
        LOG.warn("not writing a checkpoint: this attempt no longer holds the stage");
        return;
      }
      try (AutoCloseable pause = pauseWatchdog()) {
        sink.save(run);
      } catch (java.io.IOException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  /**
   * The server's cancellation (or the cut-off), to rethrow from the activity so Temporal records
   * it.
   *
   * @return the exception, or null
   */
  ActivityCompletionException cancellation() {
    return cancellation.get();
  }

  /**
   * Why the attempt must fail, when the watchdog fired.
   *
   * @return a retryable failure, or null
   */
  ApplicationFailure failure() {
    return hung.get();
  }

  /**
   * Whether the worker has been cut off from Temporal: no acknowledged heartbeat for a whole
   * heartbeat timeout, after which the server considers the attempt lost.
   *
   * @return true when cut off
   */
  boolean cutOff() {
    return checkCutOff();
  }

  private boolean checkCutOff() {
    if (cutOff.get()) {
      return true;
    }
    if (clock.getAsLong() - lastAcknowledged >= timeoutNanos) {
      if (cutOff.compareAndSet(false, true)) {
        LOG.warn(
            "no heartbeat acknowledged for {} s (the heartbeat timeout): the server treats this"
                + " attempt as lost; stopping training without further checkpoints",
            timeoutNanos / 1_000_000_000L);
      }
      return true;
    }
    return false;
  }

  private void tick() {
    if (hung.get() != null) {
      return; // let the server time the attempt out
    }
    long now = clock.getAsLong();
    if (paused.get() == 0 && !pausedUntilBatch && now - lastAdvance > watchdogNanos) {
      long seconds = (now - lastAdvance) / 1_000_000_000L;
      ApplicationFailure failure =
          ApplicationFailure.newFailure(
              "no batch advanced for "
                  + seconds
                  + " s (watchdog "
                  + watchdogNanos / 1_000_000_000L
                  + " s, after "
                  + batches.get()
                  + " batches of this attempt): the training is hung; retrying the stage from"
                  + " its newest checkpoint. Raise "
                  + WATCHDOG_ENV
                  + " on the workers if batches are this slow",
              "Hung");
      if (hung.compareAndSet(null, failure)) {
        LOG.error("{}", failure.getOriginalMessage());
        trainer.interrupt();
      }
      return;
    }
    if (cancellation.get() != null) {
      return;
    }
    try {
      beat.send(details.get());
      lastAcknowledged = clock.getAsLong();
    } catch (ActivityCompletionException e) {
      ActivityCompletionException stop = stopReason(e);
      if (stop != null) {
        // Cancelled, timed out or unknown to the server: stop between the next two batches.
        cancellation.compareAndSet(null, stop);
      } else if (e instanceof io.temporal.client.ActivityCompletionFailureException) {
        // The server could not be reached; cut off once a whole heartbeat timeout has passed.
        LOG.debug("heartbeat not acknowledged: {}", e.getMessage());
        checkCutOff();
      } else {
        // Cancelled, timed out or unknown to the server: stop between the next two batches.
        cancellation.compareAndSet(null, e);
      }
    } catch (RuntimeException e) {
      LOG.debug("heartbeat failed: {}", e.getMessage());
      checkCutOff();
    }
  }

  /**
   * The server's answer that the attempt must stop, also when the completion client reports it
   * wrapped in a failure to complete the call.
   */
  private static ActivityCompletionException stopReason(ActivityCompletionException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof io.temporal.client.ActivityCanceledException
          || c instanceof io.temporal.client.ActivityNotExistsException
          || c instanceof io.temporal.client.ActivityPausedException
          || c instanceof io.temporal.client.ActivityResetException) {
        return (ActivityCompletionException) c;
      }
    }
    return e instanceof io.temporal.client.ActivityCompletionFailureException ? null : e;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
