package org.picilab.activities.cli;

import org.picilab.workflows.TaskQueues;
import picocli.CommandLine.Option;

/** What a training worker serves and trains on; shared by {@code pici worker} and {@code up}. */
final class WorkerOptions {

  @Option(
      names = "--task-queue",
      paramLabel = "Q",
      defaultValue = TaskQueues.TRAINING,
      description = "training task queue to serve (default ${DEFAULT-VALUE})")
  String taskQueue;

  @Option(
      names = "--device",
      paramLabel = "D",
      defaultValue = "auto",
      description = "auto, cpu or gpu")
  String device;
}
