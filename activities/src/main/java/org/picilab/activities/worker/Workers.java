package org.picilab.activities.worker;

import ai.djl.Device;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.picilab.activities.training.CheckpointSpool;
import org.picilab.activities.training.DatasetCache;
import org.picilab.activities.training.TrainingActivitiesImpl;
import org.picilab.platform.control.ControlActivitiesImpl;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3Settings;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.impl.ExperimentWorkflowImpl;
import org.picilab.workflows.impl.SweepWorkflowImpl;

/** Starts the platform's Temporal workers in this process. */
public final class Workers implements AutoCloseable {

  private final List<WorkerFactory> factories = new ArrayList<>();

  /**
   * Hosts the workflows and the controller's activities.
   *
   * @param platform the connections
   * @return this
   * @throws IOException when the database of record cannot be opened
   */
  public Workers controller(Platform platform) throws IOException {
    WorkerFactory factory = WorkerFactory.newInstance(platform.client());
    Worker workflows = factory.newWorker(TaskQueues.WORKFLOWS);
    workflows.registerWorkflowImplementationTypes(
        ExperimentWorkflowImpl.class, SweepWorkflowImpl.class);
    Worker control = factory.newWorker(TaskQueues.CONTROL);
    control.registerActivitiesImplementations(
        new ControlActivitiesImpl(
            platform.records(),
            platform.tracker(),
            platform.client(),
            System.getProperty("pici.commit")));
    factory.start();
    factories.add(factory);
    return this;
  }

  /**
   * Hosts one training worker: one training activity at a time, on one device.
   *
   * @param platform the connections
   * @param taskQueue the task queue to serve
   * @param device the device to train on
   * @param name the worker's identity
   * @param datasets the data set cache (shared by the workers of a process)
   * @return this
   */
  public Workers training(
      Platform platform, String taskQueue, Device device, String name, DatasetCache datasets) {
    WorkerFactory factory =
        WorkerFactory.newInstance(platform.client(), WorkerFactoryOptions.newBuilder().build());
    Worker worker =
        factory.newWorker(
            taskQueue,
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(1)
                .setIdentity(name)
                .build());
    S3Settings s3 = platform.settings().s3();
    worker.registerActivitiesImplementations(
        new TrainingActivitiesImpl(
            platform.store(),
            bucket ->
                S3ObjectStore.connect(
                    new S3Settings(
                        s3.endpoint(), s3.accessKey(), s3.secretKey(), bucket, s3.region())),
            platform.tracker(),
            TrainingActivitiesImpl.watchdog(System.getenv()),
            datasets,
            device,
            name,
            CheckpointSpool.Limits.fromEnvironment(System.getenv())));
    factory.start();
    factories.add(factory);
    return this;
  }

  @Override
  public void close() {
    for (WorkerFactory f : factories) {
      f.shutdown();
    }
    for (WorkerFactory f : factories) {
      f.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
