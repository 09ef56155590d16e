package org.picilab.platform.tracking;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Records experiments, runs, parameters, per-epoch metrics and tags.
 *
 * <p>Model: an experiment per sweep; in it a parent run per sweep and a child run per trial, linked
 * by the {@code mlflow.parentRunId} tag. Metric steps are global epochs. Logging is idempotent per
 * (run, key, step): logging a step that is already recorded is a no-op, so a retried or resumed
 * activity can replay its epochs without duplicating points. A resumed run is the same tracked run,
 * reopened.
 */
public interface Tracker extends AutoCloseable {

  /** Tag that links a child run to its parent, as MLflow's UI reads it. */
  String PARENT_RUN_TAG = "mlflow.parentRunId";

  /** Tag with the run's name, as MLflow's UI reads it. */
  String RUN_NAME_TAG = "mlflow.runName";

  /**
   * Finds or creates an experiment by name.
   *
   * @param name the experiment name
   * @return its id
   * @throws IOException when the tracking backend fails
   */
  String experiment(String name) throws IOException;

  /**
   * Starts a run in the RUNNING state.
   *
   * @param experimentId the experiment
   * @param name the run name (shown in UIs)
   * @param parentRunId the parent run, or null
   * @param tags initial tags
   * @return the new run's id
   * @throws IOException when the tracking backend fails
   */
  String startRun(String experimentId, String name, String parentRunId, Map<String, String> tags)
      throws IOException;

  /**
   * Finds a run of an experiment by a tag value (e.g. the PICI Lab run id).
   *
   * @param experimentId the experiment
   * @param tag tag key
   * @param value tag value
   * @return the run's id, if one has that tag value
   * @throws IOException when the tracking backend fails
   */
  Optional<String> findRun(String experimentId, String tag, String value) throws IOException;

  /**
   * Describes a run.
   *
   * @param runId the run
   * @return its state, parameters, tags and artifact location
   * @throws IOException when the tracking backend fails or there is no such run
   */
  TrackedRun run(String runId) throws IOException;

  /**
   * The runs of an experiment.
   *
   * @param experimentId the experiment
   * @return its runs, in creation order
   * @throws IOException when the tracking backend fails
   */
  List<TrackedRun> runs(String experimentId) throws IOException;

  /**
   * Logs parameters. Logging the same value again is a no-op; a different value for an existing key
   * is an error (parameters are immutable, as in MLflow).
   *
   * @param runId the run
   * @param params key to value
   * @throws IOException when the tracking backend fails
   */
  void logParams(String runId, Map<String, String> params) throws IOException;

  /**
   * Logs metric values at one step; keys already recorded at that step are skipped.
   *
   * @param runId the run
   * @param step the step (a global epoch)
   * @param values key to value
   * @throws IOException when the tracking backend fails
   */
  void logMetrics(String runId, long step, Map<String, Double> values) throws IOException;

  /**
   * Forgets what this instance cached of a run's recorded metric steps, so that the next logging
   * reads them from the backend again. Call it at the start of every attempt that logs to the run:
   * another worker may have logged to it since this one did, and a stale cache would send those
   * steps a second time.
   *
   * @param runId the run
   */
  void beginAttempt(String runId);

  /**
   * A metric's recorded points.
   *
   * @param runId the run
   * @param key the metric
   * @return points in step order
   * @throws IOException when the tracking backend fails
   */
  List<MetricPoint> history(String runId, String key) throws IOException;

  /**
   * Sets tags, replacing existing values.
   *
   * @param runId the run
   * @param tags key to value
   * @throws IOException when the tracking backend fails
   */
  void setTags(String runId, Map<String, String> tags) throws IOException;

  /**
   * Marks a run ended.
   *
   * @param runId the run
   * @param state FINISHED, FAILED or KILLED
   * @throws IOException when the tracking backend fails
   */
  void finish(String runId, RunState state) throws IOException;

  /**
   * Marks an ended run RUNNING again, for a resumed run that continues in the same tracked run.
   *
   * @param runId the run
   * @throws IOException when the tracking backend fails
   */
  void reopen(String runId) throws IOException;

  /**
   * Where the run's artifacts belong, as an {@code s3://bucket/prefix} URI; activities write them
   * there through the object store so that the tracking UI lists them.
   *
   * @param runId the run
   * @return the artifact location
   * @throws IOException when the tracking backend fails
   */
  String artifactLocation(String runId) throws IOException;

  @Override
  void close();

  /** The lifecycle states of a tracked run. */
  enum RunState {
    /** Training or evaluating. */
    RUNNING,
    /** Ended normally. */
    FINISHED,
    /** Ended with an error. */
    FAILED,
    /** Stopped by a person. */
    KILLED
  }

  /**
   * One recorded metric value.
   *
   * @param step the step
   * @param value the value
   * @param timestampMillis when it was logged
   */
  record MetricPoint(long step, double value, long timestampMillis) {}

  /**
   * A run as the tracker knows it.
   *
   * @param id run id
   * @param experimentId its experiment
   * @param name run name
   * @param state lifecycle state
   * @param params parameters
   * @param tags tags
   * @param artifactLocation artifact URI
   * @param startMillis start time
   */
  record TrackedRun(
      String id,
      String experimentId,
      String name,
      RunState state,
      Map<String, String> params,
      Map<String, String> tags,
      String artifactLocation,
      long startMillis) {}
}
