package org.picilab.activities.training;

import ai.djl.Device;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.client.WorkflowClient;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.RunPlan;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.Scores;
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

  /**
   * The failure type of an attempt that found a newer attempt of its run: it was cut off and the
   * run went on elsewhere. Temporal has already given up on it, so its failure changes nothing.
   */
  public static final String STALE_ATTEMPT = "StaleAttempt";

  /** Experiment of runs that belong to no sweep. */
  public static final String STANDALONE_EXPERIMENT = "runs";

  private static final long MID_EPOCH_REPORT_MILLIS = 15_000;

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
  private final WorkflowClient client;
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
   * @param client the Temporal client, to report progress to workflows
   * @param datasets the worker's data set cache
   * @param device where to train
   * @param worker this worker's identity, for progress reports
   */
  public TrainingActivitiesImpl(
      ObjectStore store,
      ObjectStoreFactory stores,
      Tracker tracker,
      WorkflowClient client,
      DatasetCache datasets,
      Device device,
      String worker) {
    this(
        store,
        stores,
        tracker,
        client,
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
   * @param client the Temporal client, to report progress to workflows
   * @param datasets the worker's data set cache
   * @param device where to train
   * @param worker this worker's identity, for progress reports
   * @param spool where and how many checkpoints wait locally for their upload
   */
  public TrainingActivitiesImpl(
      ObjectStore store,
      ObjectStoreFactory stores,
      Tracker tracker,
      WorkflowClient client,
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
    this.client = client;
    this.datasets = datasets;
    this.device = device;
    this.worker = worker;
  }

  // ---------------------------------------------------------------- prepare

  @Override
  public RunPlan prepare(RunRequest request) {
    try (Pump pump = Pump.start(Activity.getExecutionContext(), request)) {
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
    ImageDataset data = data(run, config);
    Stage stage = Stage.parse(request.stage());
    Execution execution = run.execution() == null ? Execution.DEFAULT : run.execution();
    long started = System.nanoTime();
    AtomicReference<String> lastKey = new AtomicReference<>();
    Pump pump = Pump.start(ctx, run);
    CheckpointSpool spooled = null;
    MetricBuffer metrics = null;
    try {
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
                pump.details(
                    new HeartbeatDetails(
                        request.stage(), saved.epoch(), saved.batch(), saved.key()));
              },
              pump::cancelled);
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
      // The runner spooled a checkpoint of the exact position before stopping: upload it.
      LOG.info("{}: stopped on request ({})", run.runId(), e.getMessage());
      uploadAfterStop(run, spooled);
      if (spooled.stale()) {
        throw stale(run, spooled);
      }
      ActivityCompletionException reason = pump.cancellation();
      if (reason != null) {
        throw reason;
      }
      throw ApplicationFailure.newFailure(e.getMessage(), "Stopped");
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
    } finally {
      if (metrics != null) {
        metrics.close();
      }
      if (spooled != null) {
        spooled.close();
      }
      pump.close();
    }
  }

  private StageOutcome trainStage(
      ActivityExecutionContext ctx,
      StageRequest request,
      RunConfig config,
      ImageDataset data,
      Stage stage,
      Pump pump,
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
          new HeartbeatDetails(request.stage(), training.epoch(), training.batch(), lastKey.get()));
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
          new StageRunner(data, reporter, () -> pump.cancelled() || sink.stale(), sink);
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
      if (!sink.drain(pump::cancelled)) {
        ActivityCompletionException reason = pump.cancellation();
        throw reason != null
            ? reason
            : ApplicationFailure.newFailure(
                run.runId() + ": stopped while uploading the final checkpoint", "Stopped");
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

  private TrainingRun restoreOrCreate(
      ActivityExecutionContext ctx,
      RunRequest run,
      RunConfig config,
      ImageDataset data,
      AtomicReference<String> lastKey)
      throws IOException {
    Optional<HeartbeatDetails> beat = ctx.getHeartbeatDetails(HeartbeatDetails.class);
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

  /** Logs metrics, reports progress to the workflow and the registry, keeps heartbeats fresh. */
  private final class Reporter implements TrainingListener {
    private final RunRequest run;
    private final StageRequest request;
    private final TrainingRun training;
    private final Pump pump;
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
        Pump pump,
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
      pump.details(
          new HeartbeatDetails(request.stage(), training.epoch(), training.batch(), lastKey.get()));
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
      double eta =
          b == null || rate <= 0
              ? 0
              : b.remainingBatches() * (double) training.config().batchSize() / rate;
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
        client.newWorkflowStub(ExperimentWorkflow.class, run.runId()).reportProgress(p);
      } catch (RuntimeException e) {
        LOG.debug("{}: progress not delivered: {}", run.runId(), e.getMessage());
      }
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

    @Override
    public void onPhase(String message) {
      LOG.info("{}: {}", run.runId(), message);
    }
  }

  // ---------------------------------------------------------------- evaluate

  @Override
  public EvaluationResult evaluate(RunRequest run, String trackingRunId) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    long started = System.nanoTime();
    RunConfig config = config(run);
    ImageDataset data = data(run, config);
    Path tmp = null;
    tagStage(run, trackingRunId, "evaluate");
    try (Pump pump = Pump.start(ctx, run)) {
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
        String location = tracker.artifactLocation(trackingRunId);
        S3Uri target = S3Uri.parse(location);
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
    } finally {
      deleteQuietly(tmp);
    }
  }

  // ---------------------------------------------------------------- helpers

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
          "dataset '" + request.dataset() + "' on worker " + worker + ": " + e.getMessage(),
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

  /**
   * Heartbeats on a timer with the latest details, so that long work between batches (loading data,
   * k-means, uploading a checkpoint) never looks like a dead worker, and notices a cancellation
   * request from the server.
   */
  static final class Pump implements AutoCloseable {
    private final ActivityExecutionContext ctx;
    private final ScheduledExecutorService timer;
    private final AtomicReference<HeartbeatDetails> details = new AtomicReference<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicReference<ActivityCompletionException> cancellation =
        new AtomicReference<>();

    private Pump(ActivityExecutionContext ctx, long periodMillis) {
      this.ctx = ctx;
      this.timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "pici-heartbeat");
                t.setDaemon(true);
                return t;
              });
      timer.scheduleAtFixedRate(this::beat, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** The server's cancellation, to rethrow from the activity so Temporal records it. */
    ActivityCompletionException cancellation() {
      return cancellation.get();
    }

    static Pump start(ActivityExecutionContext ctx, RunRequest run) {
      Execution e = run.execution() == null ? Execution.DEFAULT : run.execution();
      long period = Math.max(500, e.heartbeatTimeoutSeconds() * 1000L / 4);
      return new Pump(ctx, period);
    }

    void details(HeartbeatDetails d) {
      details.set(d);
    }

    boolean cancelled() {
      return cancelled.get();
    }

    private void beat() {
      try {
        ctx.heartbeat(details.get());
      } catch (ActivityCompletionException e) {
        // Cancelled, timed out or gone: stop between the next two batches.
        cancellation.compareAndSet(null, e);
        cancelled.set(true);
      } catch (RuntimeException e) {
        LOG.debug("heartbeat failed: {}", e.getMessage());
      }
    }

    @Override
    public void close() {
      timer.shutdownNow();
    }
  }
}
