package org.picilab.activities.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.picilab.platform.control.LiveProgress;
import org.picilab.workflows.EpochProgress;
import org.picilab.workflows.ExperimentWorkflow;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.TaskQueues;
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

  /**
   * Where a run stands: its workflow's answer, with the live progress of its training activity laid
   * over it, when the workflow exists on this server, else the registry's last record, marked LOST
   * if it was still running when its workflow disappeared.
   */
  static RunProgress progress(Session s, String id) throws IOException {
    WorkflowClient client = s.platform().client();
    try {
      WorkflowStub stub = client.newUntypedWorkflowStub(id);
      WorkflowExecutionStatus status = stub.describe().getWorkflowExecutionInfo().getStatus();
      // The workflow knows the last stage boundary; the training activity's heartbeat, the rest.
      RunProgress p =
          LiveProgress.overlay(
              client, id, client.newWorkflowStub(ExperimentWorkflow.class, id).progress());
      if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED
          || status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT) {
        return withStatus(
            p,
            RunStatus.FAILED,
            "the workflow was "
                + status
                    .name()
                    .substring("WORKFLOW_EXECUTION_STATUS_".length())
                    .toLowerCase(Locale.ROOT));
      }
      return p;
    } catch (WorkflowException | io.grpc.StatusRuntimeException notOnThisServer) {
      Optional<RunProgress> recorded = s.registry().status(id);
      if (recorded.isEmpty()) {
        throw new IllegalArgumentException("no run " + id + " on this platform");
      }
      RunProgress p = recorded.get();
      Optional<EpochProgress> last = s.registry().progress(id);
      if (last.isPresent() && last.get().epoch() >= p.epoch()) {
        EpochProgress e = last.get();
        p =
            new RunProgress(
                p.runId(),
                p.status(),
                e.stage(),
                e.epoch(),
                e.totalEpochs(),
                e.losses(),
                e.imagesPerSecond(),
                e.etaSeconds(),
                Math.max(p.attempts(), e.attempt()),
                p.retries(),
                e.checkpointKey(),
                p.resumedFromEpoch(),
                e.worker(),
                p.scores(),
                p.error(),
                p.trackingRunId());
      }
      if (!p.status().ended()) {
        return withStatus(
            p,
            RunStatus.LOST,
            "its workflow is gone (the server restarted while it ran); continue it with ./pici run resume "
                + id);
      }
      return p;
    }
  }

  private static RunProgress withStatus(RunProgress p, RunStatus status, String error) {
    return new RunProgress(
        p.runId(),
        status,
        p.stage(),
        p.epoch(),
        p.totalEpochs(),
        p.losses(),
        p.imagesPerSecond(),
        p.etaSeconds(),
        p.attempts(),
        p.retries(),
        p.lastCheckpoint(),
        p.resumedFromEpoch(),
        p.worker(),
        p.scores(),
        p.error() != null ? p.error() : error,
        p.trackingRunId());
  }

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
        RunProgress p = progress(s, id);
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

    @Override
    public Integer call() throws Exception {
      try (Session s = Session.open("cli")) {
        WorkflowClient client = s.platform().client();
        if (s.execution(id)
            .filter(x -> x == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)
            .isPresent()) {
          throw new IllegalArgumentException(id + " is still running; nothing to resume");
        }
        // Ended, or not known to this server (it restarted): the registry has the request.
        RunRequest request =
            s.registry()
                .request(id)
                .orElseThrow(
                    () -> new IllegalArgumentException("no run " + id + " in the registry"));
        ExperimentWorkflow wf =
            client.newWorkflowStub(
                ExperimentWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(id)
                    .setTaskQueue(TaskQueues.WORKFLOWS)
                    .build());
        WorkflowClient.start(wf::run, request);
        System.err.println(
            id + ": resumed from its newest checkpoint; follow it with ./pici run show " + id);
        if (waitForEnd) {
          RunProgress end =
              WorkflowStub.fromTyped(wf)
                  .getResult(org.picilab.workflows.RunOutcome.class)
                  .progress();
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
        try {
          s.platform()
              .client()
              .newWorkflowStub(ExperimentWorkflow.class, id)
              .stop("cancelled from the command line");
        } catch (WorkflowException e) {
          throw new IllegalArgumentException(id + " is not running: " + e.getMessage());
        }
        System.err.println(id + ": stopping after the current batch; it will leave a checkpoint");
        return 0;
      }
    }
  }
}
