package org.picilab.activities.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.picilab.activities.cli.Main;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;

/**
 * Real processes of the platform for tests: {@code pici up}, {@code pici worker} and client
 * commands, each its own JVM, sharing a home directory and free loopback ports.
 */
final class ProcessStack implements AutoCloseable {

  final Path home;
  final int temporalPort;
  final int s3Port;
  private final List<Process> processes = new ArrayList<>();

  /** Environment variables for every process started from now on. */
  final Map<String, String> env = new java.util.HashMap<>();

  /** The commit every process reports (the launcher passes the checkout's). */
  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  private int logs;

  ProcessStack(Path home) throws IOException {
    this.home = home;
    this.temporalPort = freePort();
    this.s3Port = freePort();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Starts `pici ARGS` in the background. */
  Process start(String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-Xmx1g");
    cmd.add("-Dpici.commit=" + COMMIT);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    Path log = home.resolve(name + "-" + (logs++) + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("PICI_HOME", home.toString());
    env.put("OPENBLAS_NUM_THREADS", "1");
    // Several JVMs share two cores here: one engine thread each.
    env.put("PICI_THREADS", "1");
    env.remove("TEMPORAL_ADDRESS");
    env.remove("PICI_S3_ENDPOINT");
    env.remove("MLFLOW_TRACKING_URI");
    env.putAll(this.env);
    Process p = pb.start();
    processes.add(p);
    logByProcess.put(p, log);
    return p;
  }

  private final Map<Process, Path> logByProcess = new java.util.HashMap<>();

  String log(Process p) {
    try {
      return Files.readString(logByProcess.get(p), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Starts `pici up` and waits until it is ready. */
  Process up(String... extra) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("up", "--temporal-port", "" + temporalPort, "--s3-port", "" + s3Port));
    args.addAll(List.of(extra));
    Process p = start("up", args.toArray(new String[0]));
    await(() -> log(p).contains("Ready."), 90, () -> "pici up did not start:\n" + log(p), p);
    return p;
  }

  /** Starts `pici worker` and waits until it serves. */
  Process worker(String name) throws Exception {
    Process p = start("worker-" + name, "worker", "--name", name, "--device", "cpu");
    await(
        () -> log(p).contains("serving task queue"),
        90,
        () -> "worker did not start:\n" + log(p),
        p);
    return p;
  }

  /** Runs `pici ARGS` to the end and returns its standard output and error. */
  Result run(String... args) throws Exception {
    Process p = start("cli", args);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "command did not end: " + String.join(" ", args));
    processes.remove(p);
    return new Result(p.exitValue(), log(p));
  }

  record Result(int code, String output) {}

  /** Writes a sweep specification, launches it with `pici sweep launch`, returns the sweep id. */
  String launch(String name, String specText) throws Exception {
    Path spec = home.resolve(name + ".yaml");
    Files.writeString(spec, specText);
    Result launched = run("sweep", "launch", spec.toString());
    assertTrue(launched.code() == 0, launched.output());
    return launched
        .output()
        .lines()
        .filter(l -> l.startsWith("sweep-" + name + "-"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sweep id in: " + launched.output()));
  }

  /** Connections to the stack, as a client process would open them. */
  /**
   * A sweep as the tests read it: the phase from its workflow, every trial from the database of
   * record (the workflow itself holds no trial list).
   */
  static org.picilab.workflows.sweep.SweepStatus status(Platform platform, String sweepId) {
    try {
      org.picilab.workflows.sweep.SweepStatus live =
          platform
              .client()
              .newWorkflowStub(org.picilab.workflows.sweep.SweepWorkflow.class, sweepId)
              .status();
      java.util.List<org.picilab.workflows.sweep.TrialState> trials = new java.util.ArrayList<>();
      for (org.picilab.platform.db.RunRecord r :
          platform
              .records()
              .runs(sweepId, java.util.Set.of(), org.picilab.platform.db.RunSort.INDEX, 0, 10_000)
              .items()) {
        trials.add(
            new org.picilab.workflows.sweep.TrialState(
                r.trialIndex(),
                r.id(),
                r.configKey(),
                r.parameters(),
                r.seed(),
                r.status(),
                r.scores(),
                r.error()));
      }
      return new org.picilab.workflows.sweep.SweepStatus(
          sweepId, live.spec(), live.phase(), trials, live.trackingRunId(), live.continuedAsNew());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A run's progress as people see it: the workflow's answer with the live heartbeat of its
   * training activity laid over it (the workflow receives no per-epoch news).
   */
  static org.picilab.workflows.RunProgress live(
      Platform platform, org.picilab.workflows.ExperimentWorkflow run) {
    String id = io.temporal.client.WorkflowStub.fromTyped(run).getExecution().getWorkflowId();
    return org.picilab.platform.control.LiveProgress.overlay(platform.client(), id, run.progress());
  }

  Platform connect() throws IOException {
    return Platform.connect(
        PlatformSettings.resolve(Map.of("PICI_HOME", home.toString())), Platform.identity("test"));
  }

  static void await(
      BooleanSupplier condition,
      int seconds,
      java.util.function.Supplier<String> why,
      Process... alive)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      for (Process p : alive) {
        if (!p.isAlive()) {
          throw new AssertionError(
              "process ended early (exit " + p.exitValue() + "): " + why.get());
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s: " + why.get());
      }
      Thread.sleep(100);
    }
  }

  void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    processes.remove(p);
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
