package org.picilab.activities.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.picilab.model.config.ConfigException;
import org.picilab.model.config.ConfigLoader;
import org.picilab.workflows.RunOutcome;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.TaskQueues;
import org.picilab.workflows.sweep.ConfigSummary;
import org.picilab.workflows.sweep.SearchSpace;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepRequest;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepSpecParser;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.SweepWorkflow;
import org.picilab.workflows.sweep.TrialPlan;
import org.picilab.workflows.sweep.TrialState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pici sweep}: launch, watch, pause, resume and cancel sweeps. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description = "Launches and manages sweeps on the running platform.",
    subcommands = {
      SweepCommand.Launch.class,
      SweepCommand.Show.class,
      SweepCommand.ListSweeps.class,
      SweepCommand.Pause.class,
      SweepCommand.Resume.class,
      SweepCommand.Cancel.class
    })
final class SweepCommand {

  /** {@code pici sweep launch SPEC [--wait]}. */
  @Command(
      name = "launch",
      mixinStandardHelpOptions = true,
      description = {
        "Checks a sweep specification (YAML or JSON) and starts it. Prints the sweep id.",
        "With --wait, follows it to the end and prints the summary."
      })
  static final class Launch implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "SPEC", description = "the specification file")
    Path file;

    @Option(names = "--wait", description = "follow the sweep until it ends")
    boolean waitForEnd;

    @Override
    public Integer call() throws Exception {
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("no such sweep specification: " + file);
      }
      SweepSpec sweep = SweepSpecParser.parse(text);
      List<TrialPlan> trials = SearchSpace.trials(sweep);
      validate(sweep, trials);
      String id = "sweep-" + sweep.name() + "-" + suffix();
      try (Session s = Session.open("cli")) {
        SweepWorkflow wf =
            s.platform()
                .client()
                .newWorkflowStub(
                    SweepWorkflow.class,
                    WorkflowOptions.newBuilder()
                        .setWorkflowId(id)
                        .setTaskQueue(TaskQueues.WORKFLOWS)
                        .setWorkflowIdReusePolicy(
                            WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                        .build());
        WorkflowClient.start(wf::run, new SweepRequest(id, sweep, null, null, null, 0));
        PrintWriter out = spec.commandLine().getOut();
        out.println(id);
        out.flush();
        long configs = trials.stream().map(TrialPlan::configKey).distinct().count();
        System.err.printf(
            Locale.ROOT,
            "%d trials (%d configurations x %d seeds%s), at most %d at once. Watch it: ./pici sweep show %s%n",
            trials.size(),
            configs,
            sweep.seeds().size(),
            sweep.budget() > 0 ? ", budget " + sweep.budget() : "",
            sweep.maxConcurrent(),
            id);
        if (!waitForEnd) {
          return 0;
        }
        return followToEnd(s, id, spec.commandLine().getOut());
      }
    }

    /**
     * Every configuration must load before anything starts, so typos fail here, not in a worker.
     */
    private static void validate(SweepSpec sweep, List<TrialPlan> trials) {
      Map<String, Map<String, String>> distinct = new LinkedHashMap<>();
      for (TrialPlan t : trials) {
        distinct.putIfAbsent(t.configKey(), t.parameters());
      }
      for (Map.Entry<String, Map<String, String>> e : distinct.entrySet()) {
        Map<String, String> overrides = new LinkedHashMap<>(e.getValue());
        overrides.put("method", sweep.method());
        try {
          ConfigLoader.load(sweep.preset(), null, overrides);
        } catch (ConfigException ex) {
          String where =
              sweep.space().containsKey(ex.field())
                  ? "search.space." + ex.field()
                  : "parameters." + ex.field();
          throw new ConfigException(
              where,
              ex.getMessage().substring(ex.field().length() + 2)
                  + " (configuration "
                  + e.getKey()
                  + ")");
        }
      }
    }

    private static String suffix() {
      String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
      SecureRandom rng = new SecureRandom();
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        sb.append(alphabet.charAt(rng.nextInt(alphabet.length())));
      }
      return sb.toString();
    }
  }

  /** Follows a sweep to its end and prints it; the exit code is 0 when every trial completed. */
  static int followToEnd(Session s, String id, PrintWriter out) throws InterruptedException {
    SweepStatus end = follow(s, id);
    print(out, end, s);
    return end.phase() == SweepPhase.COMPLETED && end.count(RunStatus.FAILED) == 0 ? 0 : 1;
  }

  /** Polls a sweep until it ends, printing a line whenever its counts change. */
  static SweepStatus follow(Session s, String id) throws InterruptedException {
    SweepWorkflow wf = s.platform().client().newWorkflowStub(SweepWorkflow.class, id);
    String last = "";
    while (true) {
      SweepStatus st = wf.status();
      String line =
          String.format(
              Locale.ROOT,
              "%s: %d/%d ended (%d completed, %d failed, %d cancelled), %d running, %d pending",
              st.phase(),
              st.trials().size() - st.count(RunStatus.PENDING) - st.count(RunStatus.RUNNING),
              st.trials().size(),
              st.count(RunStatus.COMPLETED),
              st.count(RunStatus.FAILED),
              st.count(RunStatus.CANCELLED),
              st.count(RunStatus.RUNNING),
              st.count(RunStatus.PENDING));
      if (!line.equals(last)) {
        System.err.println(java.time.LocalTime.now().withNano(0) + "  " + line);
        last = line;
      }
      if (st.phase() == SweepPhase.COMPLETED || st.phase() == SweepPhase.CANCELLED) {
        return st;
      }
      Thread.sleep(2000);
    }
  }

  /** Prints a sweep's status, trials and per-configuration summary. */
  static void print(PrintWriter out, SweepStatus st, Session s) {
    out.printf(
        Locale.ROOT,
        "%s  %s  %d trials: %d completed, %d failed, %d cancelled, %d running, %d pending%n",
        st.sweepId(),
        st.phase(),
        st.trials().size(),
        st.count(RunStatus.COMPLETED),
        st.count(RunStatus.FAILED),
        st.count(RunStatus.CANCELLED),
        st.count(RunStatus.RUNNING),
        st.count(RunStatus.PENDING));
    SweepSpec sp = st.spec();
    out.printf(
        Locale.ROOT,
        "%s on %s, %s search over %s, seeds %s, at most %d at once%n%n",
        sp.method(),
        sp.dataset(),
        sp.strategy(),
        sp.space().isEmpty() ? "nothing" : String.join(", ", sp.space().keySet()),
        sp.seeds(),
        sp.maxConcurrent());
    int width = "configuration".length();
    for (TrialState t : st.trials()) {
      width = Math.max(width, t.configKey().length());
    }
    out.printf(
        Locale.ROOT,
        "%-3s %-32s %-" + width + "s %6s  %-10s %-8s %s%n",
        "#",
        "run",
        "config",
        "seed",
        "status",
        "epoch",
        "scores");
    for (TrialState t : st.trials()) {
      String epoch = "";
      if (t.status() == RunStatus.RUNNING && s != null) {
        try {
          var p = s.registry().progress(t.runId());
          if (p.isPresent()) {
            epoch = p.get().epoch() + "/" + p.get().totalEpochs();
          }
        } catch (IOException e) {
          epoch = "?";
        }
      }
      out.printf(
          Locale.ROOT,
          "%-3d %-32s %-" + width + "s %6d  %-10s %-8s %s%n",
          t.index() + 1,
          t.runId(),
          t.configKey(),
          t.seed(),
          t.status(),
          epoch,
          t.status() == RunStatus.FAILED ? "error: " + t.error() : Format.scores(t.scores()));
    }
    out.println();
    out.printf(
        Locale.ROOT,
        "%-" + width + "s %6s  %-15s %-15s %-15s %-15s%n",
        "configuration",
        "done",
        "NMI",
        "ACC",
        "ARI",
        "FMI");
    for (ConfigSummary c : st.summary()) {
      if (c.mean() == null) {
        out.printf(
            Locale.ROOT,
            "%-" + width + "s %3d/%-2d  -%n",
            c.configKey(),
            c.completed(),
            c.trials());
      } else {
        out.printf(
            Locale.ROOT,
            "%-" + width + "s %3d/%-2d  %-15s %-15s %-15s %-15s%n",
            c.configKey(),
            c.completed(),
            c.trials(),
            Format.meanStd(c.mean().nmi(), c.std().nmi(), c.completed()),
            Format.meanStd(c.mean().acc(), c.std().acc(), c.completed()),
            Format.meanStd(c.mean().ari(), c.std().ari(), c.completed()),
            Format.meanStd(c.mean().fmi(), c.std().fmi(), c.completed()));
      }
    }
    out.flush();
  }

  /**
   * Reads a sweep's status from its workflow, or from the registry when the workflow is gone; a
   * sweep that had not ended then reads as LOST, and so do its running trials.
   */
  static Optional<SweepStatus> status(Session s, String id, boolean[] fromRegistry)
      throws IOException {
    Optional<SweepStatus> st;
    try {
      st = Optional.of(s.platform().client().newWorkflowStub(SweepWorkflow.class, id).status());
    } catch (WorkflowException | io.grpc.StatusRuntimeException e) {
      fromRegistry[0] = true;
      st = s.registry().sweep(id).map(SweepCommand::lostUnlessEnded);
    }
    return st.isEmpty() ? st : Optional.of(withRunOutcomes(s, st.get()));
  }

  /**
   * A failed or cancelled trial finished later with {@code pici run resume}, after its sweep ended,
   * shows as completed with its scores: the run's own record says so.
   */
  private static SweepStatus withRunOutcomes(Session s, SweepStatus st) throws IOException {
    List<TrialState> trials = new java.util.ArrayList<>(st.trials());
    boolean changed = false;
    for (int i = 0; i < trials.size(); i++) {
      TrialState t = trials.get(i);
      if (t.status() == RunStatus.FAILED || t.status() == RunStatus.CANCELLED) {
        Optional<RunProgress> r = s.registry().status(t.runId());
        if (r.isPresent() && r.get().status() == RunStatus.COMPLETED) {
          trials.set(i, t.with(RunStatus.COMPLETED, r.get().scores(), null));
          changed = true;
        }
      }
    }
    return changed
        ? new SweepStatus(
            st.sweepId(),
            st.spec(),
            st.phase(),
            List.copyOf(trials),
            st.trackingRunId(),
            st.continuedAsNew())
        : st;
  }

  private static SweepStatus lostUnlessEnded(SweepStatus st) {
    if (st.phase() == SweepPhase.COMPLETED || st.phase() == SweepPhase.CANCELLED) {
      return st;
    }
    List<TrialState> trials =
        st.trials().stream()
            .map(t -> t.status() == RunStatus.RUNNING ? t.with(RunStatus.LOST, null, null) : t)
            .toList();
    return new SweepStatus(
        st.sweepId(), st.spec(), SweepPhase.LOST, trials, st.trackingRunId(), st.continuedAsNew());
  }

  /** {@code pici sweep show ID [--json]}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Shows a sweep: status, trials, summary.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "the sweep id")
    String id;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        boolean[] stale = {false};
        Optional<SweepStatus> st = status(s, id, stale);
        if (st.isEmpty()) {
          throw new IllegalArgumentException(
              "no sweep " + id + " (list them with ./pici sweep list)");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          com.fasterxml.jackson.databind.node.ObjectNode tree = mapper.valueToTree(st.get());
          tree.set("summary", mapper.valueToTree(st.get().summary()));
          out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
          out.flush();
        } else {
          print(out, st.get(), s);
          if (stale[0]) {
            out.println();
            out.println(
                st.get().phase() == SweepPhase.LOST
                    ? "(from the registry: the sweep's workflow is gone from this server; carry on"
                        + " with ./pici sweep resume "
                        + id
                        + ")"
                    : "(from the registry: the sweep's workflow is not on this server; its last"
                        + " recorded state is shown)");
          }
          out.flush();
        }
        return 0;
      }
    }
  }

  /** {@code pici sweep list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the recorded sweeps.")
  static final class ListSweeps implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        PrintWriter out = spec.commandLine().getOut();
        for (String id : s.registry().sweepIds()) {
          boolean[] stale = {false};
          Optional<SweepStatus> st = status(s, id, stale);
          st.ifPresent(
              x ->
                  out.printf(
                      Locale.ROOT,
                      "%-36s %-10s %3d/%-3d completed%s%n",
                      id,
                      x.phase(),
                      x.count(RunStatus.COMPLETED),
                      x.trials().size(),
                      x.phase() == SweepPhase.LOST ? "  (./pici sweep resume " + id + ")" : ""));
        }
        out.flush();
        return 0;
      }
    }
  }

  /** Sends a signal to a sweep. */
  abstract static class Signal implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "the sweep id")
    String id;

    abstract void send(SweepWorkflow wf);

    abstract String done();

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        try {
          send(s.platform().client().newWorkflowStub(SweepWorkflow.class, id));
        } catch (WorkflowException e) {
          throw new IllegalArgumentException("sweep " + id + " is not running: " + e.getMessage());
        }
        System.err.println(id + ": " + done());
        return 0;
      }
    }
  }

  /** {@code pici sweep pause ID}. */
  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Starts no new trials; running ones go on.")
  static final class Pause extends Signal {
    @Override
    void send(SweepWorkflow wf) {
      wf.pause();
    }

    @Override
    String done() {
      return "paused; running trials continue, no new ones start";
    }
  }

  /** {@code pici sweep resume ID [--wait]}. */
  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = {
        "Starts trials again after a pause. A sweep whose workflow is gone (the embedded",
        "server restarted, or it was terminated) carries on from the registry: ended trials",
        "are kept, interrupted ones continue from their newest checkpoints, none starts twice."
      })
  static final class Resume implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "the sweep id")
    String id;

    @Option(names = "--wait", description = "follow the sweep until it ends")
    boolean waitForEnd;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        WorkflowClient client = s.platform().client();
        Optional<WorkflowExecutionStatus> live = s.execution(id);
        if (live.isPresent()
            && live.get() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
          client.newWorkflowStub(SweepWorkflow.class, id).resume();
          System.err.println(id + ": resumed");
        } else {
          revive(s, live);
        }
        if (!waitForEnd) {
          return 0;
        }
        return followToEnd(s, id, spec.commandLine().getOut());
      }
    }

    private void revive(Session s, Optional<WorkflowExecutionStatus> live) throws IOException {
      SweepStatus saved =
          s.registry()
              .sweep(id)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "no sweep " + id + " (list them with ./pici sweep list)"));
      switch (saved.phase()) {
        case COMPLETED ->
            throw new IllegalArgumentException(id + " has completed; there is nothing to resume");
        case CANCELLED, CANCELLING ->
            throw new IllegalArgumentException(
                id
                    + " was cancelled; launch the specification again, or continue single runs with"
                    + " ./pici run resume RUN");
        default -> {}
      }
      if (live.isPresent()
          && live.get() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
        throw new IllegalArgumentException(
            id + " has ended on the server; there is nothing to resume");
      }
      WorkflowClient client = s.platform().client();
      SweepRevival.Plan plan =
          SweepRevival.plan(
              saved.trials(),
              new SweepRevival.Runs() {
                @Override
                public boolean alive(String runId) {
                  return s.execution(runId)
                      .map(x -> x == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)
                      .orElse(false);
                }

                @Override
                public Optional<RunProgress> recorded(String runId) throws IOException {
                  return s.registry().status(runId);
                }
              });
      SweepWorkflow wf =
          client.newWorkflowStub(
              SweepWorkflow.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(id)
                  .setTaskQueue(TaskQueues.WORKFLOWS)
                  // Never a second run of a sweep that completed; a terminated one may go on.
                  .setWorkflowIdReusePolicy(
                      WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                  .build());
      WorkflowClient.start(
          wf::run,
          new SweepRequest(
              id,
              saved.spec(),
              plan.trials(),
              SweepPhase.RUNNING,
              saved.trackingRunId(),
              saved.continuedAsNew()));
      // A run still alive reports its end to the sweep's workflow id; one that ended between
      // the plan and the start missed the new run, so tell it again (the signal is idempotent).
      for (TrialState t : plan.trials()) {
        if (t.status() == RunStatus.RUNNING) {
          Optional<RunProgress> r = s.registry().status(t.runId());
          if (r.isPresent() && r.get().status().ended()) {
            wf.trialFinished(
                new RunOutcome(
                    t.runId(),
                    t.index(),
                    t.configKey(),
                    t.seed(),
                    r.get().status(),
                    r.get().scores(),
                    null,
                    r.get().error(),
                    r.get()));
          }
        }
      }
      System.err.printf(
          Locale.ROOT,
          "%s: carried on from the registry: %d ended trials kept, %d continue from their"
              + " checkpoints, %d still running, %d not started yet%n",
          id,
          plan.kept(),
          plan.restarted(),
          plan.adopted(),
          plan.pending());
    }
  }

  /** {@code pici sweep cancel ID}. */
  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Stops running trials (each leaves a checkpoint) and skips the rest.")
  static final class Cancel extends Signal {
    @Override
    void send(SweepWorkflow wf) {
      wf.cancel();
    }

    @Override
    String done() {
      return "cancelling: running trials stop after their next batch, leaving checkpoints";
    }
  }
}
