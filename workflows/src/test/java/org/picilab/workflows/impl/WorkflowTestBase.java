package org.picilab.workflows.impl;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.picilab.workflows.TaskQueues;

/** A Temporal test environment with the workflows and fake activities on their task queues. */
abstract class WorkflowTestBase {

  TestWorkflowEnvironment env;
  WorkflowClient client;
  FakeActivities.Training training;
  FakeActivities.Control control;

  @BeforeEach
  void startEnvironment() {
    env = TestWorkflowEnvironment.newInstance();
    training = new FakeActivities.Training();
    control = new FakeActivities.Control();
    Worker workflows = env.newWorker(TaskQueues.WORKFLOWS);
    workflows.registerWorkflowImplementationTypes(
        ExperimentWorkflowImpl.class, SweepWorkflowImpl.class);
    env.newWorker(TaskQueues.TRAINING).registerActivitiesImplementations(training);
    env.newWorker(TaskQueues.CONTROL).registerActivitiesImplementations(control);
    env.start();
    client = env.getWorkflowClient();
  }

  @AfterEach
  void stopEnvironment() {
    env.close();
  }

  WorkflowOptions options(String id) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(id)
        .setTaskQueue(TaskQueues.WORKFLOWS)
        .setWorkflowExecutionTimeout(Duration.ofHours(1))
        .build();
  }
}
