package org.picilab.model.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.local.RunDirectory;
import org.picilab.model.train.Stage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pici compare}: a table of finished runs, grouped by configuration, with the mean and
 * standard deviation of each score over the group's seeds.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Summarises finished runs: runs with the same method and configuration (seeds aside) form",
      "one row with the mean and sample standard deviation of NMI, ACC, ARI and FMI, and the mean",
      "wall time. Rows for the end of each stage follow the final row. Unfinished runs are listed",
      "as such."
    })
final class CompareCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "run directories")
  List<Path> runs;

  @Option(names = "--json", description = "print JSON instead of a table")
  boolean json;

  @Option(
      names = "--no-stages",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "include rows for the end of each stage (default: yes)")
  boolean stages;

  private static final String[] SCORES = {"nmi", "acc", "ari", "fmi"};

  /** One row of the table. */
  private static final class Group {
    final String name;
    final List<JsonNode> scores = new ArrayList<>();
    final List<Double> minutes = new ArrayList<>();
    final List<String> dirs = new ArrayList<>();

    Group(String name) {
      this.name = name;
    }
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper mapper = new ObjectMapper();
    Map<String, Group> groups = new LinkedHashMap<>();
    List<String> unfinished = new ArrayList<>();
    for (Path dir : runs) {
      Path file = dir.resolve("result.json");
      if (!Files.isRegularFile(file)) {
        if (Files.isRegularFile(dir.resolve("run.json"))) {
          unfinished.add(dir.toString());
          continue;
        }
        throw new IllegalArgumentException(dir + " is not a run directory (no result.json)");
      }
      JsonNode r = mapper.readTree(file.toFile());
      String name = dir.getFileName().toString().replaceAll("-seed-?\\d+$", "");
      String key =
          r.path("method").asText()
              + "|"
              + r.path("dataset").asText()
              + "|"
              + r.path("numClusters").asText()
              + "|"
              + configWithoutSeed(dir);
      Group g = groups.computeIfAbsent(key, k -> new Group(name));
      g.scores.add(r.get("scores"));
      g.minutes.add(r.path("wallSeconds").asDouble() / 60);
      g.dirs.add(dir.toString());
      if (stages && r.has("stageScores")) {
        // The final row already holds the last stage; list the earlier ones in training order.
        for (Stage stage : Stage.values()) {
          JsonNode at = r.get("stageScores").get(stage.optionName());
          if (at == null || stage == lastStage(r)) {
            continue;
          }
          String stageName =
              name + " @ end of " + stage.optionName() + " (" + at.path("readout").asText() + ")";
          Group s = groups.computeIfAbsent(key + "|" + stage, k -> new Group(stageName));
          s.scores.add(at.get("scores"));
          s.dirs.add(dir.toString());
        }
      }
    }
    if (json) {
      ArrayNode rows = mapper.createArrayNode();
      for (Group g : groups.values()) {
        ObjectNode row = rows.addObject();
        row.put("name", g.name);
        row.put("runs", g.dirs.size());
        for (String s : SCORES) {
          double[] v = values(g, s);
          if (v.length > 0) {
            row.put(s + "Mean", mean(v));
            row.put(s + "Std", std(v));
          }
        }
        if (!g.minutes.isEmpty()) {
          row.put("minutesMean", mean(g.minutes.stream().mapToDouble(d -> d).toArray()));
        }
      }
      out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
    } else {
      int width = 24;
      for (Group g : groups.values()) {
        width = Math.max(width, g.name.length() + 2);
      }
      out.printf(
          Locale.ROOT,
          "%-" + width + "s %4s  %-15s %-15s %-15s %-15s %7s%n",
          "run",
          "n",
          "NMI",
          "ACC",
          "ARI",
          "FMI",
          "minutes");
      for (Group g : groups.values()) {
        StringBuilder line =
            new StringBuilder(
                String.format(Locale.ROOT, "%-" + width + "s %4d ", g.name, g.dirs.size()));
        for (String s : SCORES) {
          double[] v = values(g, s);
          line.append(' ')
              .append(
                  String.format(
                      Locale.ROOT,
                      "%-15s",
                      v.length == 0
                          ? "-"
                          : v.length == 1
                              ? String.format(Locale.ROOT, "%.3f", v[0])
                              : String.format(Locale.ROOT, "%.3f ± %.3f", mean(v), std(v))));
        }
        line.append(
            g.minutes.isEmpty()
                ? String.format(Locale.ROOT, " %7s", "")
                : String.format(
                    Locale.ROOT, " %7.1f", mean(g.minutes.stream().mapToDouble(d -> d).toArray())));
        out.println(line.toString().stripTrailing());
      }
      for (String u : unfinished) {
        out.println("unfinished: " + u + " (continue it with ./pici train --resume " + u + ")");
      }
    }
    out.flush();
    return 0;
  }

  /** The configuration's fingerprint with the seed set aside, or "" for a baseline. */
  private static String configWithoutSeed(Path dir) throws IOException {
    RunDirectory.RunSpec spec = RunDirectory.open(dir).spec();
    return spec.config() == null ? "" : ConfigLoader.fingerprint(spec.config().withSeed(0));
  }

  private static Stage lastStage(JsonNode result) {
    JsonNode e = result.path("epochs");
    if (e.path("boost").asInt() > 0) {
      return Stage.BOOST;
    }
    return e.path("train").asInt() > 0 ? Stage.TRAIN : Stage.PRETRAIN;
  }

  private static double[] values(Group g, String score) {
    List<Double> v = new ArrayList<>();
    for (JsonNode s : g.scores) {
      if (s != null && !s.isNull() && s.has(score)) {
        v.add(s.get(score).asDouble());
      }
    }
    return v.stream().mapToDouble(d -> d).toArray();
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  /** Sample standard deviation (n - 1); 0 for a single value. */
  static double std(double[] v) {
    if (v.length < 2) {
      return 0;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }
}
