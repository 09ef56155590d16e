package org.picilab.activities.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.picilab.platform.db.Page;
import org.picilab.platform.db.RunRecord;
import org.picilab.platform.db.RunSort;
import org.picilab.platform.service.SweepService;
import org.picilab.platform.service.Views.Launched;
import org.picilab.platform.service.Views.SweepLine;
import org.picilab.platform.service.Views.SweepView;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.sweep.ConfigSummary;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pici sweep}: launch, watch, pause, resume and cancel sweeps; a thin face on the service.
 */
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
      try (Session s = Session.open("cli")) {
        Launched l = s.sweeps().launch(text, SweepService.Origin.LOCAL);
        PrintWriter out = spec.commandLine().getOut();
        out.println(l.sweepId());
        out.flush();
        System.err.printf(
            Locale.ROOT,
            "%d trials (%d configurations x %d seeds), at most %d at once. Watch it: ./pici sweep"
                + " show %s%n",
            l.trials(),
            l.configurations(),
            l.seeds(),
            l.maxConcurrent(),
            l.sweepId());
        if (!waitForEnd) {
          return 0;
        }
        return followToEnd(s, l.sweepId(), out);
      }
    }
  }

  /** Follows a sweep to its end and prints it; the exit code is 0 when every trial completed. */
  static int followToEnd(Session s, String id, PrintWriter out)
      throws InterruptedException, java.io.IOException {
    SweepView end =
        s.sweeps()
            .follow(
                id,
                line -> System.err.println(java.time.LocalTime.now().withNano(0) + "  " + line));
    print(out, s.sweeps().show(id, RunSort.INDEX, 0, 50));
    boolean allCompleted = end.counts().get(RunStatus.COMPLETED) == end.sweep().totalTrials();
    return end.phase() == SweepPhase.COMPLETED && allCompleted ? 0 : 1;
  }

  /** Prints a sweep's status, one page of trials and the per-configuration summary. */
  static void print(PrintWriter out, SweepView v) {
    var c = v.counts();
    out.printf(
        Locale.ROOT,
        "%s  %s  %d trials: %d completed, %d failed, %d cancelled, %d lost, %d running, %d"
            + " pending%n",
        v.sweep().id(),
        v.phase(),
        v.sweep().totalTrials(),
        c.get(RunStatus.COMPLETED),
        c.get(RunStatus.FAILED),
        c.get(RunStatus.CANCELLED),
        c.get(RunStatus.LOST),
        c.get(RunStatus.RUNNING),
        c.get(RunStatus.PENDING));
    SweepSpec sp = v.sweep().spec();
    out.printf(
        Locale.ROOT,
        "%s on %s, %s search over %s, seeds %s, at most %d at once%n%n",
        sp.method(),
        sp.dataset(),
        sp.strategy(),
        sp.space().isEmpty() ? "nothing" : String.join(", ", sp.space().keySet()),
        sp.seeds(),
        sp.maxConcurrent());
    Page<RunRecord> page = v.trials();
    int width = "config".length();
    for (RunRecord t : page.items()) {
      width = Math.max(width, t.configKey() == null ? 0 : t.configKey().length());
    }
    out.printf(
        Locale.ROOT,
        "%-5s %-36s %-" + width + "s %6s  %-10s %-8s %s%n",
        "#",
        "run",
        "config",
        "seed",
        "status",
        "epoch",
        "scores");
    for (RunRecord t : page.items()) {
      String epoch =
          t.status() == RunStatus.RUNNING && t.totalEpochs() > 0
              ? t.epoch() + "/" + t.totalEpochs()
              : "";
      out.printf(
          Locale.ROOT,
          "%-5d %-36s %-" + width + "s %6d  %-10s %-8s %s%n",
          t.trialIndex() + 1,
          t.id(),
          t.configKey(),
          t.seed(),
          t.status(),
          epoch,
          t.status() == RunStatus.FAILED || t.status() == RunStatus.LOST
              ? "error: " + t.error()
              : Format.scores(t.scores()));
    }
    if (page.total() > page.items().size()) {
      out.printf(
          Locale.ROOT,
          "(trials %d-%d of %d; --page N for others, --all for every one)%n",
          page.offset() + 1,
          page.offset() + page.items().size(),
          page.total());
    }
    out.println();
    int cw = "configuration".length();
    for (ConfigSummary s : v.summary()) {
      cw = Math.max(cw, s.configKey().length());
    }
    out.printf(
        Locale.ROOT,
        "%-" + cw + "s %9s  %-15s %-15s %-15s %-15s%n",
        "configuration",
        "done",
        "NMI",
        "ACC",
        "ARI",
        "FMI");
    for (ConfigSummary s : v.summary()) {
      if (s.mean() == null) {
        out.printf(
            Locale.ROOT, "%-" + cw + "s %4d/%-4d  -%n", s.configKey(), s.completed(), s.trials());
      } else {
        out.printf(
            Locale.ROOT,
            "%-" + cw + "s %4d/%-4d  %-15s %-15s %-15s %-15s%n",
            s.configKey(),
            s.completed(),
            s.trials(),
            Format.meanStd(s.mean().nmi(), s.std().nmi(), s.completed()),
            Format.meanStd(s.mean().acc(), s.std().acc(), s.completed()),
            Format.meanStd(s.mean().ari(), s.std().ari(), s.completed()),
            Format.meanStd(s.mean().fmi(), s.std().fmi(), s.completed()));
      }
    }
    if (v.note() != null) {
      out.println();
      out.println("(" + v.note() + ")");
    }
    out.flush();
  }

  /** {@code pici sweep show ID [--json] [--page N] [--page-size M] [--all] [--sort KEY]}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = {
        "Shows a sweep: its status, counts, the summary per configuration and one page of",
        "trials (--page, --page-size, --sort nmi|acc|ari|fmi|index|newest, or --all)."
      })
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "the sweep id")
    String id;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Option(names = "--page", defaultValue = "1", description = "page of trials (from 1)")
    int page;

    @Option(
        names = "--page-size",
        defaultValue = "50",
        description = "trials per page (default ${DEFAULT-VALUE}, at most 10000)")
    int pageSize;

    @Option(names = "--all", description = "every trial, however many")
    boolean all;

    @Option(
        names = "--sort",
        defaultValue = "index",
        description = "order of the trials: index (default), nmi, acc, ari, fmi, newest")
    String sort;

    @Override
    public Integer call() throws Exception {
      if (page < 1) {
        throw new IllegalArgumentException("--page must be 1 or more, got " + page);
      }
      RunSort order = RunSort.parse(sort);
      try (Session s = Session.open("cli")) {
        SweepView v;
        if (all) {
          v = s.sweeps().show(id, order, 0, 10_000);
          List<RunRecord> every = new ArrayList<>(v.trials().items());
          while (every.size() < v.trials().total()) {
            Page<RunRecord> next = s.sweeps().show(id, order, every.size(), 10_000).trials();
            if (next.items().isEmpty()) {
              break;
            }
            every.addAll(next.items());
          }
          v =
              new SweepView(
                  v.sweep(),
                  v.phase(),
                  v.counts(),
                  v.summary(),
                  new Page<>(every, v.trials().total(), 0, every.size()),
                  v.note());
        } else {
          v = s.sweeps().show(id, order, (page - 1) * pageSize, pageSize);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          ObjectMapper mapper = new ObjectMapper();
          ObjectNode tree = mapper.valueToTree(v);
          out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
        } else {
          print(out, v);
        }
        out.flush();
        return 0;
      }
    }
  }

  /** {@code pici sweep list [--page N]}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the recorded sweeps, newest first.")
  static final class ListSweeps implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--page", defaultValue = "1", description = "page (from 1)")
    int page;

    @Option(names = "--page-size", defaultValue = "50", description = "sweeps per page")
    int pageSize;

    @Override
    public Integer call() throws Exception {
      if (page < 1) {
        throw new IllegalArgumentException("--page must be 1 or more, got " + page);
      }
      try (Session s = Session.open("cli")) {
        PrintWriter out = spec.commandLine().getOut();
        Page<SweepLine> lines = s.sweeps().list((page - 1) * pageSize, pageSize);
        for (SweepLine l : lines.items()) {
          out.printf(
              Locale.ROOT,
              "%-44s %-10s %6d/%-6d completed%s%n",
              l.sweep().id(),
              l.phase(),
              l.counts().get(RunStatus.COMPLETED),
              l.sweep().totalTrials(),
              l.phase() == SweepPhase.LOST ? "  (./pici sweep resume " + l.sweep().id() + ")" : "");
        }
        if (lines.hasNext()) {
          out.printf(Locale.ROOT, "(%d sweeps; --page %d for more)%n", lines.total(), page + 1);
        }
        out.flush();
        return 0;
      }
    }
  }

  /** {@code pici sweep pause ID}. */
  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Starts no new trials; running ones go on.")
  static final class Pause implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "the sweep id")
    String id;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        s.sweeps().pause(id);
        System.err.println(id + ": paused; running trials continue, no new ones start");
        return 0;
      }
    }
  }

  /** {@code pici sweep resume ID [--wait]}. */
  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = {
        "Starts trials again after a pause. A sweep whose workflow is gone (the embedded",
        "server restarted, or it was terminated) carries on from the database: ended trials",
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
        System.err.println(id + ": " + s.sweeps().resume(id));
        if (!waitForEnd) {
          return 0;
        }
        return followToEnd(s, id, spec.commandLine().getOut());
      }
    }
  }

  /** {@code pici sweep cancel ID}. */
  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Stops running trials (each leaves a checkpoint) and skips the rest.")
  static final class Cancel implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "the sweep id")
    String id;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        s.sweeps().cancel(id);
        System.err.println(
            id + ": cancelling: running trials stop after their next batch, leaving checkpoints");
        return 0;
      }
    }
  }
}
