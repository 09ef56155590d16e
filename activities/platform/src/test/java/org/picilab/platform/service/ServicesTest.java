package org.picilab.platform.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.picilab.model.config.ConfigException;
import org.picilab.platform.control.ControlActivitiesImpl;
import org.picilab.platform.db.Database;
import org.picilab.platform.db.DatabaseSettings;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.RunSort;
import org.picilab.platform.db.SweepRecord;
import org.picilab.platform.registry.Registry;
import org.picilab.platform.service.Views.SweepView;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3ObjectStoreTest;
import org.picilab.platform.tracking.LocalTracker;
import org.picilab.workflows.EvaluationResult;
import org.picilab.workflows.RunPlan;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;
import org.picilab.workflows.StageOutcome;
import org.picilab.workflows.StageRequest;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.TrainingActivities;
import org.picilab.workflows.impl.ExperimentWorkflowImpl;
import org.picilab.workflows.impl.SweepWorkflowImpl;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SpecException;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepSpecParser;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.TrialPlan;
import org.picilab.workflows.sweep.TrialState;

/**
 * The sweep and run services over Temporal's test server, the real control activities and a real
 * SQLite database of record; training is a fake that counts its starts per run id.
 */
@Timeout(120)
class ServicesTest {

  static final String SPEC =
      """
      name: svc
      dataset: digits
      preset: tiny
      search: {space: {lr: [0.001, 0.002]}}
      seeds: [1, 2]
      maxConcurrent: 2
      """;

  @TempDir Path root;
  TestWorkflowEnvironment env;
  WorkflowClient client;
  Database db;
  RecordStore records;
  LocalTracker tracker;
  SweepService sweeps;
  RunService runs;
  final Map<String, AtomicInteger> prepared = new ConcurrentHashMap<>();

  /** Training that takes no time: one epoch of the train stage, fixed scores. */
  final class Training implements TrainingActivities {
    @Override
    public RunPlan prepare(RunRequest request) {
      prepared.computeIfAbsent(request.runId(), k -> new AtomicInteger()).incrementAndGet();
      return new RunPlan(null, 0, 1, 0, 10, 2, 0);
    }

    @Override
    public StageOutcome trainStage(StageRequest request) {
      Activity.getExecutionContext().heartbeat(null);
      return new StageOutcome(request.stage(), 1, 0, null, 1, false, 0, "test");
    }

    @Override
    public EvaluationResult evaluate(RunRequest run, String trackingRunId) {
      return new EvaluationResult(new Scores(0.7, 0.7, 0.7, 0.7), null, null);
    }
  }

  @BeforeEach
  void start() throws Exception {
    db = Database.open(DatabaseSettings.embedded(root.resolve("home")));
    records = new RecordStore(db);
    tracker = new LocalTracker(root.resolve("tracking"), "s3://pici/tracking");
    env = TestWorkflowEnvironment.newInstance();
    client = env.getWorkflowClient();
    env.newWorker(TaskQueues.WORKFLOWS)
        .registerWorkflowImplementationTypes(ExperimentWorkflowImpl.class, SweepWorkflowImpl.class);
    env.newWorker(TaskQueues.CONTROL)
        .registerActivitiesImplementations(
            new ControlActivitiesImpl(records, tracker, client, "abc1234"));
    env.newWorker(TaskQueues.TRAINING).registerActivitiesImplementations(new Training());
    env.start();
    sweeps = new SweepService(client, records, root.resolve("data"));
    runs = new RunService(client, records);
  }

  @AfterEach
  void stop() throws Exception {
    env.close();
    tracker.close();
    db.close();
  }

  @Test
  void aLaunchedSweepIsRecordedAndReadInPagesFromTheDatabase() throws Exception {
    String id = sweeps.launch(SPEC, SweepService.Origin.LOCAL).sweepId();
    assertTrue(id.matches("sweep-svc-[a-z2-9]{8}"), id);
    SweepView end = sweeps.follow(id, line -> {});
    assertEquals(SweepPhase.COMPLETED, end.phase());
    assertEquals(4L, end.counts().get(RunStatus.COMPLETED));
    for (int i = 0; i < 4; i++) {
      assertEquals(1, prepared.get(TrialPlan.runId(id, i)).get(), "each trial started once");
    }
    SweepView page2 = sweeps.show(id, RunSort.NMI, 2, 2);
    assertEquals(2, page2.trials().items().size());
    assertEquals(4, page2.trials().total());
    assertEquals(2, page2.summary().size());
    assertEquals(0.7, page2.summary().get(0).mean().nmi(), 1e-12);
    RunRecord first = records.run(TrialPlan.runId(id, 0)).orElseThrow();
    assertEquals("abc1234", first.gitCommit());
    assertTrue(first.startedAt() != null && first.endedAt() != null);

    String other = sweeps.launch(SPEC, SweepService.Origin.LOCAL).sweepId();
    assertNotEquals(id, other);
    sweeps.follow(other, line -> {});
    assertEquals(2, sweeps.list(0, 10).total());
  }

  @Test
  void aBadSearchedValueIsRefusedAtLaunchNamingItsField() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                sweeps.launch(
                    SPEC.replace("[0.001, 0.002]", "[0.001, fast]"), SweepService.Origin.LOCAL));
    assertEquals("search.space.lr", e.field());
    assertTrue(e.getMessage().contains("lr=fast"), e.getMessage());
    assertEquals(0, records.sweeps(0, 10).total(), "nothing was started");
  }

  @Test
  void remoteSpecsMayNameFoldersOnlyUnderTheDataRoot() throws Exception {
    Path data = Files.createDirectories(root.resolve("data/faces"));
    Files.createDirectories(root.resolve("secret"));
    sweeps.checkData("faces", SweepService.Origin.REMOTE);
    sweeps.checkData(data.toString(), SweepService.Origin.REMOTE);
    sweeps.checkData("shapes:4:16", SweepService.Origin.REMOTE);
    sweeps.checkData(root.resolve("secret").toString(), SweepService.Origin.LOCAL);
    SpecException outside =
        assertThrows(
            SpecException.class, () -> sweeps.checkData("../secret", SweepService.Origin.REMOTE));
    assertEquals("dataset", outside.field());
    assertTrue(outside.getMessage().contains("outside the data root"), outside.getMessage());
    assertThrows(
        SpecException.class,
        () -> sweeps.checkData(root.resolve("secret").toString(), SweepService.Origin.REMOTE));
    SweepService noRoot = new SweepService(client, records, null);
    assertThrows(SpecException.class, () -> noRoot.checkData("faces", SweepService.Origin.REMOTE));
  }

  @Test
  void resumingACompletedRunNeedsToBeAskedForExplicitly() throws Exception {
    String id = sweeps.launch(SPEC, SweepService.Origin.LOCAL).sweepId();
    sweeps.follow(id, line -> {});
    String runId = TrialPlan.runId(id, 0);
    ConflictException e = assertThrows(ConflictException.class, () -> runs.resume(runId, false));
    assertTrue(e.getMessage().contains("--force"), e.getMessage());
    assertEquals(1, prepared.get(runId).get());
    runs.resume(runId, true);
    assertEquals(RunStatus.COMPLETED, runs.awaitEnd(runId).status());
    assertEquals(2, prepared.get(runId).get());
    assertThrows(NotFoundException.class, () -> runs.progress("run-nothing-here-001"));
    assertThrows(IllegalArgumentException.class, () -> runs.progress("../etc"));
  }

  @Test
  void startUpImportsTheRegistryOnceAndRevivesWhatTemporalForgot() throws Exception {
    SweepSpec spec = SweepSpecParser.parse(SPEC);
    try (EmbeddedS3 s3 =
            EmbeddedS3.start(
                root.resolve("s3"), 0, S3ObjectStoreTest.ACCESS, S3ObjectStoreTest.SECRET);
        S3ObjectStore store = S3ObjectStore.connect(S3ObjectStoreTest.settings(s3, "pici"))) {
      Registry registry = new Registry(store);
      // A sweep an earlier version recorded in S3: one trial done, one interrupted, two pending.
      String old = "sweep-svc-oldregis";
      List<TrialPlan> plans = SearchSpace.trials(spec);
      List<TrialState> trials = new java.util.ArrayList<>();
      for (TrialPlan p : plans) {
        RunStatus st =
            p.index() == 0
                ? RunStatus.COMPLETED
                : p.index() == 1 ? RunStatus.RUNNING : RunStatus.PENDING;
        trials.add(
            new TrialState(
                p.index(),
                TrialPlan.runId(old, p.index()),
                p.configKey(),
                p.parameters(),
                p.seed(),
                st,
                st == RunStatus.COMPLETED ? new Scores(0.5, 0.5, 0.5, 0.5) : null,
                null));
      }
      registry.saveSweep(new SweepStatus(old, spec, SweepPhase.RUNNING, trials, null, 0));
      RunRequest interrupted = plans.get(1).request(old, spec, null);
      registry.saveRequest(interrupted);
      registry.saveStatus(
          new RunProgress(
              interrupted.runId(),
              RunStatus.RUNNING,
              "train",
              0,
              1,
              Map.of(),
              0,
              0,
              1,
              0,
              null,
              null,
              null,
              null,
              null,
              null));

      ControllerStartup.Report report =
          ControllerStartup.run(records, registry, sweeps, runs, "abc1234");
      assertEquals(1, report.importedSweeps());
      assertEquals(1, report.importedRuns());
      assertEquals(
          1, report.revivedSweeps(), "the sweep was running and Temporal knows nothing of it");

      SweepView end = sweeps.follow(old, line -> {});
      assertEquals(SweepPhase.COMPLETED, end.phase());
      assertEquals(4L, end.counts().get(RunStatus.COMPLETED));
      assertEquals(null, prepared.get(TrialPlan.runId(old, 0)), "the finished trial is kept");
      assertEquals(1, prepared.get(interrupted.runId()).get(), "the interrupted one continues");

      ControllerStartup.Report again = ControllerStartup.run(records, registry, sweeps, runs, "x");
      assertEquals(0, again.importedSweeps() + again.importedRuns() + again.revivedSweeps());
      SweepRecord rec = records.sweep(old).orElseThrow();
      assertEquals(SweepPhase.COMPLETED, rec.phase());
      assertEquals(4, records.runs(old, Set.of(RunStatus.COMPLETED), RunSort.INDEX, 0, 10).total());
    }
  }
}
