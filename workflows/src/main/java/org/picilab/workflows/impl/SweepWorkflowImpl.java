package org.picilab.workflows.impl;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.picilab.workflows.ControlActivities;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.sweep.SearchSpace;
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
                  sweepId, spec, List.copyOf(trials), phase, trackingRunId, continuedAsNew + 1));
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
    Workflow.newDetachedCancellationScope(
            () -> {
              control.saveSweep(last);
              if (trackingRunId != null) {
                control.closeTracking(
                    trackingRunId,
                    phase == SweepPhase.COMPLETED ? RunStatus.COMPLETED : RunStatus.CANCELLED);
              }
            })
        .run();
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

  @Override
  public SweepStatus status() {
    return new SweepStatus(
        sweepId, spec, phase, List.copyOf(trials), trackingRunId, continuedAsNew);
  }

  @Override
  public void trialFinished(RunOutcome outcome) {
    if (outcome == null || outcome.trialIndex() < 0 || outcome.trialIndex() >= trials.size()) {
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
        changed = true;
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
    p.put("sweep.trials", String.valueOf(trials.size()));
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
