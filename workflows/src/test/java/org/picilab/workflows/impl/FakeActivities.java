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
import org.picilab.workflows.RunOutcome;
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
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.TrialPlan;

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
    final Map<String, AtomicInteger> prepared = new ConcurrentHashMap<>();
    volatile long stepMillis = 20;
    volatile String failRun;
    volatile String flakyRun;
    volatile int[] epochs = {1, 2, 1};

    @Override
    public RunPlan prepare(RunRequest request) {
      prepared.computeIfAbsent(request.runId(), k -> new AtomicInteger()).incrementAndGet();
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

  /**
   * Control activities over an in-memory database of record: trials are rows keyed by run id, in
   * index order per sweep, written by the runs themselves as the real controller does.
   */
  static final class Control implements ControlActivities {
    final Map<String, RunProgress> runs = new ConcurrentHashMap<>();
    final Map<String, SweepStatus> sweeps = new ConcurrentHashMap<>();
    final Map<String, RunStatus> closed = new ConcurrentHashMap<>();
    final Map<String, SweepPhase> phases = new ConcurrentHashMap<>();
    final Map<String, java.util.TreeMap<Integer, RunRequest>> trials = new ConcurrentHashMap<>();
    final Map<String, RunStatus> trialStatus = new ConcurrentHashMap<>();
    final java.util.Set<String> gone = ConcurrentHashMap.newKeySet();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger reconciled = new AtomicInteger();

    @Override
    public void saveRun(RunRequest request, RunProgress progress) {
      runs.put(request.runId(), progress);
      trialStatus.put(request.runId(), progress.status());
    }

    @Override
    public synchronized int openSweep(String sweepId, SweepSpec spec, String trackingRunId) {
      java.util.TreeMap<Integer, RunRequest> rows = new java.util.TreeMap<>();
      for (TrialPlan p : SearchSpace.trials(spec)) {
        RunRequest r = p.request(sweepId, spec, trackingRunId);
        rows.put(p.index(), r);
        trialStatus.putIfAbsent(r.runId(), RunStatus.PENDING);
      }
      trials.putIfAbsent(sweepId, rows);
      return trials.get(sweepId).size();
    }

    @Override
    public synchronized List<RunRequest> pendingTrials(String sweepId, int afterIndex, int limit) {
      List<RunRequest> out = new java.util.ArrayList<>();
      for (RunRequest r : trials.get(sweepId).tailMap(afterIndex, false).values()) {
        if (trialStatus.get(r.runId()) == RunStatus.PENDING && out.size() < limit) {
          out.add(r);
        }
      }
      return out;
    }

    @Override
    public void saveSweepPhase(String sweepId, SweepPhase phase, String trackingRunId) {
      phases.put(sweepId, phase);
    }

    @Override
    public synchronized int cancelPendingTrials(String sweepId) {
      int n = 0;
      for (RunRequest r : trials.get(sweepId).values()) {
        if (trialStatus.get(r.runId()) == RunStatus.PENDING) {
          trialStatus.put(r.runId(), RunStatus.CANCELLED);
          n++;
        }
      }
      return n;
    }

    @Override
    public List<RunOutcome> reconcileRuns(List<String> runIds) {
      reconciled.incrementAndGet();
      List<RunOutcome> out = new java.util.ArrayList<>();
      for (String id : runIds) {
        RunStatus st = trialStatus.get(id);
        if (gone.contains(id) && (st == null || !st.ended())) {
          trialStatus.put(id, RunStatus.LOST);
          st = RunStatus.LOST;
        }
        if (st != null && st.ended()) {
          int index = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1)) - 1;
          out.add(new RunOutcome(id, index, null, 0, st, null, null, null, null));
        }
      }
      return out;
    }

    /** Trials of a sweep in a status. */
    long count(String sweepId, RunStatus status) {
      return trials.get(sweepId).values().stream()
          .filter(r -> trialStatus.get(r.runId()) == status)
          .count();
    }

    @Override
    public synchronized void saveSweep(SweepStatus status) {
      sweeps.put(status.sweepId(), status);
      java.util.TreeMap<Integer, RunRequest> rows =
          trials.computeIfAbsent(status.sweepId(), k -> new java.util.TreeMap<>());
      for (org.picilab.workflows.sweep.TrialState t : status.trials()) {
        rows.putIfAbsent(
            t.index(),
            new TrialPlan(t.index(), 0, t.configKey(), t.parameters(), t.seed())
                .request(status.sweepId(), status.spec(), status.trackingRunId()));
        RunStatus now = trialStatus.get(t.runId());
        if (now == null || now == RunStatus.PENDING) {
          trialStatus.put(t.runId(), t.status());
        }
      }
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
