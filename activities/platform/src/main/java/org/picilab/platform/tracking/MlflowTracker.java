package org.picilab.platform.tracking;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.Page;
import org.picilab.platform.security.Redact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tracker backed by an MLflow tracking server, through MLflow's Java client 2.17.2 (tested
 * against MLflow server 3.17.2).
 *
 * <p>Idempotent metrics: the server keeps every point it is sent, so two points for one step stay
 * when their timestamps differ (its SQL store drops only exact copies, which makes the client's own
 * re-sends of one request body harmless). This class therefore keeps, per run and key, the steps
 * already recorded, read from the server's metric history on first use, and sends only the missing
 * points with {@code runs/log-batch}. After any failure it forgets what it knew of the keys
 * involved and reads their history again before the next attempt, so a batch that reached the
 * server but was answered with an error is not sent again with a new timestamp. This assumes one
 * writer per run at a time (a resumed worker replaces the one before it, and a cut-off one is
 * fenced), which is how activities use runs; each attempt calls {@link #beginAttempt} first, so a
 * worker that logged to the run before, while another worker logged more since, reads the history
 * again instead of trusting what it cached.
 *
 * <p>What the 2.17.2 client does that callers should know:
 *
 * <ul>
 *   <li>It retries every HTTP error up to three times, 4xx included; a 404 is answered only after
 *       three requests, each logged as a warning that says "Rate limit exceeded". Lookups here use
 *       searches, which answer an empty list instead.
 *   <li>It sets no connect or read timeout: a server that accepts connections and never answers
 *       blocks the call. Activity timeouts and heartbeats bound it.
 *   <li>A {@code runs/create} answered with a 5xx after the server created the run is retried, and
 *       leaves an extra, empty run; {@link #findRun} then returns the first created.
 *   <li>Artifacts are not uploaded through it (its upload runs a local Python {@code mlflow});
 *       {@link #artifactLocation} gives the server's artifact URI for the object store to write to.
 * </ul>
 *
 * <p>Instances are safe for use by several threads.
 */
public final class MlflowTracker implements Tracker {

  private static final Logger log = LoggerFactory.getLogger(MlflowTracker.class);

  /** The server's limits per {@code runs/log-batch} request. */
  private static final int MAX_METRICS_PER_BATCH = 1000;

  private static final int MAX_PARAMS_OR_TAGS_PER_BATCH = 100;

  /** Attempts of one logging call (each is up to three HTTP attempts inside the client). */
  private static final int ATTEMPTS = 3;

  private static final long RETRY_PAUSE_MILLIS = 250;
  private static final int SEARCH_PAGE_SIZE = 1000;

  private final String trackingUri;

  /** The tracking URI as messages show it, its credentials masked. */
  private final String shownUri;

  private final MlflowClient client;

  /** Per run, the steps recorded per metric key, for the keys read or written so far. */
  private final ConcurrentMap<String, RunSteps> steps = new ConcurrentHashMap<>();

  /** Start times handed out, kept increasing so that runs of one tracker sort by creation. */
  private final AtomicLong lastStartMillis = new AtomicLong();

  /**
   * Connects to an MLflow tracking server. Nothing is sent until the first call.
   *
   * @param trackingUri the server, {@code http://host:port} or {@code https://host:port} (with a
   *     path prefix where a proxy serves MLflow under one)
   * @throws IllegalArgumentException when the URI is not http(s)
   */
  public MlflowTracker(String trackingUri) {
    this.trackingUri = checkUri(trackingUri);
    this.shownUri = Redact.uri(this.trackingUri);
    this.client = new MlflowClient(this.trackingUri);
  }

  private static String checkUri(String trackingUri) {
    Objects.requireNonNull(trackingUri, "trackingUri");
    String hint =
        " The MLflow tracker needs an MLflow tracking server, e.g. http://127.0.0.1:5000 (the"
            + " Java client cannot use file: or database URIs); for a store on disk use"
            + " LocalTracker.";
    URI uri;
    try {
      uri = new URI(trackingUri.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "Invalid MLflow tracking URI '"
              + Redact.uri(trackingUri)
              + "': "
              + Redact.uri(e.getMessage())
              + "."
              + hint,
          e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "Unsupported MLflow tracking URI '"
              + Redact.uri(trackingUri)
              + "': not http(s)://host[:port]."
              + hint);
    }
    // The client appends "/api/2.0/mlflow/..." to the URI as it is; a trailing slash would
    // double it.
    return uri.toString().replaceAll("/+$", "");
  }

  @Override
  public String experiment(String name) throws IOException {
    TrackerChecks.requireText(name, "experiment name");
    Optional<Experiment> existing = call("get experiment '" + name + "'", () -> byName(name));
    if (existing.isEmpty()) {
      try {
        String id = call("create experiment '" + name + "'", () -> client.createExperiment(name));
        log.info("Created MLflow experiment {} ('{}') at {}", id, name, shownUri);
        return id;
      } catch (IOException e) {
        // Another process may have created it first (RESOURCE_ALREADY_EXISTS); or a retried
        // POST did. Either way the experiment now exists, and its id is what is wanted.
        existing = call("get experiment '" + name + "'", () -> byName(name));
        if (existing.isEmpty()) {
          throw e;
        }
      }
    }
    Experiment experiment = existing.get();
    if (!"active".equals(experiment.getLifecycleStage())) {
      throw new IllegalStateException(
          "MLflow experiment '"
              + name
              + "' (id "
              + experiment.getExperimentId()
              + ") at "
              + shownUri
              + " is deleted, and its name stays taken: restore it (mlflow experiments restore"
              + " --experiment-id "
              + experiment.getExperimentId()
              + ") or delete it for good (mlflow gc) before using the name again");
    }
    return experiment.getExperimentId();
  }

  private Optional<Experiment> byName(String name) {
    // The client's getExperimentByName answers a missing experiment only after three GETs, as it
    // retries the server's 404 like any error (and logs each as a rate limit). A search answers
    // an empty list at once; deleted experiments are included because their names stay taken.
    Optional<String> filter = quote(name).map(quoted -> "name = " + quoted);
    if (filter.isEmpty()) {
      return client.getExperimentByName(name);
    }
    Page<Experiment> page = client.searchExperiments(filter.get(), ViewType.ALL, 10, List.of());
    for (Experiment experiment : page.getItems()) {
      if (experiment.getName().equals(name)) {
        return Optional.of(experiment);
      }
    }
    return Optional.empty();
  }

  @Override
  public String startRun(
      String experimentId, String name, String parentRunId, Map<String, String> tags)
      throws IOException {
    Objects.requireNonNull(experimentId, "experimentId");
    TrackerChecks.requireText(name, "run name");
    Map<String, String> allTags = new TreeMap<>(tags == null ? Map.of() : tags);
    allTags.put(RUN_NAME_TAG, name);
    if (parentRunId != null) {
      getRun(parentRunId); // An unknown parent fails here, naming it.
      allTags.put(PARENT_RUN_TAG, parentRunId);
    }
    CreateRun.Builder request =
        CreateRun.newBuilder()
            .setExperimentId(experimentId)
            .setRunName(name)
            .setStartTime(nextStartMillis());
    allTags.forEach((k, v) -> request.addTags(RunTag.newBuilder().setKey(k).setValue(v)));
    RunInfo info =
        call("create a run in experiment " + experimentId, () -> client.createRun(request.build()));
    log.debug("Started MLflow run {} ('{}') in experiment {}", info.getRunId(), name, experimentId);
    return info.getRunId();
  }

  private long nextStartMillis() {
    long now = System.currentTimeMillis();
    return lastStartMillis.updateAndGet(last -> Math.max(now, last + 1));
  }

  @Override
  public Optional<String> findRun(String experimentId, String tag, String value)
      throws IOException {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(value, "value");
    Optional<String> filter = tagFilter(tag, value);
    List<Run> candidates =
        filter.isPresent() ? search(experimentId, filter.get()) : search(experimentId, null);
    List<String> matches = new ArrayList<>();
    for (Run run : candidates) {
      if (value.equals(tags(run).get(tag))) {
        matches.add(run.getInfo().getRunId());
      }
    }
    if (matches.size() > 1) {
      log.warn(
          "{} runs of experiment {} have tag {}={}: {}; using the first created",
          matches.size(),
          experimentId,
          tag,
          value,
          matches);
    }
    return matches.stream().findFirst();
  }

  /**
   * The search filter for one tag value. MLflow's filter language strips the quotes around a value
   * and has no escapes, so a value with both quote kinds (or a key with a backtick) cannot be
   * expressed; then the runs are filtered here instead.
   */
  static Optional<String> tagFilter(String tag, String value) {
    if (tag.contains("`")) {
      return Optional.empty();
    }
    return quote(value).map(quoted -> "tags.`" + tag + "` = " + quoted);
  }

  /** A string literal of MLflow's filter language, if the value can be written as one. */
  private static Optional<String> quote(String value) {
    if (!value.contains("'")) {
      return Optional.of("'" + value + "'");
    }
    if (!value.contains("\"")) {
      return Optional.of("\"" + value + "\"");
    }
    return Optional.empty();
  }

  @Override
  public TrackedRun run(String runId) throws IOException {
    return toTracked(getRun(runId));
  }

  @Override
  public List<TrackedRun> runs(String experimentId) throws IOException {
    Objects.requireNonNull(experimentId, "experimentId");
    List<TrackedRun> runs = new ArrayList<>();
    for (Run run : search(experimentId, null)) {
      runs.add(toTracked(run));
    }
    return runs;
  }

  /** The active runs of an experiment that pass a filter, oldest first, all pages. */
  private List<Run> search(String experimentId, String filter) throws IOException {
    return call(
        "search runs of experiment " + experimentId + (filter == null ? "" : " for " + filter),
        () -> {
          List<Run> all = new ArrayList<>();
          Page<Run> page =
              client.searchRuns(
                  List.of(experimentId),
                  filter,
                  ViewType.ACTIVE_ONLY,
                  SEARCH_PAGE_SIZE,
                  List.of("attributes.start_time ASC"));
          while (true) {
            page.getItems().forEach(all::add);
            if (!page.hasNextPage()) {
              return all;
            }
            page = page.getNextPage();
          }
        });
  }

  @Override
  public void logParams(String runId, Map<String, String> params) throws IOException {
    Objects.requireNonNull(params, "params");
    if (params.isEmpty()) {
      return;
    }
    Map<String, String> missing = missingParams(runId, params);
    if (missing.isEmpty()) {
      return;
    }
    try {
      List<Param> batch = new ArrayList<>();
      missing.forEach((k, v) -> batch.add(Param.newBuilder().setKey(k).setValue(v).build()));
      for (List<Param> chunk : chunks(batch, MAX_PARAMS_OR_TAGS_PER_BATCH)) {
        call(
            "log parameters " + keys(chunk, Param::getKey) + " of run " + runId,
            () -> {
              client.logBatch(runId, List.of(), chunk, List.of());
              return null;
            });
      }
    } catch (IOException e) {
      // Another writer may have logged different values first (the server rejects the change
      // with a 400): read the run again, which reports a conflict as a conflict.
      if (!missingParams(runId, params).isEmpty()) {
        throw e;
      }
    }
  }

  /**
   * The parameters that the run does not have yet.
   *
   * @throws IllegalStateException when the run has a different value for one of them
   */
  private Map<String, String> missingParams(String runId, Map<String, String> params)
      throws IOException {
    Map<String, String> existing = new TreeMap<>();
    getRun(runId).getData().getParamsList().forEach(p -> existing.put(p.getKey(), p.getValue()));
    Map<String, String> missing = new TreeMap<>();
    List<String> conflicts = new ArrayList<>();
    for (Map.Entry<String, String> param : new TreeMap<>(params).entrySet()) {
      String old = existing.get(param.getKey());
      if (old == null) {
        missing.put(param.getKey(), Objects.requireNonNull(param.getValue(), param.getKey()));
      } else if (!old.equals(param.getValue())) {
        conflicts.add(TrackerChecks.conflict(param.getKey(), old, param.getValue()));
      }
    }
    if (!conflicts.isEmpty()) {
      throw TrackerChecks.paramConflict(runId, conflicts);
    }
    return missing;
  }

  @Override
  public void logMetrics(String runId, long step, Map<String, Double> values) throws IOException {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(values, "values");
    if (values.isEmpty()) {
      return;
    }
    values.forEach(
        (k, v) -> {
          TrackerChecks.requireText(k, "metric key");
          Objects.requireNonNull(v, k);
        });
    RunSteps run = steps.computeIfAbsent(runId, id -> new RunSteps());
    synchronized (run) {
      IOException failure = null;
      for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        try {
          logMissing(runId, run, step, values);
          return;
        } catch (IOException e) {
          // The POST may have reached the server before the error: forget what is known of
          // these keys, so that the next attempt (this loop's or a caller's retry) reads the
          // server's history before it sends anything.
          run.forget(values.keySet());
          failure = e;
          if (isClientError(e)) {
            break; // A rejected request fails the same way again.
          }
          log.warn(
              "Logging metrics {} at step {} of run {} failed (attempt {} of {}): {}",
              values.keySet(),
              step,
              runId,
              attempt,
              ATTEMPTS,
              e.getMessage());
          if (attempt < ATTEMPTS) {
            pause(attempt);
          }
        }
      }
      throw failure;
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Drops the run's cached steps; the next {@link #logMetrics} of each key reads the key's full
   * history from the server first.
   */
  @Override
  public void beginAttempt(String runId) {
    steps.remove(Objects.requireNonNull(runId, "runId"));
  }

  private void logMissing(String runId, RunSteps run, long step, Map<String, Double> values)
      throws IOException {
    long now = System.currentTimeMillis();
    List<Metric> batch = new ArrayList<>();
    for (Map.Entry<String, Double> metric : new TreeMap<>(values).entrySet()) {
      if (!run.known(metric.getKey())) {
        run.load(metric.getKey(), recordedSteps(runId, metric.getKey()));
      }
      if (!run.has(metric.getKey(), step)) {
        batch.add(
            Metric.newBuilder()
                .setKey(metric.getKey())
                .setValue(metric.getValue())
                .setTimestamp(now)
                .setStep(step)
                .build());
      }
    }
    for (List<Metric> chunk : chunks(batch, MAX_METRICS_PER_BATCH)) {
      call(
          "log metrics " + keys(chunk, Metric::getKey) + " at step " + step + " of run " + runId,
          () -> {
            client.logBatch(runId, chunk, List.of(), List.of());
            return null;
          });
      chunk.forEach(m -> run.add(m.getKey(), step));
    }
  }

  private Set<Long> recordedSteps(String runId, String key) throws IOException {
    Set<Long> recorded = new HashSet<>();
    metricHistory(runId, key).forEach(m -> recorded.add(m.getStep()));
    return recorded;
  }

  private List<Metric> metricHistory(String runId, String key) throws IOException {
    return call(
        "read the history of metric '" + key + "' of run " + runId,
        () -> client.getMetricHistory(runId, key));
  }

  @Override
  public List<MetricPoint> history(String runId, String key) throws IOException {
    TrackerChecks.requireText(key, "metric key");
    getRun(runId); // An unknown run fails here, naming it.
    // Keyed by step, earliest point first: should a duplicate exist (logged by another client),
    // the first recorded value is the one kept, as logMetrics would have kept it.
    List<Metric> metrics = new ArrayList<>(metricHistory(runId, key));
    metrics.sort(
        (a, b) ->
            a.getStep() != b.getStep()
                ? Long.compare(a.getStep(), b.getStep())
                : Long.compare(a.getTimestamp(), b.getTimestamp()));
    Map<Long, MetricPoint> points = new LinkedHashMap<>();
    for (Metric m : metrics) {
      points.putIfAbsent(m.getStep(), new MetricPoint(m.getStep(), m.getValue(), m.getTimestamp()));
    }
    return List.copyOf(points.values());
  }

  @Override
  public void setTags(String runId, Map<String, String> tags) throws IOException {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(tags, "tags");
    List<RunTag> batch = new ArrayList<>();
    new TreeMap<>(tags)
        .forEach((k, v) -> batch.add(RunTag.newBuilder().setKey(k).setValue(v).build()));
    // Setting a tag again to the same value is harmless, so tags need no read-back.
    for (List<RunTag> chunk : chunks(batch, MAX_PARAMS_OR_TAGS_PER_BATCH)) {
      call(
          "set tags " + keys(chunk, RunTag::getKey) + " of run " + runId,
          () -> {
            client.logBatch(runId, List.of(), List.of(), chunk);
            return null;
          });
    }
  }

  @Override
  public void finish(String runId, RunState state) throws IOException {
    Objects.requireNonNull(runId, "runId");
    TrackerChecks.requireEndState(state);
    RunStatus status = RunStatus.valueOf(state.name());
    call(
        "mark run " + runId + " " + state,
        () -> {
          client.setTerminated(runId, status, System.currentTimeMillis());
          return null;
        });
    // Once ended, the run's steps need not stay in memory; a reopened run reads them again.
    steps.remove(runId);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The 2.17.2 client has no "update run" call of its own, but {@code setTerminated(runId,
   * status, endTime)} is one: it posts {@code runs/update} with any status. It always sends an end
   * time, and the server cannot clear one, so the run's current end time is sent back unchanged;
   * the next {@link #finish} replaces it.
   */
  @Override
  public void reopen(String runId) throws IOException {
    RunInfo info = getRun(runId).getInfo();
    if (info.getStatus() == RunStatus.RUNNING) {
      return;
    }
    call(
        "reopen run " + runId,
        () -> {
          client.setTerminated(runId, RunStatus.RUNNING, info.getEndTime());
          return null;
        });
    log.debug("Reopened MLflow run {} (was {})", runId, info.getStatus());
  }

  @Override
  public String artifactLocation(String runId) throws IOException {
    return getRun(runId).getInfo().getArtifactUri();
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "MlflowTracker[" + shownUri + "]";
  }

  // ---- helpers -------------------------------------------------------------------------------

  private Run getRun(String runId) throws IOException {
    Objects.requireNonNull(runId, "runId");
    return call("get run " + runId, () -> client.getRun(runId));
  }

  private static Map<String, String> tags(Run run) {
    Map<String, String> tags = new TreeMap<>();
    run.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
    return tags;
  }

  private static TrackedRun toTracked(Run run) {
    RunInfo info = run.getInfo();
    Map<String, String> params = new TreeMap<>();
    run.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
    Map<String, String> tags = tags(run);
    return new TrackedRun(
        info.getRunId(),
        info.getExperimentId(),
        tags.getOrDefault(RUN_NAME_TAG, info.getRunName()),
        RunState.valueOf(info.getStatus().name()),
        Collections.unmodifiableMap(params),
        Collections.unmodifiableMap(tags),
        info.getArtifactUri(),
        info.getStartTime());
  }

  /**
   * Runs one client call, turning the client's unchecked exceptions into {@link IOException}s that
   * name the call, the server and its answer.
   */
  private <T> T call(String what, Supplier<T> body) throws IOException {
    try {
      return body.get();
    } catch (MlflowHttpException e) {
      throw new MlflowCallException(
          "MLflow at "
              + shownUri
              + " could not "
              + what
              + ": HTTP "
              + e.getStatusCode()
              + " "
              + e.getReasonPhrase()
              + ": "
              + Redact.uri(e.getBodyMessage()),
          e.getStatusCode(),
          e);
    } catch (MlflowClientException e) {
      throw new MlflowCallException(
          "MLflow at "
              + shownUri
              + " could not "
              + what
              + ": "
              + Redact.uri(e.getMessage())
              + " (is the tracking server running and reachable?)",
          0,
          e);
    }
  }

  /** A failed client call, with the HTTP status when the server answered (0 when it did not). */
  private static final class MlflowCallException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    MlflowCallException(String message, int status, Throwable cause) {
      super(message, cause);
      this.status = status;
    }
  }

  /** A request the server rejected as invalid (4xx other than rate limiting). */
  private static boolean isClientError(IOException e) {
    return e instanceof MlflowCallException failed
        && failed.status >= 400
        && failed.status < 500
        && failed.status != 429;
  }

  private static void pause(int attempt) throws IOException {
    try {
      Thread.sleep(RETRY_PAUSE_MILLIS * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("Interrupted between MLflow logging attempts");
    }
  }

  private static <T> List<List<T>> chunks(List<T> items, int size) {
    List<List<T>> chunks = new ArrayList<>();
    for (int i = 0; i < items.size(); i += size) {
      chunks.add(List.copyOf(items.subList(i, Math.min(items.size(), i + size))));
    }
    return chunks;
  }

  private static <T> List<String> keys(List<T> items, Function<T, String> key) {
    return items.stream().map(key).toList();
  }

  /** The recorded steps of one run, per metric key, for the keys loaded so far. */
  private static final class RunSteps {
    private final Map<String, Set<Long>> byKey = new TreeMap<>();

    boolean known(String key) {
      return byKey.containsKey(key);
    }

    void load(String key, Set<Long> recorded) {
      byKey.put(key, new HashSet<>(recorded));
    }

    boolean has(String key, long step) {
      return byKey.get(key).contains(step);
    }

    void add(String key, long step) {
      byKey.get(key).add(step);
    }

    void forget(Set<String> keys) {
      byKey.keySet().removeAll(keys);
    }
  }
}
