package org.picilab.activities.cli;

import org.picilab.activities.bench.BenchSweepCommand;
import org.picilab.model.cli.PiciCli;
import picocli.CommandLine;

/** The full {@code pici} command line: the model's commands and the platform's. */
public final class Main {

  private Main() {}

  /**
   * The command line with every subcommand, also used by tests.
   *
   * @return the command line
   */
  public static CommandLine commandLine() {
    CommandLine cl = PiciCli.commandLine();
    cl.addSubcommand("up", new UpCommand());
    cl.addSubcommand("worker", new WorkerCommand());
    cl.addSubcommand("sweep", new SweepCommand());
    cl.addSubcommand("run", new RunCommand());
    cl.getSubcommands().get("bench").addSubcommand("sweep", new BenchSweepCommand());
    return cl;
  }

  /**
   * Runs {@code pici}.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    PiciCli.run(commandLine(), args);
  }
}
