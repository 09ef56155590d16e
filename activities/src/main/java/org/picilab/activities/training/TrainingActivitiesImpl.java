package org.picilab.activities.training;

import ai.djl.Device;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.picilab.model.config.ConfigException;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.Epochs;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.DataException;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.eval.Evaluation;
import org.picilab.model.eval.Evaluator;
import org.picilab.model.local.RunDirectory;
import org.picilab.model.local.RunOutputs;
import org.picilab.model.local.RunResult;
import org.picilab.model.train.BatchProgress;
import org.picilab.model.train.DivergenceException;
import org.picilab.model.train.EpochRecord;
import org.picilab.model.train.Stage;
import org.picilab.model.train.StageRunner;
import org.picilab.model.train.TrainingCancelledException;
import org.picilab.model.train.TrainingListener;
import org.picilab.model.train.TrainingRun;
import org.picilab.platform.registry.Registry;
import org.picilab.platform.store.ObjectStore;
import org.picilab.platform.store.S3Uri;
import org.picilab.platform.tracking.MetricBuffer;
import org.picilab.platform.tracking.Tracker;
import org.picilab.workflows.EpochProgress;
import org.picilab.workflows.EvaluationResult;
import org.picilab.workflows.Execution;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.RunPlan;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.Scores;
import org.picilab.workflows.StageHeartbeat;
import org.picilab.workflows.StageOutcome;
import org.picilab.workflows.StageRequest;
import org.picilab.workflows.TrainingActivities;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training worker's activities; see {@link TrainingActivities}. One instance serves every
 * activity of a worker; state lives in the activity invocation, the object store and the tracker.
 */
public final class TrainingActivitiesImpl implements TrainingActivities {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingActivitiesImpl.class);

  /** Tag with the PICI Lab run id on the tracked run. */
  public static final String RUN_TAG = "pici.runId";

  /** The tag that names the stage a tracked run is in: pretrain, train, boost or evaluate. */
  public static final String STAGE_TAG = "pici.stage";

  /** Experiment of runs that belong to no sweep. */
  public static final String STANDALONE_EXPERIMENT = "runs";

  private static final long MID_EPOCH_REPORT_MILLIS = 15_000;

  /**
   * The failure type of an attempt that found a newer attempt of its run: it was cut off and the
   * run went on elsewhere. Temporal has already given up on it, so its failure changes nothing.
   */
  public static final String STALE_ATTEMPT = "StaleAttempt";

  /**
   * How long a stage's end waits for its metric points to reach the tracker; what is left is logged
   * by the next attempt from the checkpoint's history.
   */
  private static final Duration METRICS_FLUSH_AT_END = Duration.ofSeconds(30);

  /** How long a cancelled stage waits for its last checkpoint to be uploaded. */
  private static final Duration UPLOAD_AFTER_CANCEL = Duration.ofSeconds(60);

  /** The longest pause between two tries of logging a metric point. */
  private static final Duration METRICS_MAX_BACKOFF = Duration.ofSeconds(30);

  private final ObjectStore store;
  private final ObjectStoreFactory stores;
  private final CheckpointStore checkpoints;
  private final Tracker tracker;
  private final Registry registry;
  private final Duration watchdog;
  private final DatasetCache datasets;
  private final Device device;
  private final String worker;
  private final CheckpointSpool.Limits spool;

  /** Opens stores for buckets other than the platform's, for artifact locations elsewhere. */
  @FunctionalInterface
  public interface ObjectStoreFactory {
    /**
     * A store for a bucket.
     *
     * @param bucket the bucket
     * @return a store
     * @throws IOException when it cannot be opened
     */
    ObjectStore forBucket(String bucket) throws IOException;
  }

  /**
   * Creates the activities, with the checkpoint spool's default limits.
   *
   * @param store the platform's object store
   * @param stores opens stores for other buckets
   * @param tracker the tracking backend
   * @param watchdog the longest a training batch may take before the attempt counts as hung and is
   *     retried (see {@link #watchdog})
   * @param datasets the worker's data set cache
   * @param device where to train
   * @param worker this worker's identity, for progress reports
   */
  public TrainingActivitiesImpl(
      ObjectStore store,
      ObjectStoreFactory stores,
      Tracker tracker,
      Duration watchdog,
      DatasetCache datasets,
      Device device,
      String worker) {
    this(
        store,
        stores,
        tracker,
        watchdog,
        datasets,
        device,
        worker,
        CheckpointSpool.Limits.defaults());
  }

  /**
   * Creates the activities.
   *
   * @param store the platform's object store
   * @param stores opens stores for other buckets
   * @param tracker the tracking backend
   * @param watchdog the longest a training batch may take before the attempt counts as hung and is
   *     retried (see {@link #watchdog})
   * @param datasets the worker's data set cache
   * @param device where to train
   * @param worker this worker's identity, for progress reports
   * @param spool where and how many checkpoints wait locally for their upload
   */
  public TrainingActivitiesImpl(
      ObjectStore store,
      ObjectStoreFactory stores,
      Tracker tracker,
      Duration watchdog,
      DatasetCache datasets,
      Device device,
      String worker,
      CheckpointSpool.Limits spool) {
    this.spool = java.util.Objects.requireNonNull(spool, "spool");
    this.store = store;
    this.stores = stores;
    this.checkpoints = new CheckpointStore(store);
    this.tracker = tracker;
    this.registry = new Registry(store);
    this.watchdog = watchdog;
    this.datasets = datasets;
    this.device = device;
    this.worker = worker;
  }

  /**
   * The watchdog limit a worker runs with: {@code PICI_WATCHDOG_SECONDS}, by default 10 minutes. An
   * attempt in which no batch advances for that long (outside data loading, k-means, checkpoint
   * uploads and evaluation) fails with a retryable "Hung" failure and is retried from its newest
   * checkpoint.
   *
   * @param env the environment
   * @return the limit
   * @throws IllegalArgumentException naming the variable when its value is not usable
   */
  public static Duration watchdog(Map<String, String> env) {
    return HeartbeatPump.watchdogLimit(env);
  }

  // ---------------------------------------------------------------- prepare

  @Override
  public RunPlan prepare(RunRequest request) {
    try (HeartbeatPump pump = pump(Activity.getExecutionContext(), request)) {
      RunConfig config = config(request);
      ImageDataset data = data(request, config);
      try (TrainingRun probe = TrainingRun.create(config, request.dataset(), data, Device.cpu())) {
        int k = probe.clusters();
        String trackingRunId = trackingRun(request, config);
        int checkpointEpoch = newestEpoch(request.runId());
        Epochs e = config.epochs();
        return new RunPlan(
            trackingRunId, e.pretrain(), e.train(), e.boost(), data.size(), k, checkpointEpoch);
      } catch (ConfigException ex) {
        throw badConfiguration(ex);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("preparing " + request.runId() + ": " + e.getMessage(), e);
    } catch (RuntimeException | OutOfMemoryError e) {
      throw FailureMapping.map(request.runId(), device.toString(), e);
    }
  }

  private String trackingRun(RunRequest request, RunConfig config) throws IOException {
    String experiment =
        tracker.experiment(request.sweepId() != null ? request.sweepId() : STANDALONE_EXPERIMENT);
    Optional<String> existing = tracker.findRun(experiment, RUN_TAG, request.runId());
    String runId;
    if (existing.isPresent()) {
      runId = existing.get();
      // A resumed run continues its tracked run rather than starting a new one.
      if (tracker.run(runId).state() != Tracker.RunState.RUNNING) {
        tracker.reopen(runId);
      }
    } else {
      Map<String, String> tags = new LinkedHashMap<>();
      tags.put(RUN_TAG, request.runId());
      if (request.sweepId() != null) {
        tags.put("pici.sweepId", request.sweepId());
      }
      tags.put("pici.configKey", request.configKey());
      tags.put("pici.method", config.method());
      tags.put("pici.seed", String.valueOf(config.seed()));
      tags.put("pici.dataset", request.dataset());
      String commit = System.getProperty("pici.commit", "unknown");
      tags.put("pici.gitCommit", commit);
      if (!"unknown".equals(commit)) {
        tags.put("mlflow.source.git.commit", commit);
      }
      runId = tracker.startRun(experiment, request.runId(), request.parentTrackingRunId(), tags);
    }
    tracker.logParams(runId, flatten(config));
    return runId;
  }

  /** Tags the tracked run with its current stage; a tracking outage only costs the tag. */
  private void tagStage(RunRequest run, String trackingRunId, String stage) {
    try {
      tracker.setTags(trackingRunId, Map.of(STAGE_TAG, stage));
    } catch (IOException e) {
      LOG.warn("{}: could not tag stage {}: {}", run.runId(), stage, e.getMessage());
    }
  }

  // ---------------------------------------------------------------- train

  @Override
  public StageOutcome trainStage(StageRequest request) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    RunRequest run = request.run();
    RunConfig config = config(run);
    Stage stage = Stage.parse(request.stage());
    Execution execution = run.execution() == null ? Execution.DEFAULT : run.execution();
    long started = System.nanoTime();
    AtomicReference<String> lastKey = new AtomicReference<>();
    // Started before the data are loaded, so that loading heartbeats too.
    HeartbeatPump pump = pump(ctx, run);
    CheckpointSpool spooled = null;
    MetricBuffer metrics = null;
    try {
      ImageDataset data = data(run, config);
      // Claimed before reading the newest checkpoint: from here on an older attempt that is still
      // running uploads nothing more.
      long generation = checkpoints.claim(run.runId(), owner(ctx));
      spooled =
          CheckpointSpool.open(
              checkpoints,
              run.runId(),
              generation,
              execution.keepCheckpoints(),
              spool,
              saved -> {
                lastKey.set(saved.key());
                pump.update(b -> b.withCheckpoint(saved.key(), saved.epoch(), saved.batch()));
              },
              pump::stopRequested);
      CheckpointSpool sink = spooled;
      tracker.beginAttempt(request.trackingRunId());
      metrics =
          MetricBuffer.start(
              tracker,
              request.trackingRunId(),
              () -> {
                if (sink.stale()) {
                  return false;
                }
                try {
                  checkpoints.checkFence(run.runId(), generation);
                  return true;
                } catch (StaleAttemptException e) {
                  return false;
                }
              },
              METRICS_MAX_BACKOFF);
      return trainStage(ctx, request, config, data, stage, pump, sink, metrics, lastKey, started);
    } catch (TrainingCancelledException e) {
      // The runner spooled a checkpoint of the exact position before stopping (unless this worker
      // was cut off from Temporal, when the fence kept it out): upload what is spooled.
      uploadAfterStop(run, spooled);
      if (spooled != null && spooled.stale()) {
        throw stale(run, spooled);
      }
      throw stopped(run, pump, e);
    } catch (StaleAttemptException e) {
      throw stale(run, e);
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof StaleAttemptException stale) {
        throw stale(run, stale);
      }
      throw e;
    } catch (DivergenceException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), FailureTypes.DIVERGED);
    } catch (ConfigException e) {
      throw badConfiguration(e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          run.runId() + ": storage failed during " + request.stage() + ": " + e.getMessage(), e);
    } catch (RuntimeException | OutOfMemoryError e) {
      // A hung batch the watchdog interrupted ends in whatever the interrupted call throws.
      if (pump.failure() != null) {
        throw pump.failure();
      }
      throw FailureMapping.map(run.runId(), device.toString(), e);
    } finally {
      if (metrics != null) {
        metrics.close();
      }
      if (spooled != null) {
        spooled.close();
      }
      pump.close();
      // The watchdog may have interrupted this thread; Temporal reuses it for the next activity.
      Thread.interrupted();
    }
  }

  private StageOutcome trainStage(
      ActivityExecutionContext ctx,
      StageRequest request,
      RunConfig config,
      ImageDataset data,
      Stage stage,
      HeartbeatPump pump,
      CheckpointSpool sink,
      MetricBuffer metrics,
      AtomicReference<String> lastKey,
      long started)
      throws IOException {
    RunRequest run = request.run();
    int attempt = ctx.getInfo().getAttempt();
    try (TrainingRun training = restoreOrCreate(ctx, run, config, data, lastKey)) {
      // Epochs the checkpoint holds whose points an earlier attempt may not have logged (its
      // buffer died with it); the tracker skips those already recorded.
      for (EpochRecord r : training.history()) {
        metrics.add(r.epoch(), epochMetrics(r));
      }
      int startedAt = training.epoch();
      int end = stage.offset(config.epochs()) + stage.length(config.epochs());
      if (training.epoch() >= end) {
        flushMetrics(run, metrics);
        return new StageOutcome(
            request.stage(), training.epoch(), startedAt, lastKey.get(), attempt, false, 0, worker);
      }
      pump.details(
          new StageHeartbeat(
              request.stage(),
              training.epoch(),
              training.batch(),
              0,
              lastKey.get(),
              Map.of(),
              0,
              0,
              attempt,
              startedAt,
              worker,
              config.epochs().total()));
      LOG.info(
          "{}: {} from epoch {} (attempt {}, generation {}) on {}",
          run.runId(),
          request.stage(),
          training.epoch(),
          attempt,
          sink.generation(),
          worker);
      tagStage(run, request.trackingRunId(), request.stage());
      Reporter reporter =
          new Reporter(run, request, training, pump, lastKey, attempt, startedAt, metrics);
      StageRunner runner =
          new StageRunner(
              data, reporter, () -> pump.stopRequested() || sink.stale(), pump.fence(sink));
      // Train every stage up to this one from wherever the checkpoint left the run.
      for (Stage s : Stage.values()) {
        int offset = s.offset(config.epochs());
        int length = s.length(config.epochs());
        if (s.ordinal() > stage.ordinal() || length == 0 || training.epoch() >= offset + length) {
          continue;
        }
        runner.runStage(training, s, training.epoch() - offset, length);
      }
      // The next stage or attempt must find the final checkpoint: wait for its upload,
      // heartbeating meanwhile (an outage of the store delays the stage, it does not fail it).
      try (AutoCloseable paused = pump.pauseWatchdog()) {
        if (!sink.drain(pump::stopRequested)) {
          ActivityCompletionException reason = pump.cancellation();
          throw reason != null
              ? reason
              : ApplicationFailure.newFailure(
                  run.runId() + ": stopped while uploading the final checkpoint", "Stopped");
        }
      } catch (RuntimeException | IOException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      LOG.info("{}: checkpoints of {}: {}", run.runId(), request.stage(), sink.stats());
      flushMetrics(run, metrics);
      reporter.report(true);
      double seconds = (System.nanoTime() - started) / 1e9;
      return new StageOutcome(
          request.stage(),
          training.epoch(),
          startedAt,
          lastKey.get(),
          attempt,
          false,
          seconds,
          worker);
    }
  }

  private static void flushMetrics(RunRequest run, MetricBuffer metrics) {
    try {
      if (!metrics.flush(METRICS_FLUSH_AT_END)) {
        LOG.warn(
            "{}: {} metric point(s) not logged yet; the next attempt logs them from the"
                + " checkpoint's history",
            run.runId(),
            metrics.pending());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** After a stop between batches, gives the spooled checkpoint of that position a minute. */
  private static void uploadAfterStop(RunRequest run, CheckpointSpool spooled) {
    if (spooled == null) {
      return;
    }
    long deadline = System.nanoTime() + UPLOAD_AFTER_CANCEL.toNanos();
    try {
      if (!spooled.drain(() -> System.nanoTime() > deadline)) {
        LOG.warn(
            "{}: the checkpoint of the stop position was not uploaded within {} s",
            run.runId(),
            UPLOAD_AFTER_CANCEL.toSeconds());
      }
    } catch (IOException e) {
      LOG.warn("{}: {}", run.runId(), e.getMessage());
    }
  }

  private static ApplicationFailure stale(RunRequest run, CheckpointSpool spooled) {
    return ApplicationFailure.newFailure(
        run.runId() + ": a newer attempt has claimed the run; this one stopped", STALE_ATTEMPT);
  }

  private static ApplicationFailure stale(RunRequest run, StaleAttemptException e) {
    LOG.warn("{}: {}", run.runId(), e.getMessage());
    return ApplicationFailure.newFailure(e.getMessage(), STALE_ATTEMPT);
  }

  /** Who claims a checkpoint generation: the worker, the workflow execution and the attempt. */
  private String owner(ActivityExecutionContext ctx) {
    var info = ctx.getInfo();
    return worker
        + " "
        + info.getWorkflowId()
        + "/"
        + info.getRunId()
        + " "
        + info.getActivityType()
        + " attempt "
        + info.getAttempt();
  }

  /** The metrics of one epoch, as logged at step = global epoch. */
  static Map<String, Double> epochMetrics(EpochRecord r) {
    Map<String, Double> metrics = new LinkedHashMap<>(r.losses());
    metrics.put("samples_per_second", r.samplesPerSecond());
    metrics.put("learning_rate", r.learningRate());
    return metrics;
  }

  /**
   * What a stage that stopped between two batches throws: the watchdog's failure, the server's
   * cancellation, or the cut-off from the server.
   */
  private static RuntimeException stopped(
      RunRequest run, HeartbeatPump pump, TrainingCancelledException e) {
    if (pump.failure() != null) {
      return pump.failure();
    }
    ActivityCompletionException reason = pump.cancellation();
    if (reason != null) {
      // The runner wrote a checkpoint of the exact position before stopping.
      LOG.info("{}: stopped on request ({})", run.runId(), e.getMessage());
      return reason;
    }
    if (pump.cutOff()) {
      LOG.warn("{}: stopped, cut off from Temporal ({})", run.runId(), e.getMessage());
      return ApplicationFailure.newFailure(
          run.runId()
              + ": this worker lost Temporal for a whole heartbeat timeout and stopped training;"
              + " the stage is retried from its newest checkpoint",
          "CutOff");
    }
    return ApplicationFailure.newFailure(e.getMessage(), "Stopped");
  }

  private HeartbeatPump pump(ActivityExecutionContext ctx, RunRequest run) {
    Execution e = run.execution() == null ? Execution.DEFAULT : run.execution();
    return HeartbeatPump.start(ctx, Duration.ofSeconds(e.heartbeatTimeoutSeconds()), watchdog);
  }

  private TrainingRun restoreOrCreate(
      ActivityExecutionContext ctx,
      RunRequest run,
      RunConfig config,
      ImageDataset data,
      AtomicReference<String> lastKey)
      throws IOException {
    Optional<StageHeartbeat> beat = ctx.getHeartbeatDetails(StageHeartbeat.class);
    Optional<CheckpointStore.Loaded> newest =
        checkpoints.newest(run.runId(), warning -> LOG.warn("{}: {}", run.runId(), warning));
    // Heartbeats are throttled, so the store is usually ahead of them; but if the last heartbeat
    // names a newer checkpoint than the listing shows, trust the heartbeat.
    if (beat.isPresent() && beat.get().checkpointKey() != null) {
      String key = beat.get().checkpointKey();
      if (newest.isEmpty() || CheckpointStore.isNewer(key, newest.get().key())) {
        try {
          Optional<CheckpointStore.Loaded> named = checkpoints.load(key);
          if (named.isPresent()) {
            newest = named;
          }
        } catch (org.picilab.model.train.CorruptCheckpointException e) {
          LOG.warn(
              "{}: checkpoint {} from the last heartbeat is damaged: {}",
              run.runId(),
              key,
              e.getMessage());
        }
      }
    }
    if (newest.isPresent()) {
      CheckpointStore.Loaded loaded = newest.get();
      lastKey.set(loaded.key());
      TrainingRun restored = TrainingRun.restore(loaded.snapshot(), data, device);
      if (!ConfigLoader.fingerprint(restored.config()).equals(ConfigLoader.fingerprint(config))) {
        restored.close();
        throw ApplicationFailure.newNonRetryableFailure(
            run.runId()
                + ": the checkpoint "
                + loaded.key()
                + " was written with other settings: "
                + ConfigLoader.differences(restored.config(), config),
            FailureTypes.BAD_CONFIGURATION);
      }
      LOG.info(
          "{}: loaded {} ({} bytes in {} s)",
          run.runId(),
          loaded.key(),
          loaded.bytes(),
          String.format("%.2f", loaded.seconds()));
      return restored;
    }
    return TrainingRun.create(config, run.dataset(), data, device);
  }

  /**
   * Logs metrics, records progress in the registry, keeps the heartbeat details (where live
   * progress is read from) fresh and feeds the watchdog. It never signals the workflow: a signal
   * per epoch would grow the workflow's history without bound.
   */
  private final class Reporter implements TrainingListener {
    private final RunRequest run;
    private final StageRequest request;
    private final TrainingRun training;
    private final HeartbeatPump pump;
    private final AtomicReference<String> lastKey;
    private final int attempt;
    private final int startedAt;
    private final MetricBuffer metrics;
    private volatile BatchProgress lastBatch;
    private volatile Map<String, Double> lastLosses = Map.of();
    private long lastReport;

    Reporter(
        RunRequest run,
        StageRequest request,
        TrainingRun training,
        HeartbeatPump pump,
        AtomicReference<String> lastKey,
        int attempt,
        int startedAt,
        MetricBuffer metrics) {
      this.run = run;
      this.request = request;
      this.training = training;
      this.pump = pump;
      this.lastKey = lastKey;
      this.attempt = attempt;
      this.startedAt = startedAt;
      this.metrics = metrics;
    }

    @Override
    public void onBatch(BatchProgress p) {
      lastBatch = p;
      long counter = pump.batchDone();
      double rate = p.samplesPerSecond();
      pump.details(
          new StageHeartbeat(
              p.stage().optionName(),
              training.epoch(),
              training.batch(),
              counter,
              lastKey.get(),
              lastLosses,
              rate,
              eta(p),
              attempt,
              startedAt,
              worker,
              training.config().epochs().total()));
      if (System.currentTimeMillis() - lastReport > MID_EPOCH_REPORT_MILLIS) {
        report(false);
      }
    }

    @Override
    public void onEpoch(EpochRecord r) {
      lastLosses = r.losses();
      // Logged in the background: a tracking outage must not stop training, nor lose the point.
      metrics.add(r.epoch(), epochMetrics(r));
      report(true);
    }

    void report(boolean force) {
      lastReport = System.currentTimeMillis();
      BatchProgress b = lastBatch;
      double rate = b == null ? 0 : b.samplesPerSecond();
      double eta = b == null ? 0 : eta(b);
      if (!lastLosses.isEmpty()) {
        Map<String, Double> losses = lastLosses;
        pump.update(
            h ->
                new StageHeartbeat(
                    h.stage(),
                    h.epoch(),
                    h.batch(),
                    h.batchCounter(),
                    h.checkpointKey(),
                    losses,
                    h.imagesPerSecond(),
                    h.etaSeconds(),
                    h.attempt(),
                    h.startedAtEpoch(),
                    h.worker(),
                    h.totalEpochs()));
      }
      EpochProgress p =
          new EpochProgress(
              b == null ? request.stage() : b.stage().optionName(),
              training.epoch(),
              training.config().epochs().total(),
              training.batch(),
              b == null ? 0 : b.batches(),
              lastLosses,
              rate,
              eta,
              lastKey.get(),
              attempt,
              startedAt,
              worker);
      try {
        registry.saveProgress(run.runId(), p);
      } catch (IOException e) {
        LOG.debug("{}: progress not recorded: {}", run.runId(), e.getMessage());
      }
    }

    @Override
    public void onStageStart(Stage stage, int from, int to, int batches) {
      report(true);
    }

    private double eta(BatchProgress b) {
      double rate = b.samplesPerSecond();
      return rate <= 0 ? 0 : b.remainingBatches() * (double) training.config().batchSize() / rate;
    }

    @Override
    public void onPhase(String message) {
      // k-means pseudo-labels and the like: no batch until the phase ends.
      pump.pauseUntilNextBatch();
      LOG.info("{}: {}", run.runId(), message);
    }
  }

  // ---------------------------------------------------------------- evaluate

  @Override
  public EvaluationResult evaluate(RunRequest run, String trackingRunId) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    long started = System.nanoTime();
    RunConfig config = config(run);
    Path tmp = null;
    tagStage(run, trackingRunId, "evaluate");
    try (HeartbeatPump pump = pump(ctx, run)) {
      // Checked before the work: an artifact root that is not S3 fails at once.
      String location = tracker.artifactLocation(trackingRunId);
      S3Uri target = artifactRoot(run, location);
      ImageDataset data = data(run, config);
      CheckpointStore.Loaded loaded =
          checkpoints
              .newest(run.runId(), warning -> LOG.warn("{}: {}", run.runId(), warning))
              .orElseThrow(
                  () -> new IOException("no checkpoint of " + run.runId() + " to evaluate"));
      try (TrainingRun trained = TrainingRun.restore(loaded.snapshot(), data, device)) {
        if (!trained.finished()) {
          throw new IOException(
              run.runId()
                  + ": the newest checkpoint "
                  + loaded.key()
                  + " is not at the end of training");
        }
        // Epoch points a training attempt could not log before it ended; recorded ones are
        // skipped by the tracker.
        tracker.beginAttempt(trackingRunId);
        for (EpochRecord r : trained.history()) {
          tracker.logMetrics(trackingRunId, r.epoch(), epochMetrics(r));
        }
        Evaluation eval = Evaluator.evaluate(trained, data);
        RunResult result =
            RunResult.of(
                trained,
                eval,
                run.dataset(),
                run.preset(),
                Map.of(),
                trained.trainingSeconds() + (System.nanoTime() - started) / 1e9,
                null);
        tmp = Files.createTempDirectory("pici-eval-");
        RunDirectory dir =
            RunDirectory.create(
                tmp.resolve(run.runId()),
                new RunDirectory.RunSpec(run.dataset(), run.preset(), config));
        dir.resetMetrics(trained.history());
        RunOutputs.write(dir, result, eval, data, trained.history());
        ObjectStore artifacts =
            target.bucket().equals(store.bucket()) ? store : stores.forBucket(target.bucket());
        try {
          for (String name :
              List.of(
                  "result.json",
                  "assignments.csv",
                  "embedding.csv",
                  "confusion.csv",
                  "report.html",
                  "metrics.jsonl",
                  "run.json")) {
            Path file = dir.root().resolve(name);
            if (Files.exists(file)) {
              artifacts.putBytes(
                  target.resolve(name).key(), Files.readAllBytes(file), contentType(name));
            }
          }
        } finally {
          if (artifacts != store) {
            artifacts.close();
          }
        }
        Scores scores = null;
        if (eval.scores() != null) {
          scores =
              new Scores(
                  eval.scores().nmi(),
                  eval.scores().acc(),
                  eval.scores().ari(),
                  eval.scores().fmi());
          tracker.logMetrics(
              trackingRunId,
              config.epochs().total(),
              Map.of(
                  "nmi",
                  scores.nmi(),
                  "acc",
                  scores.acc(),
                  "ari",
                  scores.ari(),
                  "fmi",
                  scores.fmi()));
        }
        return new EvaluationResult(scores, target.resolve("result.json").key(), location);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(run.runId() + ": evaluation failed: " + e.getMessage(), e);
    } catch (RuntimeException | OutOfMemoryError e) {
      throw FailureMapping.map(run.runId(), device.toString(), e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static S3Uri artifactRoot(RunRequest run, String location) {
    try {
      return S3Uri.parse(location);
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          run.runId()
              + ": the tracking server stores this run's artifacts at '"
              + location
              + "', which is not an s3:// location; workers write artifacts to S3 only: start"
              + " the tracking server with an S3 artifact root (MLflow: --default-artifact-root"
              + " s3://BUCKET/PATH) and resume the run",
          FailureTypes.BAD_ARTIFACT_ROOT);
    }
  }

  private static String contentType(String name) {
    if (name.endsWith(".json") || name.endsWith(".jsonl")) {
      return "application/json";
    }
    if (name.endsWith(".html")) {
      return "text/html";
    }
    return "text/csv";
  }

  private int newestEpoch(String runId) throws IOException {
    // The first key is the one a resume loads (unless it is damaged).
    return checkpoints.keys(runId).stream()
        .findFirst()
        .flatMap(CheckpointStore::position)
        .map(CheckpointStore.Position::epoch)
        .orElse(0);
  }

  static RunConfig config(RunRequest request) {
    Map<String, String> overrides = new LinkedHashMap<>(request.parameters());
    overrides.put("seed", String.valueOf(request.seed()));
    overrides.put("method", request.method());
    try {
      return ConfigLoader.load(request.preset(), null, overrides);
    } catch (ConfigException e) {
      throw badConfiguration(e);
    }
  }

  private ImageDataset data(RunRequest request, RunConfig config) {
    try {
      return datasets.get(request.dataset(), config.imageSize());
    } catch (DataException | IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "dataset '"
              + request.dataset()
              + "' on worker "
              + worker
              + ": "
              + e.getMessage()
              + "; check the data argument, and that the folder is readable on every worker",
          FailureTypes.UNREADABLE_DATA);
    }
  }

  private static ApplicationFailure badConfiguration(ConfigException e) {
    return ApplicationFailure.newNonRetryableFailure(
        e.getMessage(), FailureTypes.BAD_CONFIGURATION);
  }

  static Map<String, String> flatten(RunConfig config) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    flatten(ConfigLoader.mapper().valueToTree(config), "", out);
    return out;
  }

  private static void flatten(
      com.fasterxml.jackson.databind.JsonNode node, String prefix, Map<String, String> out) {
    var it = node.fields();
    while (it.hasNext()) {
      var e = it.next();
      if (e.getValue().isObject()) {
        flatten(e.getValue(), prefix + e.getKey() + ".", out);
      } else {
        out.put(prefix + e.getKey(), e.getValue().asText());
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("could not delete {}: {}", dir, e.getMessage());
    }
  }
}
