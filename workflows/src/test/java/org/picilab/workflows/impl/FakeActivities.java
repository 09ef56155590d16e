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
import org.picilab.workflows.StageHeartbeat;
import org.picilab.workflows.StageOutcome;
import org.picilab.workflows.StageRequest;
import org.picilab.workflows.Stages;
import org.picilab.workflows.TrainingActivities;
import org.picilab.workflows.sweep.SweepStatus;

/**
 * Activities for workflow tests: they keep to the contract (heartbeats, cancellation between steps,
 * non-retryable failures) without training anything, and record what they were asked.
 */
final class FakeActivities {

  private FakeActivities() {}

  /**
   * Training that takes {@code stepMillis} per step: one step (and one heartbeat) per epoch of the
   * plan {@code epochs}, at least 5 per stage.
   */
  static final class Training implements TrainingActivities {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final Map<String, AtomicInteger> stageCalls = new ConcurrentHashMap<>();
    final List<String> evaluated = new CopyOnWriteArrayList<>();
    volatile long stepMillis = 20;
    volatile String failRun;
    volatile String flakyRun;
    volatile int[] epochs = {1, 2, 1};

    @Override
    public RunPlan prepare(RunRequest request) {
      if ("bad".equals(request.parameters().get("lr"))) {
        throw ApplicationFailure.newNonRetryableFailure(
            "lr: 'bad' is not a number", FailureTypes.BAD_CONFIGURATION);
      }
      return new RunPlan("track-" + request.runId(), epochs[0], epochs[1], epochs[2], 100, 10, 0);
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
        int attempt = ctx.getInfo().getAttempt();
        if (id.equals(flakyRun) && request.stage().equals("train") && attempt == 1) {
          throw ApplicationFailure.newFailure("the worker lost its storage", "Transient");
        }
        int[] plan = epochs;
        int start = request.stage().equals("pretrain") ? 0 : plan[0];
        if (request.stage().equals("boost")) {
          start += plan[1];
        }
        int length = plan[Stages.ALL.indexOf(request.stage())];
        int end = start + length;
        // One heartbeat per epoch, as the real activity heartbeats at least once per epoch; at
        // least 5 steps so that a stop request can land in the middle of a stage.
        int steps = Math.max(5, length);
        long counter = 0;
        for (int step = 0; step < steps; step++) {
          int epoch = start + Math.min(length, step);
          try {
            ctx.heartbeat(
                new StageHeartbeat(
                    request.stage(),
                    epoch,
                    0,
                    ++counter,
                    "runs/" + id + "/checkpoints/e" + epoch,
                    Map.of("loss", 1.0 / (epoch + 1)),
                    100,
                    end - epoch,
                    attempt,
                    start,
                    "fake",
                    plan[0] + plan[1] + plan[2]));
          } catch (ActivityCompletionException e) {
            throw e; // cancelled: a real worker writes its checkpoint here first
          }
          sleep(stepMillis);
        }
        return new StageOutcome(
            request.stage(),
            end,
            start,
            "runs/" + id + "/checkpoints/e" + end,
            attempt,
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
      if (ms <= 0) {
        return;
      }
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
