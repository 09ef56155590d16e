package org.picilab.model.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.picilab.model.metrics.Scores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code pici score}: the four clustering scores of a prediction against the truth. */
@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description = {
      "Scores predicted clusters against true labels: NMI, ACC, ARI and FMI as JSON.",
      "Each file holds one integer label per line, in the same order."
    })
final class ScoreCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--truth", required = true, paramLabel = "FILE", description = "true labels")
  Path truth;

  @Option(names = "--pred", required = true, paramLabel = "FILE", description = "predictions")
  Path pred;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int[] t;
    int[] p;
    try {
      t = read(truth, "--truth");
      p = read(pred, "--pred");
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return PiciCli.EXIT_BAD_INPUT;
    }
    if (t.length != p.length) {
      err.printf(
          Locale.ROOT,
          "error: %s has %d labels but %s has %d; both files need one label per image, in the"
              + " same order%n",
          truth,
          t.length,
          pred,
          p.length);
      return PiciCli.EXIT_BAD_INPUT;
    }
    Scores s = Scores.of(t, p);
    out.printf(
        Locale.ROOT,
        "{\"nmi\":%s,\"acc\":%s,\"ari\":%s,\"fmi\":%s}%n",
        Double.toString(s.nmi()),
        Double.toString(s.acc()),
        Double.toString(s.ari()),
        Double.toString(s.fmi()));
    out.flush();
    return 0;
  }

  /**
   * Reads one integer per line. Blank lines at the end are ignored; anything else that is not an
   * integer is an error naming the file and line.
   */
  static int[] read(Path file, String option) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(option + ": no such file " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e.getMessage());
    }
    int n = lines.size();
    while (n > 0 && lines.get(n - 1).isBlank()) {
      n--;
    }
    if (n == 0) {
      throw new IllegalArgumentException(option + ": " + file + " holds no labels");
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      String s = lines.get(i).trim();
      try {
        out[i] = Integer.parseInt(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            option
                + ": "
                + file
                + " line "
                + (i + 1)
                + ": '"
                + lines.get(i)
                + "' is not an integer label");
      }
    }
    return out;
  }
}
