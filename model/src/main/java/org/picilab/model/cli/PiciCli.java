package org.picilab.model.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import org.picilab.model.config.ConfigException;
import org.picilab.model.data.DataException;
import org.picilab.model.train.DivergenceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pici} command. */
@Command(
    name = "pici",
    mixinStandardHelpOptions = true,
    versionProvider = PiciCli.Version.class,
    description = "PICI Lab: deep image clustering with PICI and its relatives.",
    subcommands = {
      TrainCommand.class,
      KMeansCommand.class,
      ScoreCommand.class,
      BenchCommand.class,
      CompareCommand.class,
      CommandLine.HelpCommand.class
    })
public final class PiciCli {

  /** Exit code for bad input: usage, configuration or data errors. */
  public static final int EXIT_BAD_INPUT = 2;

  /** Exit code when training diverged. */
  public static final int EXIT_DIVERGED = 3;

  /** Exit code when interrupted (as a shell reports SIGINT). */
  public static final int EXIT_INTERRUPTED = 130;

  /** Set while the JVM runs its shutdown hooks, when System.exit must not be called. */
  static final AtomicBoolean SHUTTING_DOWN = new AtomicBoolean();

  private PiciCli() {}

  /**
   * Runs the command line.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    run(commandLine(), args);
  }

  /**
   * Configures the process, runs a command line and exits with its code. Other modules use it to
   * run the same command line with more subcommands.
   *
   * @param commandLine the command line, e.g. {@link #commandLine()} with more subcommands
   * @param args the arguments
   */
  public static void run(CommandLine commandLine, String[] args) {
    ProcessSettings.configure();
    int code = commandLine.execute(args);
    if (!SHUTTING_DOWN.get()) {
      System.exit(code);
    }
  }

  /**
   * Marks that the JVM is shutting down (a shutdown hook runs), when {@code System.exit} must not
   * be called.
   */
  public static void shuttingDown() {
    SHUTTING_DOWN.set(true);
  }

  /**
   * The configured picocli command line, also used by tests.
   *
   * @return a new command line
   */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PiciCli());
    cl.setExecutionExceptionHandler(PiciCli::handle);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof ConfigException || e instanceof DataException) {
      err.println("error: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    if (e instanceof IllegalArgumentException) {
      err.println("error: " + e.getMessage());
      return EXIT_BAD_INPUT;
    }
    if (e instanceof DivergenceException) {
      err.println("error: " + e.getMessage());
      return EXIT_DIVERGED;
    }
    err.println("error: " + e);
    e.printStackTrace(err);
    return 1;
  }

  /** Prints the project version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = PiciCli.class.getPackage().getImplementationVersion();
      return new String[] {"pici " + (v == null ? "(development build)" : v)};
    }
  }
}
