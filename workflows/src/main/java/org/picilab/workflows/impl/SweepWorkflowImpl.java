package org.picilab.workflows.impl;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.picilab.workflows.ControlActivities;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SweepCursor;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepRequest;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;
import org.picilab.workflows.sweep.TrialPlan;
import org.picilab.workflows.sweep.TrialState;
import org.slf4j.Logger;

/**
 * The sweep workflow; see {@link SweepWorkflow}.
 *
 * <p>Exactly once: a trial's run id is fixed by the sweep id and the trial index, a trial moves
 * from PENDING to RUNNING only when its child workflow has started, and from RUNNING to an end
 * state only once, on the child's {@code trialFinished} signal (or, for a child started by this run
 * that dies without signalling, when its result arrives). Children are abandoned, not terminated,
 * when the sweep continues as new, and their signals reach the new run because they address the
 * sweep's workflow id.
 */
public class SweepWorkflowImpl implements SweepWorkflow {

  /**
   * Version marker: sweeps started from here on keep their trials in the database of record and
   * hold only counters and the trials in flight (see {@link #runFromDatabase}); sweeps recorded
   * before it carry the whole trial list and replay through the code below it.
   */
  static final String STATE_IN_DATABASE = "sweep-state-in-database";

  /**
   * Version marker: a trial finished by hand after it failed or was cancelled makes the sweep save
   * its status; histories recorded before it have no such save.
   */
  static final String SAVE_FINISHED_BY_HAND = "save-finished-by-hand";

  /**
   * Version marker: a sweep continues as new only once every child it started has been started (or
   * refused) by the server. Continuing in the same workflow task as a child's start leaves the
   * start racing the parent's close: Temporal's Java test server, the embedded one, can deadlock on
   * that race (seen in a 10 000-trial sweep), and the parent never learns the child's fate.
   * Histories recorded before it continue as new without waiting.
   */
  static final String CHILDREN_STARTED_BEFORE_CONTINUE = "children-started-before-continue";

  /** Pending trials fetched from the database per activity call. */
  static final int FETCH = 100;

  /** History events after which a sweep continues as new (Temporal warns at 10 240). */
  static final int HISTORY_LIMIT = 4_000;

  /** How often trials the current workflow run did not start are checked against Temporal. */
  static final Duration RECONCILE_EVERY = Duration.ofMinutes(2);

  private boolean decided;
  private boolean fromDatabase;
  private final List<RunOutcome> early = new ArrayList<>();
  private int total;
  private int afterIndex = -1;
  private boolean exhausted;
  private final ArrayDeque<RunRequest> queue = new ArrayDeque<>();
  private final Set<Integer> inFlight = new LinkedHashSet<>();
  private final Set<Integer> adopted = new LinkedHashSet<>();
  private final Set<Integer> toCheck = new LinkedHashSet<>();
  private final List<Promise<WorkflowExecution>> starting = new ArrayList<>();
  private int ended;

  private static final Logger LOG = Workflow.getLogger(SweepWorkflowImpl.class);

  private String sweepId;
  private SweepSpec spec;
  private final List<TrialState> trials = new ArrayList<>();
  private SweepPhase phase = SweepPhase.RUNNING;
  private String trackingRunId;
  private int continuedAsNew;
  private int endedThisRun;
  private boolean changed;

  /**
   * Version marker: sweeps recorded before it save their status only when a trial ends, so their
   * histories replay without the saves that now follow each start.
   */
  static final String SAVE_STARTED_TRIALS = "save-started-trials";

  private boolean savesStartedTrials;

  @Override
  public SweepStatus run(SweepRequest request) {
    sweepId = request.sweepId();
    spec = request.spec();
    continuedAsNew = request.continuedAsNew();
    trackingRunId = request.trackingRunId();
    fromDatabase =
        Workflow.getVersion(STATE_IN_DATABASE, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION;
    decided = true;
    if (fromDatabase) {
      return runFromDatabase(request);
    }
    List<RunOutcome> buffered = List.copyOf(early);
    early.clear();
    if (request.trials() != null) {
      trials.addAll(request.trials());
    } else {
      for (TrialPlan p : SearchSpace.trials(spec)) {
        trials.add(
            new TrialState(
                p.index(),
                runId(sweepId, p.index()),
                p.configKey(),
                p.parameters(),
                p.seed(),
                RunStatus.PENDING,
                null,
                null));
      }
    }
    if (request.phase() != null) {
      phase = request.phase();
    }
    buffered.forEach(this::trialFinished);
    savesStartedTrials =
        Workflow.getVersion(SAVE_STARTED_TRIALS, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION;
    ControlActivities control =
        Workflow.newActivityStub(ControlActivities.class, ActivityOptionsFactory.control());
    try {
      if (trackingRunId == null) {
        trackingRunId = control.openSweepTracking(sweepId, trackingParams());
      }
      control.saveSweep(status());
      while (true) {
        Workflow.await(
            () ->
                changed
                    || phase == SweepPhase.CANCELLING
                    || allEnded()
                    || (phase == SweepPhase.RUNNING && canStart()));
        if (phase == SweepPhase.CANCELLING) {
          break;
        }
        if (allEnded()) {
          phase = SweepPhase.COMPLETED;
          break;
        }
        while (phase == SweepPhase.RUNNING && canStart()) {
          start(nextPending());
          // Recording started trials lets a revived sweep tell them from trials never started.
          changed |= savesStartedTrials;
        }
        if (changed) {
          changed = false;
          control.saveSweep(status());
        }
        if (endedThisRun >= spec.continueAsNewAfter()
            || Workflow.getInfo().isContinueAsNewSuggested()) {
          Workflow.await(Workflow::isEveryHandlerFinished);
          control.saveSweep(status());
          Workflow.continueAsNew(
              new SweepRequest(
                  sweepId,
                  spec,
                  List.copyOf(trials),
                  phase,
                  trackingRunId,
                  continuedAsNew + 1,
                  null));
        }
      }
    } catch (CanceledFailure e) {
      // The workflow itself was cancelled: treat it as the cancel signal.
      phase = SweepPhase.CANCELLING;
    }
    if (phase == SweepPhase.CANCELLING) {
      Workflow.newDetachedCancellationScope(this::cancelTrials).run();
      phase = SweepPhase.CANCELLED;
    }
    SweepStatus last = status();
    end(control, () -> control.saveSweep(last));
    return last;
  }

  /** Stops running trials (each checkpoints first), skips pending ones, waits for the rest. */
  private void cancelTrials() {
    for (int i = 0; i < trials.size(); i++) {
      TrialState t = trials.get(i);
      if (t.status() == RunStatus.PENDING) {
        trials.set(i, t.with(RunStatus.CANCELLED, null, "skipped: the sweep was cancelled"));
      } else if (t.status() == RunStatus.RUNNING) {
        try {
          Workflow.newExternalWorkflowStub(ExperimentWorkflow.class, t.runId())
              .stop("the sweep was cancelled");
        } catch (TemporalFailure e) {
          LOG.warn("could not stop {}: {}", t.runId(), e.getMessage());
        }
      }
    }
    Workflow.await(this::allEnded);
  }

  private void start(TrialState t) {
    RunRequest req =
        new RunRequest(
            t.runId(),
            sweepId,
            t.index(),
            t.configKey(),
            spec.method(),
            spec.dataset(),
            spec.preset(),
            t.parameters(),
            t.seed(),
            trackingRunId,
            spec.execution());
    ExperimentWorkflow child =
        Workflow.newChildWorkflowStub(
            ExperimentWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(t.runId())
                .setTaskQueue(TaskQueues.WORKFLOWS)
                // The sweep may continue as new while trials run; they must outlive that run.
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build());
    set(t.index(), t.with(RunStatus.RUNNING, null, null));
    Promise<RunOutcome> result = Async.function(child::run, req);
    try {
      Workflow.getWorkflowExecution(child).get();
    } catch (TemporalFailure e) {
      set(t.index(), t.with(RunStatus.FAILED, null, "could not start: " + e.getMessage()));
      ended();
      return;
    }
    result.handle(
        (outcome, failure) -> {
          if (failure != null) {
            // A child that died without its signal (terminated, say) still ends exactly once.
            TrialState now = trials.get(t.index());
            if (now.status() == RunStatus.RUNNING) {
              set(t.index(), now.with(RunStatus.FAILED, null, failure.getMessage()));
              ended();
            }
          } else {
            trialFinished(outcome);
          }
          return null;
        });
  }

  // ------------------------------------------------------------------ trials in the database

  /**
   * The sweep with its trials in the database of record. The workflow holds counters, a short queue
   * of trials fetched from the database, and the trials in flight; the trials' rows are written by
   * their own runs (start and end) and read by the command line and the web app.
   *
   * <p>Trials started by this workflow run end when their child workflow reports (signal or
   * result). Trials adopted from an earlier run (after continue-as-new, or a revival) end on their
   * signal; so that a lost signal never hangs the sweep, they are checked against Temporal every
   * {@link #RECONCILE_EVERY}, and so is any child whose start or result failed.
   */
  private SweepStatus runFromDatabase(SweepRequest request) {
    ControlActivities control =
        Workflow.newActivityStub(ControlActivities.class, ActivityOptionsFactory.control());
    if (request.phase() != null) {
      phase = request.phase();
    }
    try {
      if (trackingRunId == null) {
        trackingRunId = control.openSweepTracking(sweepId, trackingParams());
      }
      SweepCursor cursor = request.cursor();
      if (cursor == null && request.trials() != null) {
        // Carried over from a run of an earlier version: record every trial once, then go on.
        control.saveSweep(
            new SweepStatus(sweepId, spec, phase, request.trials(), trackingRunId, continuedAsNew));
        List<Integer> running = new ArrayList<>();
        for (TrialState t : request.trials()) {
          if (t.status() == RunStatus.RUNNING) {
            running.add(t.index());
          }
        }
        cursor = SweepCursor.fromDatabase(request.trials().size(), running);
      } else if (cursor == null) {
        cursor = new SweepCursor(control.openSweep(sweepId, spec, trackingRunId), -1, List.of(), 0);
      }
      total = cursor.total();
      afterIndex = cursor.afterIndex();
      ended = cursor.ended();
      inFlight.addAll(cursor.inFlight());
      adopted.addAll(cursor.inFlight());
      early.forEach(o -> trialEnded(o.trialIndex(), o.runId()));
      early.clear();
      control.saveSweepPhase(sweepId, phase, trackingRunId);
      Promise<Void> reconcileTimer = null;
      while (true) {
        if (reconcileTimer == null && !adopted.isEmpty()) {
          reconcileTimer = Workflow.newTimer(RECONCILE_EVERY);
        }
        Promise<Void> timer = reconcileTimer;
        Workflow.await(
            () ->
                changed
                    || phase == SweepPhase.CANCELLING
                    || !toCheck.isEmpty()
                    || (timer != null && timer.isCompleted())
                    || finished()
                    || (phase == SweepPhase.RUNNING && canStartNext()));
        if (phase == SweepPhase.CANCELLING) {
          break;
        }
        if (timer != null && timer.isCompleted()) {
          toCheck.addAll(adopted);
          reconcileTimer = null;
        }
        reconcile(control);
        while (phase == SweepPhase.RUNNING && inFlight.size() < spec.maxConcurrent()) {
          if (queue.isEmpty() && !exhausted) {
            List<RunRequest> next = control.pendingTrials(sweepId, afterIndex, FETCH);
            queue.addAll(next);
            exhausted = next.size() < FETCH;
            if (!next.isEmpty()) {
              afterIndex = next.get(next.size() - 1).trialIndex();
            }
          }
          if (queue.isEmpty()) {
            break;
          }
          startChild(queue.poll());
        }
        if (finished()) {
          phase = SweepPhase.COMPLETED;
          break;
        }
        if (changed) {
          changed = false;
          control.saveSweepPhase(sweepId, phase, trackingRunId);
        }
        if (endedThisRun >= spec.continueAsNewAfter()
            || Workflow.getInfo().getHistoryLength() > HISTORY_LIMIT
            || Workflow.getInfo().isContinueAsNewSuggested()) {
          if (Workflow.getVersion(CHILDREN_STARTED_BEFORE_CONTINUE, Workflow.DEFAULT_VERSION, 1)
              != Workflow.DEFAULT_VERSION) {
            Workflow.await(() -> starting.stream().allMatch(Promise::isCompleted));
          }
          Workflow.await(Workflow::isEveryHandlerFinished);
          // Fetched trials not started yet are still pending in the database: fetch them again.
          int resumeAfter = queue.isEmpty() ? afterIndex : queue.peek().trialIndex() - 1;
          Workflow.continueAsNew(
              new SweepRequest(
                  sweepId,
                  spec,
                  null,
                  phase,
                  trackingRunId,
                  continuedAsNew + 1,
                  new SweepCursor(total, resumeAfter, List.copyOf(inFlight), ended)));
        }
      }
    } catch (CanceledFailure e) {
      phase = SweepPhase.CANCELLING;
    }
    if (phase == SweepPhase.CANCELLING) {
      Workflow.newDetachedCancellationScope(() -> cancelFromDatabase(control)).run();
      phase = SweepPhase.CANCELLED;
    }
    SweepStatus last = status();
    end(control, () -> control.saveSweepPhase(sweepId, phase, trackingRunId));
    return last;
  }

  /** The last bookkeeping, done even when the workflow itself was cancelled. */
  private void end(ControlActivities control, Runnable save) {
    Workflow.newDetachedCancellationScope(
            () -> {
              save.run();
              if (trackingRunId != null) {
                control.closeTracking(
                    trackingRunId,
                    phase == SweepPhase.COMPLETED ? RunStatus.COMPLETED : RunStatus.CANCELLED);
              }
            })
        .run();
  }

  private boolean finished() {
    return exhausted && queue.isEmpty() && inFlight.isEmpty();
  }

  private boolean canStartNext() {
    return inFlight.size() < spec.maxConcurrent() && (!queue.isEmpty() || !exhausted);
  }

  /** Skips what never started, stops what runs (each checkpoints first), waits for the rest. */
  private void cancelFromDatabase(ControlActivities control) {
    queue.clear();
    exhausted = true;
    control.cancelPendingTrials(sweepId);
    for (int index : List.copyOf(inFlight)) {
      String runId = TrialPlan.runId(sweepId, index);
      try {
        Workflow.newExternalWorkflowStub(ExperimentWorkflow.class, runId)
            .stop("the sweep was cancelled");
      } catch (TemporalFailure e) {
        LOG.warn("could not stop {}: {}", runId, e.getMessage());
        toCheck.add(index);
      }
    }
    while (!inFlight.isEmpty()) {
      Workflow.await(RECONCILE_EVERY, () -> inFlight.isEmpty() || !toCheck.isEmpty());
      if (!inFlight.isEmpty() && toCheck.isEmpty()) {
        toCheck.addAll(inFlight);
      }
      reconcile(control);
    }
  }

  /** Asks the controller about trials whose end may have been missed, and ends those that ended. */
  private void reconcile(ControlActivities control) {
    if (toCheck.isEmpty()) {
      return;
    }
    List<String> runIds = new ArrayList<>();
    for (int index : toCheck) {
      if (inFlight.contains(index)) {
        runIds.add(TrialPlan.runId(sweepId, index));
      }
    }
    toCheck.clear();
    if (runIds.isEmpty()) {
      return;
    }
    for (RunOutcome o : control.reconcileRuns(runIds)) {
      trialEnded(o.trialIndex(), o.runId());
    }
  }

  private void startChild(RunRequest r) {
    int index = r.trialIndex();
    ExperimentWorkflow child =
        Workflow.newChildWorkflowStub(
            ExperimentWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(r.runId())
                .setTaskQueue(TaskQueues.WORKFLOWS)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .build());
    inFlight.add(index);
    Promise<RunOutcome> result = Async.function(child::run, r);
    starting.removeIf(Promise::isCompleted);
    starting.add(Workflow.getWorkflowExecution(child));
    result.handle(
        (outcome, failure) -> {
          if (failure != null) {
            // Not started (its id is running already, after a revival), terminated, or failed
            // without an outcome: Temporal and the run's record say which.
            toCheck.add(index);
          } else {
            trialEnded(outcome.trialIndex(), outcome.runId());
          }
          return null;
        });
  }

  /**
   * A trial in flight has ended; anything else (a duplicate, a run finished by hand) is news for
   * the database only, which its run has recorded itself.
   */
  private void trialEnded(int index, String runId) {
    if (!TrialPlan.runId(sweepId, index).equals(runId) || !inFlight.remove(index)) {
      return;
    }
    adopted.remove(index);
    ended++;
    endedThisRun++;
  }

  @Override
  public SweepStatus status() {
    // A sweep kept in the database answers with its phase only: its trials are read from there.
    return new SweepStatus(
        sweepId,
        spec,
        phase,
        fromDatabase ? List.of() : List.copyOf(trials),
        trackingRunId,
        continuedAsNew);
  }

  @Override
  public void trialFinished(RunOutcome outcome) {
    if (outcome == null) {
      return;
    }
    if (!decided) {
      early.add(outcome);
      return;
    }
    if (fromDatabase) {
      trialEnded(outcome.trialIndex(), outcome.runId());
      return;
    }
    if (outcome.trialIndex() < 0 || outcome.trialIndex() >= trials.size()) {
      return;
    }
    TrialState t = trials.get(outcome.trialIndex());
    if (!t.runId().equals(outcome.runId())) {
      return;
    }
    if (t.status().ended()) {
      // A trial that failed or was cancelled and then finished by hand (pici run resume): its
      // outcome is updated; it was counted when it first ended and is not counted again.
      if (outcome.status() == RunStatus.COMPLETED
          && (t.status() == RunStatus.FAILED || t.status() == RunStatus.CANCELLED)) {
        set(t.index(), t.with(RunStatus.COMPLETED, outcome.scores(), null));
        if (Workflow.getVersion(SAVE_FINISHED_BY_HAND, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION) {
          changed = true;
        }
      }
      return;
    }
    RunStatus s = outcome.status().ended() ? outcome.status() : RunStatus.FAILED;
    set(t.index(), t.with(s, outcome.scores(), outcome.error()));
    ended();
  }

  @Override
  public void pause() {
    if (phase == SweepPhase.RUNNING) {
      phase = SweepPhase.PAUSED;
      changed = true;
    }
  }

  @Override
  public void resume() {
    if (phase == SweepPhase.PAUSED) {
      phase = SweepPhase.RUNNING;
      changed = true;
    }
  }

  @Override
  public void cancel() {
    if (phase == SweepPhase.RUNNING || phase == SweepPhase.PAUSED) {
      phase = SweepPhase.CANCELLING;
    }
  }

  private void ended() {
    endedThisRun++;
    changed = true;
  }

  private void set(int index, TrialState t) {
    trials.set(index, t);
  }

  private boolean allEnded() {
    return trials.stream().allMatch(t -> t.status().ended());
  }

  private boolean canStart() {
    long running = trials.stream().filter(t -> t.status() == RunStatus.RUNNING).count();
    return running < spec.maxConcurrent()
        && trials.stream().anyMatch(t -> t.status() == RunStatus.PENDING);
  }

  private TrialState nextPending() {
    return trials.stream().filter(t -> t.status() == RunStatus.PENDING).findFirst().orElseThrow();
  }

  private Map<String, String> trackingParams() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("sweep.name", spec.name());
    p.put("sweep.method", spec.method());
    p.put("sweep.dataset", spec.dataset());
    p.put("sweep.strategy", spec.strategy());
    p.put("sweep.trials", String.valueOf(fromDatabase ? SearchSpace.count(spec) : trials.size()));
    p.put("sweep.maxConcurrent", String.valueOf(spec.maxConcurrent()));
    p.put("sweep.seeds", spec.seeds().toString());
    spec.parameters().forEach((k, v) -> p.put(k, v));
    return p;
  }

  /**
   * The run id of a trial: {@code run-} and the sweep id without its {@code sweep-} prefix, then
   * the 1-based trial number.
   *
   * @param sweepId the sweep id
   * @param index the 0-based trial index
   * @return e.g. "run-digits-quick-k3x9-003"
   */
  public static String runId(String sweepId, int index) {
    return TrialPlan.runId(sweepId, index);
  }
}
