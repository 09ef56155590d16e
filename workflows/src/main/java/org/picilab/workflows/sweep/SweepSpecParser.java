package org.picilab.workflows.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.picilab.workflows.Execution;

/**
 * Reads a sweep specification from YAML (JSON is valid YAML too) and checks it. Errors are {@link
 * SpecException}s naming the field, e.g. {@code search.space.lr: ...}.
 *
 * <pre>
 * name: digits-quick
 * method: pici
 * dataset: digits            # or a folder path, or shapes:K
 * preset: cpu                # optional, default cpu
 * parameters:                # fixed for every trial (anything `pici train` accepts)
 *   epochs: {pretrain: 5, train: 20, boost: 3}
 *   checkpointEvery: 2
 * search:                    # varied; grid by default, or strategy: random with trials: N
 *   strategy: grid
 *   space:
 *     lr: [1.0e-4, 3.0e-4]
 *     maskRatio: [0.25, 0.5]
 * seeds: [1, 2, 3]
 * maxConcurrent: 2
 * budget: 12                 # optional cap on the number of trials
 * execution: {heartbeatTimeoutSeconds: 30, maxAttempts: 20, keepCheckpoints: 3}
 * </pre>
 */
public final class SweepSpecParser {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> TOP =
      Set.of(
          "name",
          "method",
          "dataset",
          "preset",
          "parameters",
          "search",
          "seeds",
          "maxConcurrent",
          "budget",
          "execution",
          "continueAsNewAfter");
  private static final Set<String> SEARCH = Set.of("strategy", "space", "trials", "seed");
  private static final Set<String> DIMENSION =
      Set.of("min", "max", "step", "log", "count", "integer");
  private static final Set<String> EXECUTION =
      Set.of("heartbeatTimeoutSeconds", "maxAttempts", "keepCheckpoints");

  private SweepSpecParser() {}

  /**
   * Parses and validates a specification.
   *
   * @param text YAML or JSON
   * @return the specification
   * @throws SpecException naming the field at fault
   */
  public static SweepSpec parse(String text) {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new SpecException(
          "spec", "not valid YAML or JSON" + where + ": " + e.getOriginalMessage());
    }
    if (!(root instanceof ObjectNode top)) {
      throw new SpecException("spec", "expected a mapping with name, method, dataset, ...");
    }
    unknown(top, TOP, "");
    String name = text(top, "name", null);
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,40}")) {
      throw new SpecException(
          "name",
          "required: lower-case letters, digits and '-', at most 41 characters (it becomes part"
              + " of the sweep id), got "
              + (name == null ? "nothing" : "'" + name + "'"));
    }
    String method = text(top, "method", "pici");
    if (!method.matches("[a-z][a-z0-9-]*")) {
      throw new SpecException(
          "method", "expected a method name such as pici, got '" + method + "'");
    }
    String dataset = text(top, "dataset", null);
    if (dataset == null || dataset.isBlank()) {
      throw new SpecException(
          "dataset", "required: digits, shapes:K, or a folder path that the workers can read");
    }
    String preset = text(top, "preset", "cpu");
    Map<String, String> parameters = new LinkedHashMap<>();
    JsonNode params = top.get("parameters");
    if (params != null && !params.isNull()) {
      if (!params.isObject()) {
        throw new SpecException("parameters", "expected a mapping of settings");
      }
      flatten(params, "", parameters);
    }

    String strategy = "grid";
    int trials = 0;
    long searchSeed = 0;
    Map<String, Dimension> space = new LinkedHashMap<>();
    JsonNode search = top.get("search");
    if (search != null && !search.isNull()) {
      if (!search.isObject()) {
        throw new SpecException("search", "expected a mapping with strategy and space");
      }
      unknown((ObjectNode) search, SEARCH, "search.");
      strategy = text(search, "strategy", "grid").toLowerCase(Locale.ROOT);
      if (!strategy.equals("grid") && !strategy.equals("random")) {
        throw new SpecException(
            "search.strategy", "must be grid or random, got '" + strategy + "'");
      }
      JsonNode spaceNode = search.get("space");
      if (spaceNode != null && !spaceNode.isNull()) {
        if (!spaceNode.isObject()) {
          throw new SpecException("search.space", "expected a mapping of setting to values");
        }
        Iterator<Map.Entry<String, JsonNode>> it = spaceNode.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          String path = "search.space." + e.getKey();
          if (parameters.containsKey(e.getKey())) {
            throw new SpecException(path, "is also fixed under parameters; keep it in one place");
          }
          space.put(e.getKey(), dimension(e.getValue(), path, strategy));
        }
      }
      if (strategy.equals("random")) {
        trials = integer(search, "trials", 0, "search.trials");
        if (trials < 1) {
          throw new SpecException(
              "search.trials", "random search needs the number of configurations to draw, e.g. 8");
        }
        searchSeed = integer(search, "seed", 0, "search.seed");
      } else if (search.has("trials")) {
        throw new SpecException(
            "search.trials", "applies to random search only; grid search takes every combination");
      }
    }

    List<Long> seeds = new ArrayList<>();
    JsonNode seedsNode = top.get("seeds");
    if (seedsNode == null || seedsNode.isNull()) {
      seeds.add(1L);
    } else if (seedsNode.isIntegralNumber()) {
      seeds.add(seedsNode.asLong());
    } else if (seedsNode.isArray() && !seedsNode.isEmpty()) {
      for (int i = 0; i < seedsNode.size(); i++) {
        JsonNode s = seedsNode.get(i);
        if (!s.isIntegralNumber()) {
          throw new SpecException("seeds[" + i + "]", "expected a whole number, got " + s);
        }
        if (seeds.contains(s.asLong())) {
          throw new SpecException("seeds[" + i + "]", "seed " + s.asLong() + " is listed twice");
        }
        seeds.add(s.asLong());
      }
    } else {
      throw new SpecException("seeds", "expected a list of whole numbers such as [1, 2, 3]");
    }
    int maxConcurrent = integer(top, "maxConcurrent", 1, "maxConcurrent");
    if (maxConcurrent < 1) {
      throw new SpecException("maxConcurrent", "must be at least 1, got " + maxConcurrent);
    }
    if (maxConcurrent > Caps.MAX_CONCURRENT) {
      throw new SpecException(
          "maxConcurrent",
          "must be at most "
              + Caps.MAX_CONCURRENT
              + " (Temporal allows 2000 pending child workflows), got "
              + maxConcurrent);
    }
    int budget = integer(top, "budget", 0, "budget");
    if (budget < 0) {
      throw new SpecException("budget", "must be positive (or left out), got " + budget);
    }
    Execution execution = Execution.DEFAULT;
    JsonNode exec = top.get("execution");
    if (exec != null && !exec.isNull()) {
      if (!exec.isObject()) {
        throw new SpecException("execution", "expected a mapping");
      }
      unknown((ObjectNode) exec, EXECUTION, "execution.");
      execution =
          new Execution(
              integer(
                  exec,
                  "heartbeatTimeoutSeconds",
                  Execution.DEFAULT.heartbeatTimeoutSeconds(),
                  "execution.heartbeatTimeoutSeconds"),
              integer(
                  exec, "maxAttempts", Execution.DEFAULT.maxAttempts(), "execution.maxAttempts"),
              integer(
                  exec,
                  "keepCheckpoints",
                  Execution.DEFAULT.keepCheckpoints(),
                  "execution.keepCheckpoints"));
      try {
        execution.validate();
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        throw new SpecException(
            msg.substring(0, msg.indexOf(' ')), msg.substring(msg.indexOf(' ') + 1));
      }
    }
    int continueAsNewAfter = integer(top, "continueAsNewAfter", 200, "continueAsNewAfter");
    if (continueAsNewAfter < 1) {
      throw new SpecException(
          "continueAsNewAfter", "must be at least 1, got " + continueAsNewAfter);
    }
    SweepSpec spec =
        new SweepSpec(
            name,
            method,
            dataset,
            preset,
            parameters,
            strategy,
            trials,
            searchSeed,
            space,
            List.copyOf(seeds),
            maxConcurrent,
            budget,
            execution,
            continueAsNewAfter);
    Caps.check(spec);
    if (SearchSpace.count(spec) == 0) {
      throw new SpecException("search", "the search space is empty");
    }
    return spec;
  }

  private static Dimension dimension(JsonNode node, String path, String strategy) {
    if (node.isArray()) {
      if (node.isEmpty()) {
        throw new SpecException(path, "an empty list gives no values");
      }
      List<String> values = new ArrayList<>();
      for (JsonNode v : node) {
        if (!v.isValueNode()) {
          throw new SpecException(path, "list values must be numbers, words or booleans");
        }
        values.add(scalar(v));
      }
      return new Dimension(List.copyOf(values), null, null, null, false, null, false);
    }
    if (node.isValueNode()) {
      return new Dimension(List.of(scalar(node)), null, null, null, false, null, false);
    }
    unknown((ObjectNode) node, DIMENSION, path + ".");
    Double min = number(node, "min", path);
    Double max = number(node, "max", path);
    if (min == null || max == null) {
      throw new SpecException(
          path, "give a list [a, b], or {min, max} with step, or {min, max, log: true}");
    }
    if (!(min <= max)) {
      throw new SpecException(path + ".min", "must not exceed max (" + min + " > " + max + ")");
    }
    Double step = number(node, "step", path);
    boolean log = node.path("log").asBoolean(false);
    boolean integer = node.path("integer").asBoolean(false);
    Integer count = node.has("count") ? integer(node, "count", 0, path + ".count") : null;
    if (step != null && !(step > 0)) {
      throw new SpecException(path + ".step", "must be positive, got " + step);
    }
    if (step != null && log) {
      throw new SpecException(path, "use either step (a range) or log: true (log-uniform)");
    }
    if (log && !(min > 0)) {
      throw new SpecException(path + ".min", "a log-uniform interval needs min > 0, got " + min);
    }
    if (count != null && count < 1) {
      throw new SpecException(path + ".count", "must be at least 1, got " + count);
    }
    if (count != null && !log) {
      throw new SpecException(
          path + ".count", "applies to log: true intervals; use step for a range");
    }
    Dimension d = new Dimension(null, min, max, step, log, count, integer);
    if (strategy.equals("grid") && !d.discrete()) {
      throw new SpecException(
          path,
          "grid search needs discrete values: a list, a step, or count: N for a log interval"
              + " (or use strategy: random)");
    }
    return d;
  }

  private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(v, key + ".", out);
      } else if (v.isValueNode()) {
        out.put(key, scalar(v));
      } else {
        throw new SpecException(
            "parameters." + key, "lists are not settings; use search.space to vary");
      }
    }
  }

  private static String scalar(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.asText();
    }
    if (v.isNumber()) {
      return SearchSpace.format(v.asDouble(), false);
    }
    return v.asText();
  }

  private static void unknown(ObjectNode node, Set<String> known, String prefix) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!known.contains(n)) {
        throw new SpecException(
            prefix + n, "unknown field; expected one of " + new java.util.TreeSet<>(known));
      }
    }
  }

  private static String text(JsonNode node, String field, String fallback) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isValueNode()) {
      throw new SpecException(field, "expected a single value");
    }
    return v.asText();
  }

  private static int integer(JsonNode node, String field, int fallback, String path) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new SpecException(path, "expected a whole number, got " + v);
    }
    return v.asInt();
  }

  private static Double number(JsonNode node, String field, String path) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw new SpecException(path + "." + field, "expected a number, got " + v);
    }
    return v.asDouble();
  }
}
