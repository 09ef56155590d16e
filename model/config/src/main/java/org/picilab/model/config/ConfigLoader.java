package org.picilab.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a {@link RunConfig} from a preset, an optional YAML or JSON file and {@code key=value}
 * overrides, in that order of precedence (later wins). Keys are the record's component names;
 * nested values use dots ({@code epochs.train=20}, {@code augment.rotationDegrees=15}).
 *
 * <p>A file may name its own base with a {@code preset} key. Unknown keys are errors, with the
 * closest valid key suggested, so a typo never silently falls back to a default.
 */
public final class ConfigLoader {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Settings that change how a run is recorded, not what it computes. */
  private static final List<String> NOT_HASHED = List.of("checkpointEvery", "evalBatchSize");

  /**
   * The value each setting is compared with by {@link #fingerprint}, which leaves out the settings
   * equal to theirs, and the value a setting takes when a stored configuration (a checkpoint's
   * header) was written before the setting existed. These are the values of the {@code cpu} preset
   * when fingerprints were introduced, frozen here on purpose: presets may change, these may not.
   *
   * <p>A new setting is added here with the value that makes the code compute what it computed
   * before the setting existed (the compiler asks for one). Then a checkpoint written before it
   * resumes, and its fingerprint, like that of every configuration that keeps the value, stays the
   * same. Changing a value already here would change the fingerprint of every configuration that
   * has it.
   */
  private static final RunConfig FINGERPRINT_BASE =
      new RunConfig(
          "pici",
          16,
          4,
          192,
          4,
          3,
          4.0,
          128,
          2,
          4,
          Positions.SINCOS,
          0.25,
          0.0,
          128,
          0,
          0.5,
          1.0,
          64,
          3e-4,
          2.0,
          0.0,
          new Epochs(5, 50, 8),
          1.0,
          CliLossKind.PROBS,
          PseudoLabelPolicy.ONCE,
          100,
          ViewPolicy.SAME,
          new AugmentationSpec(
              AugmentationSpec.Mode.WARP,
              0.7,
              1.0,
              0.8,
              1.25,
              10,
              0.1,
              0,
              0,
              0,
              0,
              0,
              0,
              0,
              0,
              0.1,
              2.0,
              0.1,
              0),
          NormalizationKind.DATASET,
          Prediction.HEAD,
          256,
          1,
          1);

  private ConfigLoader() {}

  /**
   * The JSON mapper used for configurations (sorted keys, strict on unknown keys).
   *
   * @return the shared mapper
   */
  public static ObjectMapper mapper() {
    return JSON;
  }

  /**
   * Loads a configuration.
   *
   * @param preset the preset name, or null for the file's preset or else {@code cpu}
   * @param file a YAML or JSON file, or null
   * @param overrides dotted keys to values, applied last, in order
   * @return a validated configuration
   * @throws ConfigException naming the key or file at fault
   */
  public static RunConfig load(String preset, Path file, Map<String, String> overrides) {
    ObjectNode fileTree = file == null ? null : readObject(file);
    String base = preset;
    if (base == null && fileTree != null && fileTree.has("preset")) {
      base = fileTree.get("preset").asText();
    }
    if (fileTree != null) {
      fileTree.remove("preset");
    }
    ObjectNode tree = presetTree(base == null ? "cpu" : base);
    if (fileTree != null) {
      merge(tree, fileTree, "", file.toString());
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      set(tree, e.getKey(), parseScalar(e.getKey(), e.getValue()));
    }
    return convert(tree, file == null ? "setting" : file.toString());
  }

  /**
   * Reads a configuration saved with {@link #toJson}, validating it.
   *
   * @param json the JSON text
   * @param source where it came from, for messages
   * @return the configuration
   */
  public static RunConfig fromJson(String json, String source) {
    try {
      JsonNode node = JSON.readTree(json);
      if (!(node instanceof ObjectNode object)) {
        throw new ConfigException(source, "expected a JSON object");
      }
      return convert(object, source);
    } catch (JsonProcessingException e) {
      throw new ConfigException(source, "not valid JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * Applies dotted-key overrides to an existing configuration.
   *
   * @param config the base
   * @param overrides keys to values (YAML scalars or flow collections)
   * @return the new, validated configuration
   */
  public static RunConfig override(RunConfig config, Map<String, String> overrides) {
    ObjectNode tree = JSON.valueToTree(config);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      set(tree, e.getKey(), parseScalar(e.getKey(), e.getValue()));
    }
    return convert(tree, "setting");
  }

  /**
   * Serialises a configuration with sorted keys.
   *
   * @param config the configuration
   * @return pretty JSON
   */
  public static String toJson(RunConfig config) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the configuration", e);
    }
  }

  /**
   * A fingerprint of everything in the configuration that affects the numbers a run computes; a
   * checkpoint records it so that resuming with a different configuration is refused.
   *
   * <p>Settings that only change the bookkeeping (how often checkpoints are written, the evaluation
   * batch) are left out, and so is every setting equal to its value in {@link #FINGERPRINT_BASE}.
   * So adding a setting whose default keeps today's computation changes no fingerprint: checkpoints
   * written before it still resume, and results stay comparable.
   *
   * @param config the configuration
   * @return 16 hex digits of a SHA-256
   */
  public static String fingerprint(RunConfig config) {
    ObjectNode tree = JSON.valueToTree(config);
    NOT_HASHED.forEach(tree::remove);
    elide(tree, JSON.valueToTree(FINGERPRINT_BASE));
    return hash(tree);
  }

  /**
   * Whether a fingerprint belongs to a stored configuration, by today's formula or by the one
   * before defaults were left out (which hashed every setting but the bookkeeping ones). A
   * checkpoint header records the fingerprint of the code that wrote it; both are accepted, so
   * checkpoints written before this formula still resume.
   *
   * @param fingerprint the recorded fingerprint
   * @param stored the configuration as stored, before {@link #fromStored} filled anything in
   * @return true when either formula gives the fingerprint
   */
  public static boolean isFingerprintOf(String fingerprint, JsonNode stored) {
    if (fingerprint == null || !(stored instanceof ObjectNode object)) {
      return false;
    }
    if (fingerprint.equals(fingerprint(fromStored(object, "stored configuration")))) {
      return true;
    }
    // The earlier formula: the configuration as it was written, bookkeeping settings removed.
    ObjectNode legacy = object.deepCopy();
    NOT_HASHED.forEach(legacy::remove);
    return fingerprint.equals(hash(legacy));
  }

  /**
   * Reads a configuration that an earlier version may have stored: a setting it lacks (added since)
   * takes its value from {@link #FINGERPRINT_BASE}, the value that computes what the code computed
   * before the setting existed. A setting this version does not know (written by a newer one) is an
   * error.
   *
   * @param stored the stored configuration
   * @param source where it came from, for messages
   * @return the validated configuration
   * @throws ConfigException naming the setting at fault
   */
  public static RunConfig fromStored(JsonNode stored, String source) {
    if (!(stored instanceof ObjectNode object)) {
      throw new ConfigException(source, "expected a JSON object");
    }
    ObjectNode tree = JSON.valueToTree(FINGERPRINT_BASE);
    merge(tree, object, "", source);
    return convert(tree, source);
  }

  /** Removes from {@code tree} every field equal to the same field of {@code base}, recursively. */
  private static void elide(ObjectNode tree, JsonNode base) {
    Iterator<Map.Entry<String, JsonNode>> fields = tree.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode b = base.get(f.getKey());
      if (b == null) {
        continue;
      }
      if (f.getValue().equals(b)) {
        fields.remove();
      } else if (f.getValue() instanceof ObjectNode child && b.isObject()) {
        // Partly equal: the differing fields stay, under the same key, so no two configurations
        // share a hashed form.
        elide(child, b);
      }
    }
  }

  private static String hash(ObjectNode tree) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(JSON.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The settings that differ between two configurations, for error messages.
   *
   * @param a one configuration
   * @param b the other
   * @return dotted keys whose values differ, with both values
   */
  public static List<String> differences(RunConfig a, RunConfig b) {
    List<String> out = new ArrayList<>();
    diff(JSON.valueToTree(a), JSON.valueToTree(b), "", out);
    return out;
  }

  static RunConfig with(RunConfig config, String key, Object value) {
    ObjectNode tree = JSON.valueToTree(config);
    tree.set(key, JSON.valueToTree(value));
    return convert(tree, "setting");
  }

  private static void diff(JsonNode a, JsonNode b, String prefix, List<String> out) {
    if (a.isObject() && b.isObject()) {
      Iterator<String> names = a.fieldNames();
      while (names.hasNext()) {
        String n = names.next();
        diff(a.get(n), b.path(n), prefix + n + ".", out);
      }
    } else if (!a.equals(b)) {
      String key = prefix.substring(0, prefix.length() - 1);
      out.add(key + " (" + a + " vs " + b + ")");
    }
  }

  private static ObjectNode presetTree(String name) {
    Preset preset;
    try {
      preset = Preset.parse(name);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("preset", e.getMessage());
    }
    return JSON.valueToTree(preset.config());
  }

  private static ObjectNode readObject(Path file) {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    ObjectMapper reader = name.endsWith(".json") ? JSON : YAML;
    try {
      JsonNode node = reader.readTree(Files.readString(file, StandardCharsets.UTF_8));
      if (node == null || node.isMissingNode() || node.isNull()) {
        throw new ConfigException(
            file.toString(), "the file is empty; write settings as key: value");
      }
      if (!(node instanceof ObjectNode object)) {
        throw new ConfigException(
            file.toString(), "expected a mapping of settings (key: value) at the top level");
      }
      return object;
    } catch (NoSuchFileException e) {
      throw new ConfigException(file.toString(), "no such file");
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          file.toString(),
          "cannot parse it: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "cannot read it: " + e.getMessage());
    }
  }

  private static void merge(ObjectNode target, ObjectNode source, String prefix, String origin) {
    Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      String key = f.getKey();
      JsonNode existing = target.get(key);
      if (existing == null) {
        throw unknown(target, key, prefix, origin);
      }
      if (existing.isObject() && f.getValue().isObject()) {
        merge((ObjectNode) existing, (ObjectNode) f.getValue(), prefix + key + ".", origin);
      } else {
        target.set(key, f.getValue());
      }
    }
  }

  private static void set(ObjectNode tree, String dotted, JsonNode value) {
    String[] parts = dotted.split("\\.");
    ObjectNode node = tree;
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null) {
        throw unknown(node, parts[i], prefix.toString(), "setting");
      }
      if (!(child instanceof ObjectNode object)) {
        throw new ConfigException(
            prefix + parts[i], "is a single value; it has no setting '" + parts[i + 1] + "'");
      }
      prefix.append(parts[i]).append('.');
      node = object;
    }
    String leaf = parts[parts.length - 1];
    if (!node.has(leaf)) {
      throw unknown(node, leaf, prefix.toString(), "setting");
    }
    if (node.get(leaf).isObject() && value.isObject()) {
      merge((ObjectNode) node.get(leaf), (ObjectNode) value, prefix + leaf + ".", "setting");
    } else {
      node.set(leaf, value);
    }
  }

  private static JsonNode parseScalar(String key, String text) {
    try {
      JsonNode node = YAML.readTree(text);
      return node == null || node.isMissingNode() ? JSON.getNodeFactory().textNode("") : node;
    } catch (JsonProcessingException e) {
      throw new ConfigException(key, "cannot parse the value '" + text + "'");
    }
  }

  private static RunConfig convert(ObjectNode tree, String origin) {
    try {
      return JSON.treeToValue(tree, RunConfig.class).validate();
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(
          path(e), "unknown setting in " + origin + "; valid here: " + e.getKnownPropertyIds());
    } catch (JsonMappingException e) {
      String cause =
          e.getCause() instanceof IllegalArgumentException iae && iae.getMessage() != null
              ? iae.getMessage()
              : e.getOriginalMessage();
      throw new ConfigException(path(e), "invalid value in " + origin + ": " + firstLine(cause));
    } catch (JsonProcessingException e) {
      throw new ConfigException(origin, firstLine(e.getOriginalMessage()));
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static ConfigException unknown(
      ObjectNode node, String key, String prefix, String origin) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    String suggestion =
        names.stream()
            .min(Comparator.comparingInt(n -> editDistance(n.toLowerCase(), key.toLowerCase())))
            .filter(n -> editDistance(n.toLowerCase(), key.toLowerCase()) <= 3)
            .map(n -> " Did you mean '" + prefix + n + "'?")
            .orElse("");
    return new ConfigException(
        prefix + key,
        "unknown setting in "
            + origin
            + "."
            + suggestion
            + " Valid here: "
            + String.join(", ", names));
  }

  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
