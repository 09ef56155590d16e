package org.picilab.platform.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.picilab.platform.store.ObjectStore;
import org.picilab.workflows.EpochProgress;
import org.picilab.workflows.Ids;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.sweep.SweepStatus;

/**
 * Run and sweep records in the object store.
 *
 * <pre>
 * registry/runs/RUN_ID/request.json    the request, written once when the run first starts
 * registry/runs/RUN_ID/status.json     the status the workflow last recorded (start, stages, end)
 * registry/runs/RUN_ID/progress.json   the last epoch the training activity reported
 * registry/sweeps/SWEEP_ID.json        the sweep's last recorded status
 * </pre>
 *
 * <p>Every id is checked against {@link Ids} before it becomes part of a key, so a run or sweep id
 * can never reach another run's records or a key outside the registry; a malformed one is an {@link
 * IllegalArgumentException} naming the field.
 *
 * <p>Each file has a single writer (the workflow's control activities, or the training activity for
 * progress), so no two writers race on one object.
 */
public final class Registry {

  private static final String RUNS = "registry/runs/";
  private static final String SWEEPS = "registry/sweeps/";

  private final ObjectStore store;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * Creates a registry over a store.
   *
   * @param store the object store
   */
  public Registry(ObjectStore store) {
    this.store = store;
  }

  /**
   * Records a run's request.
   *
   * @param request the request
   * @throws IOException when storage fails
   */
  public void saveRequest(RunRequest request) throws IOException {
    put(RUNS + Ids.requireRunId(request.runId(), "runId") + "/request.json", request);
  }

  /**
   * A run's request.
   *
   * @param runId the run
   * @return the request, if the run is known
   * @throws IOException when storage fails
   */
  public Optional<RunRequest> request(String runId) throws IOException {
    return get(RUNS + Ids.requireRunId(runId, "runId") + "/request.json", RunRequest.class);
  }

  /**
   * Records a run's status.
   *
   * @param progress the status as the workflow knows it
   * @throws IOException when storage fails
   */
  public void saveStatus(RunProgress progress) throws IOException {
    put(RUNS + Ids.requireRunId(progress.runId(), "runId") + "/status.json", progress);
  }

  /**
   * A run's last recorded status.
   *
   * @param runId the run
   * @return the status, if recorded
   * @throws IOException when storage fails
   */
  public Optional<RunProgress> status(String runId) throws IOException {
    return get(RUNS + Ids.requireRunId(runId, "runId") + "/status.json", RunProgress.class);
  }

  /**
   * Records the last epoch a training activity reported.
   *
   * @param runId the run
   * @param progress the report
   * @throws IOException when storage fails
   */
  public void saveProgress(String runId, EpochProgress progress) throws IOException {
    put(RUNS + Ids.requireRunId(runId, "runId") + "/progress.json", progress);
  }

  /**
   * The last epoch a training activity reported.
   *
   * @param runId the run
   * @return the report, if any
   * @throws IOException when storage fails
   */
  public Optional<EpochProgress> progress(String runId) throws IOException {
    return get(RUNS + Ids.requireRunId(runId, "runId") + "/progress.json", EpochProgress.class);
  }

  /**
   * Records a sweep's status.
   *
   * @param status the status
   * @throws IOException when storage fails
   */
  public void saveSweep(SweepStatus status) throws IOException {
    put(SWEEPS + Ids.requireSweepId(status.sweepId(), "sweepId") + ".json", status);
  }

  /**
   * A sweep's last recorded status.
   *
   * @param sweepId the sweep
   * @return the status, if recorded
   * @throws IOException when storage fails
   */
  public Optional<SweepStatus> sweep(String sweepId) throws IOException {
    return get(SWEEPS + Ids.requireSweepId(sweepId, "sweepId") + ".json", SweepStatus.class);
  }

  /**
   * The ids of every recorded sweep.
   *
   * @return sweep ids in key order
   * @throws IOException when storage fails
   */
  public List<String> sweepIds() throws IOException {
    List<String> out = new ArrayList<>();
    for (ObjectStore.ObjectInfo o : store.list(SWEEPS)) {
      String name = o.key().substring(SWEEPS.length());
      if (name.endsWith(".json")) {
        String id = name.substring(0, name.length() - ".json".length());
        // Objects that no valid id could have written (e.g. S3Proxy's partial uploads) are skipped.
        if (Ids.isSweepId(id)) {
          out.add(id);
        }
      }
    }
    return out;
  }

  /**
   * The ids of the runs with a recorded request.
   *
   * @return the run ids
   * @throws IOException when the store cannot be listed
   */
  public List<String> runIds() throws IOException {
    List<String> out = new ArrayList<>();
    for (ObjectStore.ObjectInfo o : store.list(RUNS)) {
      String rest = o.key().substring(RUNS.length());
      if (rest.endsWith("/request.json") && rest.indexOf('/') == rest.length() - 13) {
        out.add(rest.substring(0, rest.length() - "/request.json".length()));
      }
    }
    return out;
  }

  private void put(String key, Object value) throws IOException {
    store.putBytes(
        key, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(value), "application/json");
  }

  private <T> Optional<T> get(String key, Class<T> type) throws IOException {
    Optional<byte[]> bytes = store.readBytes(key);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(json.readValue(bytes.get(), type));
  }
}
