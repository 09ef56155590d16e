package org.picilab.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;
import org.picilab.workflows.sweep.ConfigSummary;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepSpecParser;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.TrialPlan;
import org.picilab.workflows.sweep.TrialState;

/**
 * What every database of record must do, run against the embedded SQLite file and a real PostgreSQL
 * server. Each test reads the raw rows back through SQL where the claim is about them.
 */
abstract class RecordStoreContract {

  /** A fresh, migrated database for one test. */
  abstract Database database() throws Exception;

  static SweepSpec spec(int lrs, int seeds) {
    StringBuilder lr = new StringBuilder();
    for (int i = 0; i < lrs; i++) {
      lr.append(i == 0 ? "" : ", ").append("0.00").append(i + 1);
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < seeds; i++) {
      s.append(i == 0 ? "" : ", ").append(i + 1);
    }
    return SweepSpecParser.parse(
        "name: contract\nmethod: pici\ndataset: digits\npreset: tiny\nsearch:\n  space:\n    lr: ["
            + lr
            + "]\nseeds: ["
            + s
            + "]\nmaxConcurrent: 4\n");
  }

  static SweepRecord sweep(String id, SweepSpec spec, int trials, long now) {
    return new SweepRecord(
        id,
        spec.name(),
        spec,
        SweepPhase.RUNNING,
        trials,
        4,
        "track-1",
        "abc123",
        null,
        now,
        now,
        null);
  }

  static RunProgress progress(String runId, RunStatus status, Scores scores, String error) {
    return new RunProgress(
        runId,
        status,
        "boost",
        5,
        5,
        Map.of(),
        0,
        0,
        1,
        0,
        "runs/" + runId + "/ck",
        null,
        "w1",
        scores,
        error,
        "tr-" + runId);
  }

  private static List<TrialPlan> trials(SweepSpec spec) {
    return SearchSpace.trials(spec);
  }

  private static long rawCount(Database db, String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void aSweepIsRecordedWithEveryTrialPendingOnceEvenWhenRetried() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(5, 3);
      List<TrialPlan> plans = trials(spec);
      store.createSweep(sweep("sweep-a-00000001", spec, plans.size(), 1000), plans, 1000);
      store.createSweep(sweep("sweep-a-00000001", spec, plans.size(), 2000), plans, 2000);

      assertEquals(15, rawCount(db, "SELECT COUNT(*) FROM runs"));
      assertEquals(
          15,
          rawCount(db, "SELECT COUNT(*) FROM runs WHERE status = 'PENDING' AND created_at = 1000"));
      assertEquals(1, rawCount(db, "SELECT COUNT(*) FROM sweeps"));
      assertEquals(15L, store.counts("sweep-a-00000001").get(RunStatus.PENDING));
      assertTrue(store.sweepExists("sweep-a-00000001"));
      assertFalse(store.sweepExists("sweep-b-00000001"));
      SweepRecord read = store.sweep("sweep-a-00000001").orElseThrow();
      assertEquals(spec, read.spec());
      assertEquals(15, read.totalTrials());
      RunRecord third =
          store.runs("sweep-a-00000001", Set.of(), RunSort.INDEX, 2, 1).items().get(0);
      assertEquals(TrialPlan.runId("sweep-a-00000001", 2), third.id());
      assertEquals(plans.get(2).parameters(), third.parameters());
      assertEquals(plans.get(2).request("sweep-a-00000001", spec, "track-1"), third.request());
    }
  }

  @Test
  void savingARunUpdatesItsRowAndRecordsTimesOnce() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(2, 1);
      List<TrialPlan> plans = trials(spec);
      store.createSweep(sweep("sweep-b-00000001", spec, 2, 10), plans, 10);
      RunRequest r = plans.get(0).request("sweep-b-00000001", spec, "track-1");

      store.saveRun(r, progress(r.runId(), RunStatus.RUNNING, null, null), null, "c1", 20);
      store.saveRun(r, progress(r.runId(), RunStatus.RUNNING, null, null), null, "c1", 30);
      Scores s = new Scores(0.5, 0.6, 0.4, 0.55);
      store.saveRun(
          r, progress(r.runId(), RunStatus.COMPLETED, s, null), "runs/x/result.json", "c1", 40);

      assertEquals(2, rawCount(db, "SELECT COUNT(*) FROM runs"));
      RunRecord rec = store.run(r.runId()).orElseThrow();
      assertEquals(RunStatus.COMPLETED, rec.status());
      assertEquals(s, rec.scores());
      assertEquals(20L, rec.startedAt(), "the first start is kept");
      assertEquals(40L, rec.endedAt());
      assertEquals(10L, rec.createdAt());
      assertEquals("runs/x/result.json", rec.resultKey());
      assertEquals("tr-" + r.runId(), rec.trackingRunId());

      // A resumed run runs again: it is no longer ended.
      store.saveRun(r, progress(r.runId(), RunStatus.RUNNING, s, null), null, "c1", 50);
      assertNull(store.run(r.runId()).orElseThrow().endedAt());
      assertEquals("runs/x/result.json", store.run(r.runId()).orElseThrow().resultKey());
    }
  }

  @Test
  void aSingleRunWithoutSweepIsRecordedToo() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      RunRequest r =
          new RunRequest(
              "run-alone-1",
              null,
              0,
              null,
              "pici",
              "digits",
              "tiny",
              Map.of("lr", "1"),
              7,
              null,
              null);
      store.saveRun(r, progress(r.runId(), RunStatus.RUNNING, null, null), null, null, 5);
      RunRecord rec = store.run("run-alone-1").orElseThrow();
      assertNull(rec.sweepId());
      assertNull(rec.trialIndex());
      assertEquals(Map.of("lr", "1"), rec.parameters());
      assertEquals(r, rec.request());
    }
  }

  @Test
  void pagesSortedByAScoreMatchTheWholeListSortedInJava() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(10, 10);
      List<TrialPlan> plans = trials(spec);
      store.createSweep(sweep("sweep-c-00000001", spec, plans.size(), 1), plans, 1);
      // A second sweep whose runs must never show up in the first one's pages.
      store.createSweep(sweep("sweep-d-00000001", spec, plans.size(), 1), plans, 1);
      java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
      for (TrialPlan p : plans) {
        if (p.index() % 7 == 3) {
          continue; // unscored: stays pending
        }
        // Ties on purpose (two decimals) to check the id tie-break.
        double nmi = Math.round(rng.nextDouble() * 100) / 100.0;
        RunRequest r = p.request("sweep-c-00000001", spec, null);
        store.saveRun(
            r,
            progress(r.runId(), RunStatus.COMPLETED, new Scores(nmi, 0, 0, 0), null),
            null,
            null,
            2);
      }
      List<RunRecord> all =
          store.runs("sweep-c-00000001", Set.of(), RunSort.NMI, 0, 10_000).items();
      assertEquals(100, all.size());
      List<RunRecord> expected = new ArrayList<>(all);
      expected.sort(
          Comparator.comparingDouble((RunRecord x) -> x.scores() == null ? -2 : x.scores().nmi())
              .reversed()
              .thenComparing(RunRecord::id));
      assertEquals(ids(expected), ids(all));
      assertNull(all.get(all.size() - 1).scores(), "unscored runs come last");

      Page<RunRecord> page3 = store.runs("sweep-c-00000001", Set.of(), RunSort.NMI, 20, 10);
      assertEquals(ids(expected.subList(20, 30)), ids(page3.items()));
      assertEquals(100, page3.total());
      assertTrue(page3.hasNext());

      Page<RunRecord> pending =
          store.runs("sweep-c-00000001", Set.of(RunStatus.PENDING), RunSort.INDEX, 0, 100);
      long unscored = plans.stream().filter(p -> p.index() % 7 == 3).count();
      assertEquals(unscored, pending.total());
      assertTrue(pending.items().stream().allMatch(x -> x.trialIndex() % 7 == 3));
    }
  }

  private static List<String> ids(List<RunRecord> runs) {
    return runs.stream().map(RunRecord::id).toList();
  }

  @Test
  void theSummaryHasMeanAndSampleStandardDeviationPerConfiguration() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(2, 3);
      List<TrialPlan> plans = trials(spec);
      store.createSweep(sweep("sweep-e-00000001", spec, plans.size(), 1), plans, 1);
      double[] nmi = {0.2, 0.4, 0.6};
      for (int i = 0; i < 3; i++) {
        RunRequest r = plans.get(i).request("sweep-e-00000001", spec, null);
        store.saveRun(
            r,
            progress(r.runId(), RunStatus.COMPLETED, new Scores(nmi[i], 1, 0, 0), null),
            null,
            null,
            2);
      }
      RunRequest failed = plans.get(3).request("sweep-e-00000001", spec, null);
      store.saveRun(
          failed, progress(failed.runId(), RunStatus.FAILED, null, "boom"), null, null, 2);

      List<ConfigSummary> summary = store.summary("sweep-e-00000001");
      assertEquals(2, summary.size());
      assertEquals(plans.get(0).configKey(), summary.get(0).configKey());
      assertEquals(3, summary.get(0).completed());
      assertEquals(0.4, summary.get(0).mean().nmi(), 1e-12);
      assertEquals(0.2, summary.get(0).std().nmi(), 1e-12);
      assertEquals(0, summary.get(1).completed());
      assertNull(summary.get(1).mean());
      assertEquals(3, summary.get(1).trials());
    }
  }

  @Test
  void cancellingSkipsOnlyPendingTrialsAndEndingNeverOverwritesAnEnd() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(2, 2);
      List<TrialPlan> plans = trials(spec);
      store.createSweep(sweep("sweep-f-00000001", spec, 4, 1), plans, 1);
      RunRequest done = plans.get(0).request("sweep-f-00000001", spec, null);
      RunRequest running = plans.get(1).request("sweep-f-00000001", spec, null);
      store.saveRun(
          done,
          progress(done.runId(), RunStatus.COMPLETED, new Scores(1, 1, 1, 1), null),
          null,
          null,
          2);
      store.saveRun(
          running, progress(running.runId(), RunStatus.RUNNING, null, null), null, null, 2);

      assertEquals(2, store.cancelPending("sweep-f-00000001", "skipped", 3));
      assertFalse(store.endRun(done.runId(), RunStatus.LOST, "gone", 4));
      assertTrue(store.endRun(running.runId(), RunStatus.LOST, "gone", 4));
      Map<RunStatus, Long> counts = store.counts("sweep-f-00000001");
      assertEquals(1L, counts.get(RunStatus.COMPLETED));
      assertEquals(1L, counts.get(RunStatus.LOST));
      assertEquals(2L, counts.get(RunStatus.CANCELLED));
      assertEquals(0L, counts.get(RunStatus.PENDING));

      // Counted for a page of sweeps at once: the other sweep and an unknown one keep their own.
      SweepSpec other = spec(3, 1);
      store.createSweep(sweep("sweep-g-00000001", other, 3, 5), trials(other), 5);
      Map<String, Map<RunStatus, Long>> many =
          store.counts(List.of("sweep-g-00000001", "sweep-f-00000001", "sweep-z-00000001"));
      assertEquals(
          List.of("sweep-g-00000001", "sweep-f-00000001", "sweep-z-00000001"),
          List.copyOf(many.keySet()));
      assertEquals(counts, many.get("sweep-f-00000001"));
      assertEquals(3L, many.get("sweep-g-00000001").get(RunStatus.PENDING));
      assertEquals(0L, many.get("sweep-g-00000001").get(RunStatus.CANCELLED));
      assertEquals(0L, many.get("sweep-z-00000001").values().stream().mapToLong(n -> n).sum());
    }
  }

  @Test
  void aWholeSweepStatusIsImportedWithoutUndoingNewerNews() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(2, 1);
      List<TrialPlan> plans = trials(spec);
      List<TrialState> trials = new ArrayList<>();
      for (TrialPlan p : plans) {
        trials.add(
            new TrialState(
                p.index(),
                TrialPlan.runId("sweep-g-00000001", p.index()),
                p.configKey(),
                p.parameters(),
                p.seed(),
                RunStatus.RUNNING,
                null,
                null));
      }
      store.saveSweepStatus(
          new SweepStatus("sweep-g-00000001", spec, SweepPhase.RUNNING, trials, "t", 0), "c", 6);
      // The run itself reports completion before the sweep's next status arrives.
      RunRequest first = plans.get(0).request("sweep-g-00000001", spec, "t");
      Scores s = new Scores(0.9, 0.9, 0.9, 0.9);
      store.saveRun(first, progress(first.runId(), RunStatus.COMPLETED, s, null), null, null, 5);
      store.saveSweepStatus(
          new SweepStatus("sweep-g-00000001", spec, SweepPhase.RUNNING, trials, "t", 0), "c", 7);

      assertEquals(2, rawCount(db, "SELECT COUNT(*) FROM runs"));
      assertEquals(RunStatus.COMPLETED, store.run(first.runId()).orElseThrow().status());
      assertEquals(RunStatus.RUNNING, store.run(trials.get(1).runId()).orElseThrow().status());
      assertEquals(SweepPhase.RUNNING, store.sweep("sweep-g-00000001").orElseThrow().phase());
    }
  }

  @Test
  void sweepsAreListedNewestFirstAndActiveOnesFound() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(1, 1);
      for (int i = 0; i < 5; i++) {
        store.createSweep(sweep("sweep-h-0000000" + i, spec, 1, 100 + i), trials(spec), 100 + i);
      }
      store.saveSweepPhase("sweep-h-00000001", SweepPhase.COMPLETED, null, null, 200);
      store.saveSweepPhase("sweep-h-00000002", SweepPhase.PAUSED, null, null, 200);
      assertFalse(store.saveSweepPhase("sweep-zz-00000000", SweepPhase.PAUSED, null, null, 200));

      Page<SweepRecord> first = store.sweeps(0, 2);
      assertEquals(
          List.of("sweep-h-00000004", "sweep-h-00000003"),
          first.items().stream().map(SweepRecord::id).toList());
      assertEquals(5, first.total());
      assertEquals(
          List.of("sweep-h-00000000", "sweep-h-00000002", "sweep-h-00000003", "sweep-h-00000004"),
          store.activeSweeps().stream().map(SweepRecord::id).toList());
      SweepRecord done = store.sweep("sweep-h-00000001").orElseThrow();
      assertEquals(200L, done.endedAt());
      assertEquals("track-1", done.trackingRunId(), "a null tracking id keeps the recorded one");
    }
  }

  @Test
  void badPagesAreRefusedWithTheirLimits() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> store.runs(null, Set.of(), RunSort.NMI, 0, 0));
      assertTrue(e.getMessage().contains("page size"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> store.sweeps(-1, 10));
    }
  }

  @Test
  void metaValuesAreKept() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      assertTrue(store.meta("imported").isEmpty());
      store.putMeta("imported", "a");
      store.putMeta("imported", "b");
      assertEquals("b", store.meta("imported").orElseThrow());
    }
  }

  @Test
  void openingAgainMigratesNothingAndKeepsTheData() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      store.putMeta("k", "v");
      try (Database again = Database.open(db.settings())) {
        assertEquals("v", new RecordStore(again).meta("k").orElseThrow());
        assertNotNull(again.dataSource());
      }
    }
  }

  /**
   * The page "runs of sweep S sorted by NMI" is read from the index, not sorted after a scan.
   *
   * @param plan the query plan of that page's query
   */
  abstract void assertPageQueryUsesTheIndex(String plan);

  /** The database's EXPLAIN for a statement. */
  abstract String explain(Database db, String sql) throws Exception;

  @Test
  void theScorePageIsServedByAnIndex() throws Exception {
    try (Database db = database()) {
      RecordStore store = new RecordStore(db);
      SweepSpec spec = spec(40, 50);
      List<TrialPlan> plans = trials(spec);
      store.createSweep(sweep("sweep-i-00000001", spec, plans.size(), 1), plans, 1);
      store.createSweep(sweep("sweep-j-00000001", spec, plans.size(), 1), plans, 1);
      String plan =
          explain(
              db,
              "SELECT id FROM runs WHERE sweep_id = 'sweep-i-00000001' ORDER BY "
                  + RunSort.NMI.orderBy()
                  + " LIMIT 50 OFFSET 100");
      assertPageQueryUsesTheIndex(plan);
    }
  }
}
