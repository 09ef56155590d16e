package org.picilab.workflows.impl;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.picilab.workflows.ControlActivities;
import org.picilab.workflows.EvaluationResult;
import org.picilab.workflows.FailureTypes;
import org.picilab.workflows.RunPlan;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;
import org.picilab.workflows.StageOutcome;
import org.picilab.workflows.StageRequest;
import org.picilab.workflows.TrainingActivities;
import org.picilab.workflows.sweep.SweepStatus;

/**
 * Activities for workflow tests: they keep to the contract (heartbeats, cancellation between steps,
 * non-retryable failures) without training anything, and record what they were asked.
 */
final class FakeActivities {

  private FakeActivities() {}

  /** Training that takes {@code stepMillis} per step, 5 steps per stage. */
  static final class Training implements TrainingActivities {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<String, AtomicInteger> stageCalls = new ConcurrentHashMap<>();
    final List<String> evaluated = new CopyOnWriteArrayList<>();
    volatile long stepMillis = 20;
    volatile String failRun;

    @Override
    public RunPlan prepare(RunRequest request) {
      if ("bad".equals(request.parameters().get("lr"))) {
        throw ApplicationFailure.newNonRetryableFailure(
            "lr: 'bad' is not a number", FailureTypes.BAD_CONFIGURATION);
      }
      return new RunPlan("track-" + request.runId(), 1, 2, 1, 100, 10, 0);
    }

    @Override
    public StageOutcome trainStage(StageRequest request) {
      String id = request.run().runId();
      stageCalls
          .computeIfAbsent(id + "/" + request.stage(), k -> new AtomicInteger())
          .incrementAndGet();
      int now = running.incrementAndGet();
      maxRunning.accumulateAndGet(now, Math::max);
      ActivityExecutionContext ctx = Activity.getExecutionContext();
      try {
        if (id.equals(failRun) && request.stage().equals("train")) {
          throw ApplicationFailure.newNonRetryableFailure(
              "The instance loss became NaN in the train stage at epoch 1", FailureTypes.DIVERGED);
        }
        for (int step = 0; step < 5; step++) {
          try {
            ctx.heartbeat(step);
          } catch (ActivityCompletionException e) {
            throw e; // cancelled: a real worker writes its checkpoint here first
          }
          sleep(stepMillis);
        }
        int end = request.stage().equals("pretrain") ? 1 : request.stage().equals("train") ? 3 : 4;
        return new StageOutcome(
            request.stage(),
            end,
            0,
            "runs/" + id + "/checkpoints/e" + end,
            ctx.getInfo().getAttempt(),
            false,
            0.1,
            "fake");
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public EvaluationResult evaluate(RunRequest run, String trackingRunId) {
      evaluated.add(run.runId());
      double lr = Double.parseDouble(run.parameters().getOrDefault("lr", "0.001"));
      double nmi = 0.5 + lr * 100 + run.seed() * 0.01;
      return new EvaluationResult(
          new Scores(nmi, nmi, nmi, nmi), "runs/" + run.runId() + "/result.json", "s3://pici/x");
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Control activities that remember the latest records. */
  static final class Control implements ControlActivities {
    final Map<String, RunProgress> runs = new ConcurrentHashMap<>();
    final Map<String, SweepStatus> sweeps = new ConcurrentHashMap<>();
    final Map<String, RunStatus> closed = new ConcurrentHashMap<>();
    final AtomicInteger opened = new AtomicInteger();

    @Override
    public void saveRun(RunRequest request, RunProgress progress) {
      runs.put(request.runId(), progress);
    }

    @Override
    public void saveSweep(SweepStatus status) {
      sweeps.put(status.sweepId(), status);
    }

    @Override
    public String openSweepTracking(String sweepId, Map<String, String> params) {
      opened.incrementAndGet();
      return "track-" + sweepId;
    }

    @Override
    public void closeTracking(String trackingRunId, RunStatus status) {
      closed.put(trackingRunId, status);
    }
  }
}
