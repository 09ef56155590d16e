package org.picilab.workflows.impl;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.Map;
import org.picilab.workflows.ControlActivities;
import org.picilab.workflows.EpochProgress;
import org.picilab.workflows.EvaluationResult;
import org.picilab.workflows.Execution;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunPlan;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;
import org.picilab.workflows.StageOutcome;
import org.picilab.workflows.StageRequest;
import org.picilab.workflows.Stages;
import org.picilab.workflows.TrainingActivities;
import org.picilab.workflows.sweep.SweepWorkflow;
import org.slf4j.Logger;

/** The experiment workflow: prepare, the three stages, evaluate; see {@link ExperimentWorkflow}. */
public class ExperimentWorkflowImpl implements ExperimentWorkflow {

  private static final Logger LOG = Workflow.getLogger(ExperimentWorkflowImpl.class);

  private RunRequest request;
  private RunStatus status = RunStatus.PENDING;
  private String stage;
  private int epoch;
  private int totalEpochs;
  private Map<String, Double> losses = Map.of();
  private double imagesPerSecond;
  private double etaSeconds;
  private int attempts;
  private int retries;
  private String lastCheckpoint;
  private Integer resumedFromEpoch;
  private String worker;
  private Scores scores;
  private String resultKey;
  private String error;
  private String trackingRunId;
  private boolean stopRequested;
  private CancellationScope stageScope;

  @Override
  public RunOutcome run(RunRequest req) {
    this.request = req;
    this.status = RunStatus.RUNNING;
    Execution execution = req.execution() == null ? Execution.DEFAULT : req.execution();
    TrainingActivities quick =
        Workflow.newActivityStub(
            TrainingActivities.class, ActivityOptionsFactory.shortTraining(execution));
    TrainingActivities training =
        Workflow.newActivityStub(TrainingActivities.class, ActivityOptionsFactory.stage(execution));
    ControlActivities control =
        Workflow.newActivityStub(ControlActivities.class, ActivityOptionsFactory.control());
    try {
      control.saveRun(req, progress());
      RunPlan plan = quick.prepare(req);
      trackingRunId = plan.trackingRunId();
      totalEpochs = plan.totalEpochs();
      epoch = plan.checkpointEpoch();
      if (epoch > 0) {
        resumedFromEpoch = epoch;
      }
      for (String s : Stages.ALL) {
        if (plan.epochs(s) == 0 || stopRequested) {
          continue;
        }
        stage = s;
        attempts = 1;
        int retriesBefore = retries;
        StageOutcome outcome = runStage(training, new StageRequest(req, s, trackingRunId));
        epoch = Math.max(epoch, outcome.epoch());
        lastCheckpoint = outcome.checkpointKey();
        attempts = outcome.attempt();
        worker = outcome.worker();
        // The activity no longer signals its progress (the history would grow with every epoch):
        // retries are counted from the attempt that finished the stage. Only state changes here,
        // no command, so histories recorded before replay unchanged. Progress signals in those
        // histories may have counted the same retries already, hence the max.
        if (outcome.attempt() > 1) {
          retries = Math.max(retries, retriesBefore + outcome.attempt() - 1);
          resumedFromEpoch = outcome.startedAtEpoch();
        }
        if (outcome.stopped()) {
          stopRequested = true;
        }
        control.saveRun(req, progress());
      }
      if (stopRequested) {
        status = RunStatus.CANCELLED;
      } else {
        stage = "evaluate";
        EvaluationResult result = quick.evaluate(req, trackingRunId);
        scores = result.scores();
        resultKey = result.resultKey();
        status = RunStatus.COMPLETED;
      }
    } catch (CanceledFailure e) {
      status = RunStatus.CANCELLED;
    } catch (ActivityFailure e) {
      if (e.getCause() instanceof CanceledFailure) {
        status = RunStatus.CANCELLED;
      } else {
        status = RunStatus.FAILED;
        error = describe(e);
        LOG.warn("run {} failed: {}", req.runId(), error);
      }
    }
    RunOutcome outcome =
        new RunOutcome(
            req.runId(),
            req.trialIndex(),
            req.configKey(),
            req.seed(),
            status,
            scores,
            resultKey,
            error,
            progress());
    // Bookkeeping must happen even when the workflow itself was cancelled.
    Workflow.newDetachedCancellationScope(() -> finish(control, outcome)).run();
    return outcome;
  }

  /**
   * Version marker: a run of a sweep tells its sweep first and does its bookkeeping after, each
   * step on its own, so that bookkeeping that keeps failing can never keep the sweep waiting.
   * Histories recorded before it saved first and told the sweep last.
   */
  static final String SIGNAL_SWEEP_FIRST = "signal-sweep-first";

  private void finish(ControlActivities control, RunOutcome outcome) {
    boolean signalFirst =
        Workflow.getVersion(SIGNAL_SWEEP_FIRST, Workflow.DEFAULT_VERSION, 1)
            != Workflow.DEFAULT_VERSION;
    if (!signalFirst) {
      control.saveRun(request, outcome.progress());
      if (trackingRunId != null) {
        control.closeTracking(trackingRunId, status);
      }
      tellSweep(outcome);
      return;
    }
    tellSweep(outcome);
    try {
      control.saveRun(request, outcome.progress());
    } catch (ActivityFailure e) {
      LOG.warn("could not record the end of {}: {}", request.runId(), e.getMessage());
    }
    if (trackingRunId != null) {
      try {
        control.closeTracking(trackingRunId, status);
      } catch (ActivityFailure e) {
        LOG.warn("could not end the tracked run of {}: {}", request.runId(), e.getMessage());
      }
    }
  }

  private void tellSweep(RunOutcome outcome) {
    if (request.sweepId() != null) {
      try {
        Workflow.newExternalWorkflowStub(SweepWorkflow.class, request.sweepId())
            .trialFinished(outcome);
      } catch (TemporalFailure e) {
        // The sweep was terminated or deleted; the database still gets the outcome.
        LOG.warn(
            "could not report {} to sweep {}: {}",
            request.runId(),
            request.sweepId(),
            e.getMessage());
      }
    }
  }

  private StageOutcome runStage(TrainingActivities training, StageRequest stageRequest) {
    @SuppressWarnings("unchecked")
    Promise<StageOutcome>[] result = new Promise[1];
    stageScope =
        Workflow.newCancellationScope(
            () -> result[0] = Async.function(training::trainStage, stageRequest));
    stageScope.run();
    try {
      return result[0].get();
    } catch (ActivityFailure e) {
      if (stopRequested && e.getCause() instanceof CanceledFailure) {
        // The activity stopped between two batches after writing a checkpoint.
        return new StageOutcome(
            stageRequest.stage(), epoch, epoch, lastCheckpoint, attempts, true, 0, worker);
      }
      throw e;
    } finally {
      stageScope = null;
    }
  }

  private static String describe(ActivityFailure e) {
    Throwable cause = e.getCause();
    if (cause instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    return cause == null ? e.getMessage() : cause.getMessage();
  }

  @Override
  public RunProgress progress() {
    return new RunProgress(
        request == null ? null : request.runId(),
        status,
        stage,
        epoch,
        totalEpochs,
        losses,
        imagesPerSecond,
        etaSeconds,
        attempts,
        retries,
        lastCheckpoint,
        resumedFromEpoch,
        worker,
        scores,
        error,
        trackingRunId);
  }

  @Override
  public void reportProgress(EpochProgress p) {
    if (status.ended()) {
      return;
    }
    if (p.attempt() > attempts && attempts > 0) {
      retries += p.attempt() - attempts;
      resumedFromEpoch = p.startedAtEpoch();
    }
    attempts = Math.max(attempts, p.attempt());
    stage = p.stage();
    epoch = Math.max(epoch, p.epoch());
    totalEpochs = p.totalEpochs();
    if (p.losses() != null && !p.losses().isEmpty()) {
      losses = p.losses();
    }
    imagesPerSecond = p.imagesPerSecond();
    etaSeconds = p.etaSeconds();
    if (p.checkpointKey() != null) {
      lastCheckpoint = p.checkpointKey();
    }
    worker = p.worker();
  }

  @Override
  public void stop(String reason) {
    if (status.ended() || stopRequested) {
      return;
    }
    LOG.info("stop requested for {}: {}", request == null ? "?" : request.runId(), reason);
    stopRequested = true;
    if (stageScope != null) {
      stageScope.cancel(reason);
    }
  }
}
