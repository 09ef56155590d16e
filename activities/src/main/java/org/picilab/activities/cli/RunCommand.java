package org.picilab.activities.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pici run}: show, resume and cancel single runs. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Shows, resumes and cancels runs (the trials of sweeps).",
    subcommands = {RunCommand.Show.class, RunCommand.Resume.class, RunCommand.Cancel.class})
final class RunCommand {

  /** {@code pici run show ID [--json]}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Status, stage, epoch, attempts, resumedFromEpoch, scores of a run.")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "the run id")
    String id;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        RunProgress p = s.runs().progress(id);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
          out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(p));
        } else {
          out.printf(Locale.ROOT, "%s  %s%n", p.runId(), p.status());
          out.printf(
              Locale.ROOT,
              "  stage       %s, epoch %d of %d%n",
              p.stage() == null ? "-" : p.stage(),
              p.epoch(),
              p.totalEpochs());
          out.printf(Locale.ROOT, "  losses      %s%n", Format.losses(p.losses()));
          out.printf(
              Locale.ROOT,
              "  speed       %s, ETA %s%n",
              p.imagesPerSecond() > 0
                  ? String.format(Locale.ROOT, "%.0f images/s", p.imagesPerSecond())
                  : "-",
              Format.duration(p.etaSeconds()));
          out.printf(
              Locale.ROOT,
              "  attempts    %d (retries %d%s)%n",
              p.attempts(),
              p.retries(),
              p.resumedFromEpoch() == null ? "" : ", resumed from epoch " + p.resumedFromEpoch());
          out.printf(
              Locale.ROOT,
              "  checkpoint  %s%n",
              p.lastCheckpoint() == null ? "-" : p.lastCheckpoint());
          out.printf(Locale.ROOT, "  worker      %s%n", p.worker() == null ? "-" : p.worker());
          out.printf(
              Locale.ROOT,
              "  tracking    %s%n",
              p.trackingRunId() == null ? "-" : p.trackingRunId());
          out.printf(Locale.ROOT, "  scores      %s%n", Format.scores(p.scores()));
          if (p.error() != null) {
            out.printf(Locale.ROOT, "  note        %s%n", p.error());
          }
        }
        out.flush();
        return 0;
      }
    }
  }

  /** {@code pici run resume ID}. */
  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = {
        "Continues an ended run (failed, cancelled, or lost when the embedded server",
        "restarted) from its newest checkpoint, in the same tracked run."
      })
  static final class Resume implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "the run id")
    String id;

    @Option(names = "--wait", description = "follow the run until it ends")
    boolean waitForEnd;

    @Option(
        names = "--force",
        description = "also run a completed run again (from its newest checkpoint)")
    boolean force;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        s.runs().resume(id, force);
        System.err.println(
            id + ": resumed from its newest checkpoint; follow it with ./pici run show " + id);
        if (waitForEnd) {
          RunProgress end = s.runs().awaitEnd(id).progress();
          spec.commandLine()
              .getOut()
              .println(id + "  " + end.status() + "  " + Format.scores(end.scores()));
          spec.commandLine().getOut().flush();
          return end.status() == RunStatus.COMPLETED ? 0 : 1;
        }
        return 0;
      }
    }
  }

  /** {@code pici run cancel ID}. */
  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description =
          "Stops a run after its current batch; it leaves a checkpoint and can be resumed.")
  static final class Cancel implements Callable<Integer> {
    @Parameters(paramLabel = "ID", description = "the run id")
    String id;

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        s.runs().cancel(id);
        System.err.println(id + ": stopping after the current batch; it will leave a checkpoint");
        return 0;
      }
    }
  }
}
