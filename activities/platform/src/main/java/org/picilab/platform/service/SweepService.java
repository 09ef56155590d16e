package org.picilab.platform.service;

import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.picilab.model.config.ConfigException;
import org.picilab.model.config.ConfigLoader;
import org.picilab.platform.db.Page;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.RunSort;
import org.picilab.platform.db.SweepRecord;
import org.picilab.platform.service.Views.Launched;
import org.picilab.platform.service.Views.SweepLine;
import org.picilab.platform.service.Views.SweepView;
import org.picilab.workflows.Ids;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.sweep.Dimension;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SpecException;
import org.picilab.workflows.sweep.SweepCursor;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepRequest;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepSpecParser;
import org.picilab.workflows.sweep.SweepWorkflow;
import org.picilab.workflows.sweep.TrialPlan;

/**
 * Sweeps: launching (every check of a specification happens here), reading them a page at a time
 * from the database of record, pausing, resuming (also after their workflow is gone) and
 * cancelling.
 */
public final class SweepService {

  /** Where a specification comes from: a person's own files, or a remote caller. */
  public enum Origin {
    /** The command line on the machine: any data folder may be named. */
    LOCAL,
    /** The REST API: data folders must lie under the configured data root. */
    REMOTE
  }

  /** Environment variable: the folder that data sets named by remote callers must lie under. */
  public static final String DATA_ROOT_ENV = "PICI_DATA_ROOT";

  private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

  /** Random characters of a sweep id after its name. */
  static final int SUFFIX = 8;

  private final WorkflowClient client;
  private final RecordStore records;
  private final Path dataRoot;
  private final SecureRandom random = new SecureRandom();

  /**
   * Creates the service.
   *
   * @param client Temporal
   * @param records the database of record
   * @param dataRoot the folder remote callers' data sets must lie under, or null to refuse every
   *     folder from a remote caller
   */
  public SweepService(WorkflowClient client, RecordStore records, Path dataRoot) {
    this.client = client;
    this.records = records;
    this.dataRoot = dataRoot == null ? null : dataRoot.toAbsolutePath().normalize();
  }

  /**
   * Opens the service over a platform's connections, with the data root from {@code
   * PICI_DATA_ROOT}.
   *
   * @param platform the connections
   * @return the service
   * @throws IOException when the database cannot be opened
   */
  public static SweepService of(org.picilab.platform.stack.Platform platform) throws IOException {
    String root = System.getenv(DATA_ROOT_ENV);
    return new SweepService(
        platform.client(),
        platform.records(),
        root == null || root.isBlank() ? null : Path.of(root));
  }

  // ---------------------------------------------------------------- launch

  /**
   * Checks a specification and starts its sweep.
   *
   * @param text the specification, YAML or JSON
   * @param origin where it comes from
   * @return the sweep's id and size
   * @throws SpecException or {@link ConfigException} naming the field at fault
   */
  public Launched launch(String text, Origin origin) {
    SweepSpec spec = check(text, origin);
    String id = newId(spec.name());
    SweepWorkflow wf =
        client.newWorkflowStub(
            SweepWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .build());
    WorkflowClient.start(wf::run, SweepRequest.start(id, spec));
    return new Launched(
        id,
        SearchSpace.count(spec),
        Math.min(SearchSpace.configurations(spec), SearchSpace.count(spec)),
        spec.seeds().size(),
        spec.maxConcurrent());
  }

  /**
   * Parses and checks a specification without starting anything: the caps, every searched value
   * against the run configuration, and where its data lies.
   *
   * @param text the specification
   * @param origin where it comes from
   * @return the specification
   */
  public SweepSpec check(String text, Origin origin) {
    SweepSpec spec = SweepSpecParser.parse(text);
    checkConfigurations(spec);
    checkData(spec.dataset(), origin);
    return spec;
  }

  /**
   * Every searched value must be a valid setting, so typos fail at launch, not in a worker. Each
   * value is checked once, with the other dimensions at their first value: as many loads as there
   * are values, not as many as there are configurations.
   */
  private static void checkConfigurations(SweepSpec spec) {
    Map<String, String> base = new LinkedHashMap<>(spec.parameters());
    Map<String, List<String>> values = new LinkedHashMap<>();
    if (spec.strategy().equals("random")) {
      // Random draws are checked as drawn, for a bounded number of configurations.
      List<TrialPlan> first = SearchSpace.trials(withBudget(spec, 200));
      for (TrialPlan t : first) {
        load(spec, t.parameters(), t.configKey());
      }
      return;
    }
    for (Map.Entry<String, Dimension> d : spec.space().entrySet()) {
      List<String> vs = SearchSpace.values(d.getValue());
      values.put(d.getKey(), vs);
      base.put(d.getKey(), vs.get(0));
    }
    load(spec, base, "first configuration");
    for (Map.Entry<String, List<String>> d : values.entrySet()) {
      for (String v : d.getValue().subList(1, d.getValue().size())) {
        Map<String, String> one = new LinkedHashMap<>(base);
        one.put(d.getKey(), v);
        load(spec, one, d.getKey() + "=" + v);
      }
    }
  }

  private static SweepSpec withBudget(SweepSpec s, int budget) {
    return new SweepSpec(
        s.name(),
        s.method(),
        s.dataset(),
        s.preset(),
        s.parameters(),
        s.strategy(),
        Math.min(s.trials(), budget),
        s.searchSeed(),
        s.space(),
        List.of(s.seeds().get(0)),
        s.maxConcurrent(),
        0,
        s.execution(),
        s.continueAsNewAfter());
  }

  private static void load(SweepSpec spec, Map<String, String> parameters, String label) {
    Map<String, String> overrides = new LinkedHashMap<>(parameters);
    overrides.put("method", spec.method());
    try {
      ConfigLoader.load(spec.preset(), null, overrides);
    } catch (ConfigException ex) {
      String where =
          spec.space().containsKey(ex.field())
              ? "search.space." + ex.field()
              : "parameters." + ex.field();
      throw new ConfigException(
          where,
          ex.getMessage().substring(ex.field().length() + 2) + " (configuration " + label + ")");
    }
  }

  /**
   * A data set named by a remote caller must be built in (digits, generated shapes) or a folder
   * under the data root, so that nobody can make the workers read arbitrary folders.
   */
  void checkData(String dataset, Origin origin) {
    if (origin == Origin.LOCAL || builtIn(dataset)) {
      return;
    }
    if (dataRoot == null) {
      throw new SpecException(
          "dataset",
          "'"
              + dataset
              + "' is a folder, and folders are refused from remote callers unless "
              + DATA_ROOT_ENV
              + " names the folder they must lie under");
    }
    Path p = dataRoot.resolve(dataset).toAbsolutePath().normalize();
    try {
      if (Files.exists(p)) {
        p = p.toRealPath();
      }
    } catch (IOException e) {
      throw new SpecException("dataset", "cannot read '" + dataset + "': " + e.getMessage());
    }
    Path root = dataRoot;
    try {
      if (Files.exists(root)) {
        root = root.toRealPath();
      }
    } catch (IOException e) {
      throw new SpecException("dataset", "cannot read the data root " + dataRoot);
    }
    if (!p.startsWith(root)) {
      throw new SpecException(
          "dataset",
          "'" + dataset + "' lies outside the data root " + dataRoot + " (" + DATA_ROOT_ENV + ")");
    }
  }

  private static boolean builtIn(String dataset) {
    String d = dataset.trim();
    return d.equals("digits")
        || d.equals("shapes")
        || d.equals("colorshapes")
        || d.startsWith("shapes:")
        || d.startsWith("colorshapes:");
  }

  /** A new sweep id: the name and 8 random characters, checked against the database. */
  private String newId(String name) {
    for (int attempt = 0; attempt < 20; attempt++) {
      StringBuilder sb = new StringBuilder("sweep-").append(name).append('-');
      for (int i = 0; i < SUFFIX; i++) {
        sb.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      String id = sb.toString();
      if (!records.sweepExists(id)) {
        return id;
      }
    }
    throw new IllegalStateException("could not find a free sweep id for " + name);
  }

  // ---------------------------------------------------------------- read

  /**
   * A sweep with one page of its trials.
   *
   * @param sweepId the sweep
   * @param sort the trials' order
   * @param offset trials to skip
   * @param limit the page size
   * @return the view
   * @throws NotFoundException when the platform has no such sweep
   */
  public SweepView show(String sweepId, RunSort sort, int offset, int limit) {
    Ids.requireSweepId(sweepId, "sweep id");
    Optional<SweepRecord> rec = records.sweep(sweepId);
    if (rec.isEmpty()) {
      throw new NotFoundException(
          starting(sweepId)
              ? sweepId + " is starting; its trials are being recorded, try again in a moment"
              : "no sweep " + sweepId + " (list them with ./pici sweep list)");
    }
    SweepRecord s = rec.get();
    SweepPhase phase = phaseNow(s);
    String note =
        phase == SweepPhase.LOST
            ? "its workflow is gone from Temporal before it ended; carry on with ./pici sweep"
                + " resume "
                + sweepId
            : null;
    return new SweepView(
        s,
        phase,
        records.counts(sweepId),
        records.summary(sweepId),
        records.runs(sweepId, Set.of(), sort, offset, limit),
        note);
  }

  /**
   * A page of a sweep's trials.
   *
   * @param sweepId the sweep
   * @param statuses only these statuses, or empty for all
   * @param sort the order
   * @param offset trials to skip
   * @param limit the page size
   * @return the page
   * @throws NotFoundException when the platform has no such sweep
   */
  public Page<RunRecord> trials(
      String sweepId, Set<RunStatus> statuses, RunSort sort, int offset, int limit) {
    Ids.requireSweepId(sweepId, "sweep id");
    if (!records.sweepExists(sweepId)) {
      throw new NotFoundException("no sweep " + sweepId + " (list them with ./pici sweep list)");
    }
    return records.runs(sweepId, statuses, sort, offset, limit);
  }

  /**
   * Sweeps, newest first.
   *
   * @param offset sweeps to skip
   * @param limit the page size
   * @return the page
   */
  public Page<SweepLine> list(int offset, int limit) {
    Page<SweepRecord> page = records.sweeps(offset, limit);
    Map<String, Map<RunStatus, Long>> counts =
        records.counts(page.items().stream().map(SweepRecord::id).toList());
    List<SweepLine> lines = new ArrayList<>();
    for (SweepRecord s : page.items()) {
      lines.add(new SweepLine(s, phaseNow(s), counts.get(s.id())));
    }
    return new Page<>(lines, page.total(), offset, limit);
  }

  /**
   * Polls a sweep until it ends, telling each change of its counts.
   *
   * @param sweepId the sweep
   * @param lines receives a line whenever the counts change
   * @return the sweep at its end
   * @throws InterruptedException when interrupted
   */
  public SweepView follow(String sweepId, Consumer<String> lines) throws InterruptedException {
    Ids.requireSweepId(sweepId, "sweep id");
    String last = "";
    long endedAt = 0;
    while (true) {
      // Each poll reads the record and the counts only; the per-configuration summary, which
      // reads every trial, is read once, at the end.
      Optional<SweepRecord> rec = records.sweep(sweepId);
      if (rec.isEmpty()) {
        if (!starting(sweepId)) {
          return show(sweepId, RunSort.INDEX, 0, 1); // Throws the not-found error.
        }
        Thread.sleep(500);
        continue;
      }
      SweepView v =
          new SweepView(
              rec.get(),
              phaseNow(rec.get()),
              records.counts(sweepId),
              List.of(),
              new Page<>(List.of(), 0, 0, 0),
              null);
      String line =
          String.format(
              java.util.Locale.ROOT,
              "%s: %d/%d ended (%d completed, %d failed, %d cancelled, %d lost), %d running, %d"
                  + " pending",
              v.phase(),
              v.ended(),
              v.sweep().totalTrials(),
              v.counts().get(RunStatus.COMPLETED),
              v.counts().get(RunStatus.FAILED),
              v.counts().get(RunStatus.CANCELLED),
              v.counts().get(RunStatus.LOST),
              v.counts().get(RunStatus.RUNNING),
              v.counts().get(RunStatus.PENDING));
      if (!line.equals(last)) {
        lines.accept(line);
        last = line;
      }
      if (v.phase() == SweepPhase.LOST) {
        return show(sweepId, RunSort.INDEX, 0, 1);
      }
      if (v.phase() == SweepPhase.COMPLETED || v.phase() == SweepPhase.CANCELLED) {
        // A run tells its sweep before it records its own end: give the last records a minute.
        boolean settled =
            v.counts().get(RunStatus.RUNNING) == 0 && v.counts().get(RunStatus.PENDING) == 0;
        endedAt = endedAt == 0 ? System.nanoTime() : endedAt;
        if (settled || System.nanoTime() - endedAt > 60_000_000_000L) {
          return show(sweepId, RunSort.INDEX, 0, 1);
        }
      }
      Thread.sleep(1000);
    }
  }

  private boolean starting(String sweepId) {
    try {
      return Executions.running(client, sweepId);
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  /** The recorded phase, or LOST when the sweep had not ended and Temporal no longer runs it. */
  private SweepPhase phaseNow(SweepRecord s) {
    if (s.phase() == SweepPhase.COMPLETED || s.phase() == SweepPhase.CANCELLED) {
      return s.phase();
    }
    try {
      return Executions.running(client, s.id()) ? s.phase() : SweepPhase.LOST;
    } catch (StatusRuntimeException e) {
      return s.phase();
    }
  }

  // ---------------------------------------------------------------- control

  /**
   * Starts no new trials; running ones go on.
   *
   * @param sweepId the sweep
   */
  public void pause(String sweepId) {
    signal(sweepId).pause();
  }

  /**
   * Cancels a sweep: running trials stop after their next batch, leaving checkpoints; the rest are
   * skipped.
   *
   * @param sweepId the sweep
   */
  public void cancel(String sweepId) {
    signal(sweepId).cancel();
  }

  private SweepWorkflow signal(String sweepId) {
    Ids.requireSweepId(sweepId, "sweep id");
    if (!records.sweepExists(sweepId) && !starting(sweepId)) {
      throw new NotFoundException("no sweep " + sweepId + " (list them with ./pici sweep list)");
    }
    if (!Executions.running(client, sweepId)) {
      throw new ConflictException(sweepId + " is not running");
    }
    return client.newWorkflowStub(SweepWorkflow.class, sweepId);
  }

  /**
   * Starts trials again after a pause; a sweep whose workflow is gone (the embedded server
   * restarted, or it was terminated) carries on from the database: ended trials are kept,
   * interrupted ones continue from their newest checkpoints, none starts twice.
   *
   * @param sweepId the sweep
   * @return what happened, for people
   */
  public String resume(String sweepId) {
    Ids.requireSweepId(sweepId, "sweep id");
    if (Executions.running(client, sweepId)) {
      try {
        client.newWorkflowStub(SweepWorkflow.class, sweepId).resume();
      } catch (WorkflowException e) {
        throw new ConflictException(sweepId + " could not be resumed: " + e.getMessage());
      }
      return "resumed";
    }
    SweepRecord s =
        records
            .sweep(sweepId)
            .orElseThrow(
                () ->
                    new NotFoundException(
                        "no sweep " + sweepId + " (list them with ./pici sweep list)"));
    switch (s.phase()) {
      case COMPLETED -> throw new ConflictException(sweepId + " has completed; nothing to resume");
      case CANCELLED ->
          throw new ConflictException(
              sweepId
                  + " was cancelled; launch the specification again, or continue single runs"
                  + " with ./pici run resume RUN");
      default -> {}
    }
    return revive(s);
  }

  /**
   * Starts a new workflow run for a sweep whose workflow is gone, from the database: trials whose
   * runs are alive are waited for, trials whose runs are gone without an end go back to pending
   * (they continue from their checkpoints), the rest stays as recorded.
   *
   * @param s the sweep's record
   * @return what happened, for people
   */
  String revive(SweepRecord s) {
    List<Integer> alive = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    int offset = 0;
    while (true) {
      Page<RunRecord> page =
          records.runs(s.id(), Set.of(RunStatus.RUNNING), RunSort.INDEX, offset, 1000);
      for (RunRecord r : page.items()) {
        if (Executions.running(client, r.id())) {
          alive.add(r.trialIndex());
        } else {
          gone.add(r.id());
        }
      }
      if (!page.hasNext()) {
        break;
      }
      offset += page.items().size();
    }
    int requeued = records.requeue(gone, System.currentTimeMillis());
    SweepWorkflow wf =
        client.newWorkflowStub(
            SweepWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(s.id())
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .build());
    SweepPhase phase = s.phase() == SweepPhase.PAUSED ? SweepPhase.PAUSED : SweepPhase.RUNNING;
    WorkflowClient.start(
        wf::run,
        new SweepRequest(
            s.id(),
            s.spec(),
            null,
            phase,
            s.trackingRunId(),
            0,
            SweepCursor.fromDatabase(s.totalTrials(), alive)));
    return String.format(
        java.util.Locale.ROOT,
        "carried on from the database: %d trials continue from their checkpoints, %d still"
            + " running",
        requeued,
        alive.size());
  }

  /**
   * Whether Temporal knows a sweep's workflow at all.
   *
   * @param sweepId the sweep
   * @return false when Temporal answers NOT_FOUND
   */
  boolean known(String sweepId) {
    Optional<WorkflowExecutionStatus> st = Executions.status(client, sweepId);
    return st.isPresent();
  }
}
