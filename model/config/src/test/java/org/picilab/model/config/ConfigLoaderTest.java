package org.picilab.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Presets, files, overrides and the errors people see. */
class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void everyPresetIsValidAndTheCpuPresetMatchesMethodMd() {
    for (Preset p : Preset.values()) {
      p.config().validate();
    }
    RunConfig cpu = ConfigLoader.load(null, null, Map.of());
    assertEquals(16, cpu.imageSize());
    assertEquals(4, cpu.patchSize());
    assertEquals(192, cpu.dim());
    assertEquals(4, cpu.depth());
    assertEquals(0.25, cpu.maskRatio());
    assertEquals(new Epochs(5, 50, 8), cpu.epochs());
    assertEquals(3e-4, cpu.lr());
    assertEquals(ViewPolicy.SAME, cpu.views());
    assertEquals(AugmentationSpec.mildWarp(), cpu.augment());
    RunConfig paper = ConfigLoader.load("paper", null, Map.of());
    assertEquals(384, paper.dim());
    assertEquals(96, paper.batchSize());
    assertEquals(new Epochs(200, 800, 50), paper.epochs());
    assertEquals(ViewPolicy.PAPER, paper.views());
  }

  @Test
  void fileThenOverridesWinInThatOrder() throws IOException {
    Path yaml = dir.resolve("run.yaml");
    Files.writeString(
        yaml,
        "preset: paper\n"
            + "lr: 2.0e-4\n"
            + "epochs: {train: 7}\n"
            + "positions: learned\n"
            + "cliLoss: double-softmax\n"
            + "augment:\n  rotationDegrees: 0\n");
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("epochs.boost", "3");
    overrides.put("lr", "5e-4");
    RunConfig c = ConfigLoader.load(null, yaml, overrides);
    assertEquals(384, c.dim(), "the file's preset is the base");
    assertEquals(5e-4, c.lr(), "overrides beat the file");
    assertEquals(new Epochs(200, 7, 3), c.epochs(), "nested keys merge, not replace");
    assertEquals(Positions.LEARNED, c.positions());
    assertEquals(CliLossKind.DOUBLE_SOFTMAX, c.cliLoss());
    RunConfig explicit = ConfigLoader.load("cpu", yaml, Map.of());
    assertEquals(192, explicit.dim(), "an explicit --preset beats the file's");
  }

  @Test
  void jsonFilesWork() throws IOException {
    Path json = dir.resolve("run.json");
    Files.writeString(json, "{\"batchSize\": 32, \"seed\": 9}");
    RunConfig c = ConfigLoader.load("tiny", json, Map.of());
    assertEquals(32, c.batchSize());
    assertEquals(9, c.seed());
  }

  @Test
  void unknownKeysAreRejectedWithASuggestion() throws IOException {
    Path yaml = dir.resolve("typo.yaml");
    Files.writeString(yaml, "learningRate: 0.1\nmaskRatoi: 0.5\n");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, yaml, Map.of()));
    assertEquals("learningRate", e.field());
    ConfigException e2 =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(null, null, Map.of("maskRatoi", "0.5")));
    assertTrue(e2.getMessage().contains("Did you mean 'maskRatio'"), e2.getMessage());
    ConfigException e3 =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, null, Map.of("epochs.boots", "2")));
    assertEquals("epochs.boots", e3.field());
    assertTrue(e3.getMessage().contains("epochs.boost"), e3.getMessage());
  }

  @Test
  void badValuesNameTheField() {
    ConfigException type =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(null, null, Map.of("batchSize", "big")));
    assertEquals("batchSize", type.field());
    ConfigException enumValue =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(null, null, Map.of("views", "both")));
    assertEquals("views", enumValue.field());
    assertTrue(enumValue.getMessage().contains("paper, byol, same"), enumValue.getMessage());
    ConfigException range =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(null, null, Map.of("maskRatio", "1.0")));
    assertEquals("maskRatio", range.field());
    ConfigException divides =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(null, null, Map.of("patchSize", "5")));
    assertEquals("patchSize", divides.field());
    ConfigException head =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, null, Map.of("epochs.train", "0", "epochs.boost", "0")));
    assertEquals("predict", head.field());
    ConfigException augment =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(null, null, Map.of("augment.hue", "0.9")));
    assertTrue(augment.getMessage().contains("hue"), augment.getMessage());
    assertThrows(ConfigException.class, () -> ConfigLoader.load("laptop", null, Map.of()));
    assertThrows(ConfigException.class, () -> Epochs.parse("5,50"));
    assertThrows(ConfigException.class, () -> Epochs.parse("5,x,8"));
  }

  @Test
  void missingOrEmptyFilesAreNamed() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.load(null, missing, Map.of()));
    assertTrue(e.getMessage().contains("nope.yaml"));
    Path list = dir.resolve("list.yaml");
    Files.writeString(list, "- 1\n- 2\n");
    assertThrows(ConfigException.class, () -> ConfigLoader.load(null, list, Map.of()));
  }

  @Test
  void fingerprintFollowsTheMathNotTheBookkeeping() {
    RunConfig base = ConfigLoader.load(null, null, Map.of());
    RunConfig sameMath = ConfigLoader.load(null, null, Map.of("checkpointEvery", "7"));
    RunConfig otherLr = ConfigLoader.load(null, null, Map.of("lr", "1e-4"));
    assertEquals(ConfigLoader.fingerprint(base), ConfigLoader.fingerprint(sameMath));
    assertNotEquals(ConfigLoader.fingerprint(base), ConfigLoader.fingerprint(otherLr));
    RunConfig roundTrip = ConfigLoader.fromJson(ConfigLoader.toJson(otherLr), "test");
    assertEquals(otherLr, roundTrip);
    assertEquals(1, ConfigLoader.differences(base, otherLr).size());
    assertTrue(ConfigLoader.differences(base, otherLr).get(0).startsWith("lr"));
  }
}
