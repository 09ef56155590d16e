package org.picilab.activities.bench;

import io.temporal.activity.Activity;
import java.util.concurrent.atomic.AtomicInteger;
import org.picilab.workflows.EvaluationResult;
import org.picilab.workflows.RunPlan;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.Scores;
import org.picilab.workflows.StageOutcome;
import org.picilab.workflows.StageRequest;
import org.picilab.workflows.TrainingActivities;

/**
 * Training activities that train nothing: one epoch of the train stage that sleeps a fixed time,
 * heartbeating once, and an evaluation that returns fixed scores. Registered under the real
 * activity names, so that the workflows, the controller and the database do exactly what they do
 * for real runs.
 */
final class SleepingTraining implements TrainingActivities {

  private final long sleepMillis;
  final AtomicInteger prepared = new AtomicInteger();

  SleepingTraining(long sleepMillis) {
    this.sleepMillis = sleepMillis;
  }

  @Override
  public RunPlan prepare(RunRequest request) {
    prepared.incrementAndGet();
    return new RunPlan(null, 0, 1, 0, 1, 1, 0);
  }

  @Override
  public StageOutcome trainStage(StageRequest request) {
    Activity.getExecutionContext().heartbeat(null);
    try {
      Thread.sleep(sleepMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new StageOutcome(
        request.stage(),
        1,
        0,
        null,
        Activity.getExecutionContext().getInfo().getAttempt(),
        false,
        sleepMillis / 1000.0,
        "bench");
  }

  @Override
  public EvaluationResult evaluate(RunRequest run, String trackingRunId) {
    return new EvaluationResult(new Scores(0.5, 0.5, 0.5, 0.5), null, null);
  }
}
