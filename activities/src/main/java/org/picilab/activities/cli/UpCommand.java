package org.picilab.activities.cli;

import ai.djl.Device;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.picilab.activities.training.DatasetCache;
import org.picilab.activities.worker.Workers;
import org.picilab.model.cli.PiciCli;
import org.picilab.model.util.Devices;
import org.picilab.platform.registry.Registry;
import org.picilab.platform.security.Redact;
import org.picilab.platform.service.ControllerStartup;
import org.picilab.platform.service.RunService;
import org.picilab.platform.service.SweepService;
import org.picilab.platform.stack.EmbeddedStack;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pici up}: the whole platform on this machine, in one process. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Starts the local stack and keeps it running until Ctrl-C:",
      "Temporal's Java test server, an S3 endpoint over PICI_HOME/s3, the local",
      "tracking store, the controller (workflows and bookkeeping) and N training",
      "workers. TEMPORAL_ADDRESS, PICI_S3_ENDPOINT (and keys) and",
      "MLFLOW_TRACKING_URI switch each part to a real server instead."
    })
final class UpCommand implements Callable<Integer> {

  @Mixin WorkerOptions worker;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "in-process training workers (default ${DEFAULT-VALUE}); 0 leaves the work"
              + " to separate `pici worker` processes")
  int workers;

  @Option(
      names = "--temporal-port",
      paramLabel = "P",
      defaultValue = "7233",
      description = "embedded Temporal port")
  int temporalPort;

  @Option(
      names = "--s3-port",
      paramLabel = "P",
      defaultValue = "9000",
      description = "embedded S3 port")
  int s3Port;

  @Override
  public Integer call() throws Exception {
    if (workers < 0) {
      throw new IllegalArgumentException("--workers must be 0 or more, got " + workers);
    }
    PrintStream err = System.err;
    Map<String, String> env = System.getenv();
    PlatformSettings base = PlatformSettings.resolve(env, false);
    refuseIfRunning(base.home());
    Device d = workers > 0 ? Devices.parse(worker.device) : null;
    long pid = ProcessHandle.current().pid();
    EmbeddedStack stack =
        EmbeddedStack.start(
            base,
            !env.containsKey("TEMPORAL_ADDRESS"),
            temporalPort,
            !env.containsKey("PICI_S3_ENDPOINT"),
            s3Port);
    PlatformSettings settings = stack.settings();
    Platform platform;
    Workers hosted = new Workers();
    try {
      platform = Platform.connect(settings, Platform.identity("controller"));
      hosted.controller(platform);
      ControllerStartup.Report started =
          ControllerStartup.run(
              platform.records(),
              new Registry(platform.store()),
              SweepService.of(platform),
              RunService.of(platform),
              System.getProperty("pici.commit"));
      if (started.revivedSweeps() + started.revivedRuns() > 0) {
        err.printf(
            java.util.Locale.ROOT,
            "Revived %d sweeps and %d runs that were running when the stack last stopped.%n",
            started.revivedSweeps(),
            started.revivedRuns());
      }
      DatasetCache cache = new DatasetCache(2);
      for (int i = 0; i < workers; i++) {
        hosted.training(
            platform, worker.taskQueue, d, Platform.identity("worker") + "-" + (i + 1), cache);
      }
      settings.writeStackFile(pid);
    } catch (IOException | RuntimeException e) {
      hosted.close();
      stack.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  PiciCli.shuttingDown();
                  hosted.close();
                  platform.close();
                  stack.close();
                  settings.removeStackFile(pid);
                  stopped.countDown();
                },
                "pici-up-shutdown"));
    err.print(
        banner(
            settings,
            stack.embeddedTemporal(),
            stack.embeddedS3(),
            pid,
            workers,
            worker.taskQueue,
            d == null ? null : d.toString()));
    err.println("Ready. Try: ./pici sweep launch workflows/examples/digits-quick.yaml --wait");
    err.flush();
    stopped.await();
    return 0;
  }

  /**
   * What {@code pici up} prints once the stack runs: where each part is. Credentials never appear:
   * URIs are shown through {@link Redact#uri}, and keys not at all.
   *
   * @param settings the running stack's settings
   * @param embeddedTemporal whether Temporal runs in this process
   * @param embeddedS3 whether S3 runs in this process
   * @param pid this process
   * @param workers how many training workers run in this process
   * @param taskQueue their task queue
   * @param device their device, or null when there are none
   * @return the lines, each ending with a line break
   */
  static String banner(
      PlatformSettings settings,
      boolean embeddedTemporal,
      boolean embeddedS3,
      long pid,
      int workers,
      String taskQueue,
      String device) {
    String nl = System.lineSeparator();
    return "PICI Lab stack (pid "
        + pid
        + "):"
        + nl
        + "  Temporal   "
        + Redact.uri(settings.temporalAddress())
        + (embeddedTemporal
            ? "  (embedded test server on loopback; state lives as long as this process)"
            : "")
        + nl
        + "  S3         "
        + Redact.uri(settings.s3().endpoint())
        + " bucket "
        + settings.s3().bucket()
        + (embeddedS3
            ? "  (embedded on loopback, data in " + settings.home().resolve("s3") + ")"
            : "")
        + nl
        + "  Tracking   "
        + (settings.mlflowUri() != null
            ? "MLflow " + Redact.uri(settings.mlflowUri())
            : "local store " + settings.trackingDir())
        + nl
        + "  Database   "
        + settings.database().describe()
        + nl
        + "  Workers    "
        + workers
        + " in-process on task queue "
        + taskQueue
        + (device == null ? "" : " (" + device + ")")
        + "; add more with ./pici worker"
        + nl;
  }

  private static void refuseIfRunning(Path home) throws IOException {
    Path file = home.resolve(PlatformSettings.STACK_FILE);
    if (!Files.isRegularFile(file)) {
      return;
    }
    long pid = new ObjectMapper().readTree(file.toFile()).path("pid").asLong(-1);
    if (pid > 0
        && pid != ProcessHandle.current().pid()
        && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      throw new IllegalArgumentException(
          "a stack is already running from "
              + home
              + " (pid "
              + pid
              + "). Stop it first, or use another PICI_HOME.");
    }
  }
}
