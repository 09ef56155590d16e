package org.picilab.activities.bench;

import com.google.protobuf.Message;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DataConverter;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.picilab.activities.worker.Workers;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.service.SweepService;
import org.picilab.platform.service.Views.SweepView;
import org.picilab.platform.stack.EmbeddedStack;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pici bench sweep}: the orchestration of a sweep, with training replaced by a sleep. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs a sweep of N trials whose training activity only sleeps T seconds, at most C at",
      "once, on a fresh embedded stack (Temporal test server, S3 endpoint, SQLite database,",
      "controller and a sleeping worker in this process). Prints the wall time against the",
      "ideal N*T/C, the process CPU time, the size of the sweep's histories and the largest",
      "payload any of their events carries."
    })
public final class BenchSweepCommand implements Callable<Integer> {

  @Option(names = "--trials", defaultValue = "1000", description = "N (default ${DEFAULT-VALUE})")
  int trials;

  @Option(
      names = "--sleep",
      defaultValue = "1",
      description = "T, seconds per trial (default ${DEFAULT-VALUE})")
  double sleep;

  @Option(
      names = "--concurrency",
      defaultValue = "16",
      description = "C, the sweep's maxConcurrent (default ${DEFAULT-VALUE})")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    if (trials < 1 || concurrency < 1 || sleep < 0) {
      throw new IllegalArgumentException(
          "--trials and --concurrency must be at least 1 and --sleep 0 or more");
    }
    Path home = Files.createTempDirectory("pici-bench-sweep");
    PlatformSettings base = PlatformSettings.resolve(Map.of("PICI_HOME", home.toString()), false);
    try (EmbeddedStack stack = EmbeddedStack.start(base, true, 0, true, 0);
        Platform platform = Platform.connect(stack.settings(), Platform.identity("bench"));
        Workers hosted = new Workers().controller(platform)) {
      SleepingTraining training = new SleepingTraining(Math.round(sleep * 1000));
      WorkerFactory factory = WorkerFactory.newInstance(platform.client());
      Worker worker =
          factory.newWorker(
              TaskQueues.TRAINING,
              WorkerOptions.newBuilder()
                  .setMaxConcurrentActivityExecutionSize(concurrency)
                  .build());
      worker.registerActivitiesImplementations(training);
      factory.start();
      try {
        return measure(platform, training);
      } finally {
        factory.shutdown();
      }
    }
  }

  private int measure(Platform platform, SleepingTraining training) throws Exception {
    // Trials spread over seeds and a searched setting, as a person would write it: the seed list
    // stays short (it travels in the specification).
    int seedCount = Math.min(trials, 100);
    StringBuilder seeds = new StringBuilder();
    for (int i = 1; i <= seedCount; i++) {
      seeds.append(i == 1 ? "" : ", ").append(i);
    }
    int values = (trials + seedCount - 1) / seedCount;
    String spec =
        "name: bench\nmethod: pici\ndataset: digits\npreset: tiny\nsearch: {space: {cliRestarts:"
            + " {min: 1, max: "
            + values
            + ", step: 1}}}\nseeds: ["
            + seeds
            + "]\nbudget: "
            + trials
            + "\nmaxConcurrent: "
            + concurrency
            + "\nexecution: {heartbeatTimeoutSeconds: 60}\n";
    RecordStore records = platform.records();
    SweepService sweeps = new SweepService(platform.client(), records, null);
    var cpu =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = cpu.getProcessCpuTime();
    long t0 = System.nanoTime();
    String id = sweeps.launch(spec, SweepService.Origin.LOCAL).sweepId();
    long launched = System.nanoTime();
    SweepView end = sweeps.follow(id, line -> System.err.println("  " + line));
    double wall = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (cpu.getProcessCpuTime() - cpu0) / 1e9;
    double ideal = trials * sleep / concurrency;

    History h = histories(platform.client(), id);
    SweepStatus answer = platform.client().newWorkflowStub(SweepWorkflow.class, id).status();
    int queryBytes =
        DataConverter.getDefaultInstance()
            .toPayloads(answer)
            .map(p -> p.getSerializedSize())
            .orElse(0);
    String firstRun = org.picilab.workflows.sweep.TrialPlan.runId(id, 0);
    History run = histories(platform.client(), firstRun);

    System.out.printf(
        Locale.ROOT,
        "sweep bench: %d trials x %.1f s, at most %d at once%n",
        trials,
        sleep,
        concurrency);
    System.out.printf(
        Locale.ROOT,
        "  phase              %s, %d completed, each trial prepared once: %b%n",
        end.phase(),
        end.counts().get(RunStatus.COMPLETED),
        training.prepared.get() == trials);
    System.out.printf(Locale.ROOT, "  launch             %.2f s%n", (launched - t0) / 1e9);
    System.out.printf(
        Locale.ROOT,
        "  wall               %.1f s (ideal %.1f s, +%.1f%%)%n",
        wall,
        ideal,
        100 * (wall - ideal) / Math.max(ideal, 1e-9));
    System.out.printf(
        Locale.ROOT, "  process CPU        %.1f s (%.2f cores)%n", cpuSeconds, cpuSeconds / wall);
    System.out.printf(
        Locale.ROOT,
        "  sweep history      %d workflow runs, %d events, %.1f KB in all; longest run %d events%n",
        h.runs,
        h.events,
        h.bytes / 1024.0,
        h.longestRun);
    System.out.printf(
        Locale.ROOT, "  largest event      %.1f KB (%s)%n", h.largestEvent / 1024.0, h.largestType);
    System.out.printf(Locale.ROOT, "  status query       %.1f KB%n", queryBytes / 1024.0);
    System.out.printf(
        Locale.ROOT, "  one trial's run    %d events, %.1f KB%n", run.events, run.bytes / 1024.0);
    System.out.flush();
    return end.phase() == SweepPhase.COMPLETED ? 0 : 1;
  }

  /** The histories of every run of a workflow id, newest back to the first. */
  private static History histories(WorkflowClient client, String workflowId) {
    History h = new History();
    String runId = null;
    Map<String, Boolean> seen = new HashMap<>();
    while (true) {
      WorkflowExecutionHistory hist =
          runId == null ? client.fetchHistory(workflowId) : client.fetchHistory(workflowId, runId);
      h.runs++;
      h.longestRun = Math.max(h.longestRun, hist.getEvents().size());
      String previous = null;
      for (HistoryEvent e : hist.getEvents()) {
        h.events++;
        int size = ((Message) e).getSerializedSize();
        h.bytes += size;
        if (size > h.largestEvent) {
          h.largestEvent = size;
          h.largestType = e.getEventType().name().replace("EVENT_TYPE_", "");
        }
        if (e.hasWorkflowExecutionStartedEventAttributes()) {
          previous = e.getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
        }
      }
      if (previous == null || previous.isEmpty() || seen.put(previous, true) != null) {
        return h;
      }
      runId = previous;
    }
  }

  private static final class History {
    int runs;
    long events;
    long bytes;
    int longestRun;
    int largestEvent;
    String largestType = "-";
  }
}
