package org.picilab.activities.cli;

import ai.djl.Device;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.picilab.activities.training.DatasetCache;
import org.picilab.activities.worker.Workers;
import org.picilab.model.cli.PiciCli;
import org.picilab.model.util.Devices;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pici worker}: a training worker that joins a running platform. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Joins the platform as a training worker: one training at a time on one device,",
      "until stopped. It finds the platform through the environment (TEMPORAL_ADDRESS,",
      "PICI_S3_*, MLFLOW_TRACKING_URI) or the stack file of a local `pici up`."
    })
final class WorkerCommand implements Callable<Integer> {

  @Mixin WorkerOptions worker;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "worker identity (default: worker-HOST-PID)")
  String name;

  @Override
  public Integer call() throws Exception {
    PlatformSettings settings = PlatformSettings.resolve(System.getenv());
    Device d = Devices.parse(worker.device);
    String identity = name != null ? name : Platform.identity("worker");
    Platform platform = Platform.connect(settings, identity);
    Workers workers =
        new Workers().training(platform, worker.taskQueue, d, identity, new DatasetCache(2));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  PiciCli.shuttingDown();
                  workers.close();
                  platform.close();
                  stopped.countDown();
                },
                "pici-worker-shutdown"));
    System.err.println(
        "worker "
            + identity
            + " serving task queue "
            + worker.taskQueue
            + " on "
            + d
            + " ("
            + settings
            + ")");
    System.err.flush();
    stopped.await();
    return 0;
  }
}
