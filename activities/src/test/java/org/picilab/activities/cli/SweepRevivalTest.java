package org.picilab.activities.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;
import org.picilab.workflows.sweep.TrialState;

class SweepRevivalTest {

  private static final Scores GOOD = new Scores(0.8, 0.85, 0.7, 0.75);

  private static TrialState trial(int i, RunStatus status) {
    return new TrialState(
        i, "run-x-00" + (i + 1), "lr=0.001", Map.of("lr", "0.001"), i, status, null, null);
  }

  private static RunProgress record(String runId, RunStatus status, Scores scores, String error) {
    return new RunProgress(
        runId, status, "boost", 3, 3, Map.of(), 0, 0, 1, 0, null, null, "w", scores, error, "t");
  }

  /** Runs known to a fake server and registry. */
  private static SweepRevival.Runs runs(Set<String> alive, Map<String, RunProgress> records) {
    return new SweepRevival.Runs() {
      @Override
      public boolean alive(String runId) {
        return alive.contains(runId);
      }

      @Override
      public Optional<RunProgress> recorded(String runId) {
        return Optional.ofNullable(records.get(runId));
      }
    };
  }

  @Test
  void eachTrialEndsUpWhereItsRunReallyIs() throws Exception {
    List<TrialState> saved =
        List.of(
            trial(0, RunStatus.COMPLETED).with(RunStatus.COMPLETED, GOOD, null),
            trial(1, RunStatus.RUNNING), // ended after the sweep last saved
            trial(2, RunStatus.RUNNING), // interrupted mid-training
            trial(3, RunStatus.RUNNING), // still alive on the server
            trial(4, RunStatus.RUNNING), // started, but its first activity never ran
            trial(5, RunStatus.PENDING));
    Map<String, RunProgress> records = new HashMap<>();
    records.put("run-x-001", record("run-x-001", RunStatus.COMPLETED, GOOD, null));
    records.put("run-x-002", record("run-x-002", RunStatus.FAILED, null, "diverged"));
    records.put("run-x-003", record("run-x-003", RunStatus.RUNNING, null, null));
    records.put("run-x-004", record("run-x-004", RunStatus.RUNNING, null, null));

    SweepRevival.Plan plan = SweepRevival.plan(saved, runs(Set.of("run-x-004"), records));

    List<TrialState> t = plan.trials();
    assertEquals(RunStatus.COMPLETED, t.get(0).status());
    assertEquals(GOOD, t.get(0).scores());
    assertEquals(RunStatus.FAILED, t.get(1).status());
    assertEquals("diverged", t.get(1).error());
    assertEquals(RunStatus.PENDING, t.get(2).status());
    assertEquals(RunStatus.RUNNING, t.get(3).status());
    assertEquals(RunStatus.PENDING, t.get(4).status());
    assertEquals(RunStatus.PENDING, t.get(5).status());
    assertEquals(2, plan.kept());
    assertEquals(1, plan.adopted());
    assertEquals(2, plan.restarted());
    assertEquals(1, plan.pending());
    for (int i = 0; i < saved.size(); i++) {
      assertEquals(saved.get(i).runId(), t.get(i).runId(), "run ids never change");
    }
  }

  @Test
  void aTrialStartedAfterTheLastSaveIsNotStartedAfresh() throws Exception {
    List<TrialState> saved = List.of(trial(0, RunStatus.PENDING), trial(1, RunStatus.PENDING));
    SweepRevival.Plan plan =
        SweepRevival.plan(
            saved,
            runs(
                Set.of(),
                Map.of("run-x-001", record("run-x-001", RunStatus.COMPLETED, GOOD, null))));
    assertEquals(RunStatus.COMPLETED, plan.trials().get(0).status());
    assertEquals(RunStatus.PENDING, plan.trials().get(1).status());
    assertEquals(1, plan.kept());
    assertEquals(1, plan.pending());
    assertEquals(0, plan.restarted());
  }

  @Test
  void aFailedTrialFinishedByHandCountsAsCompleted() throws Exception {
    TrialState failed = trial(0, RunStatus.FAILED).with(RunStatus.FAILED, null, "worker lost");
    SweepRevival.Plan plan =
        SweepRevival.plan(
            List.of(failed),
            runs(
                Set.of(),
                Map.of("run-x-001", record("run-x-001", RunStatus.COMPLETED, GOOD, null))));
    assertEquals(RunStatus.COMPLETED, plan.trials().get(0).status());
    assertEquals(GOOD, plan.trials().get(0).scores());
    assertNull(plan.trials().get(0).error());
  }

  @Test
  void endedTrialsStayEndedWhenTheirRunsSayNothingNew() throws Exception {
    TrialState cancelled =
        trial(0, RunStatus.CANCELLED).with(RunStatus.CANCELLED, null, "stopped by a person");
    SweepRevival.Plan plan =
        SweepRevival.plan(
            List.of(cancelled),
            runs(
                Set.of(),
                Map.of("run-x-001", record("run-x-001", RunStatus.CANCELLED, null, "stopped"))));
    assertEquals(cancelled, plan.trials().get(0));
    assertEquals(1, plan.kept());
    assertEquals(0, plan.restarted());
  }
}
