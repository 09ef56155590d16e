package org.picilab.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fingerprint hashes only the settings away from their defaults, and reads older forms. */
class FingerprintTest {

  private static ObjectNode tree(String json) throws Exception {
    return (ObjectNode) ConfigLoader.mapper().readTree(json);
  }

  private static String sha16(String text) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(d, 0, 8);
  }

  @Test
  void onlySettingsAwayFromTheirDefaultsAreHashed() throws Exception {
    // Everything but lr (and a bookkeeping setting) is filled in from the defaults.
    RunConfig c = ConfigLoader.fromStored(tree("{\"lr\":0.5,\"checkpointEvery\":3}"), "test");
    assertEquals(0.5, c.lr());
    assertEquals(sha16("{\"lr\":0.5}"), ConfigLoader.fingerprint(c));
    // A nested setting keeps its path; the other fields of its group are left out.
    RunConfig e = ConfigLoader.fromStored(tree("{\"epochs\":{\"boost\":3}}"), "test");
    assertEquals(sha16("{\"epochs\":{\"boost\":3}}"), ConfigLoader.fingerprint(e));
    assertEquals(sha16("{}"), ConfigLoader.fingerprint(ConfigLoader.fromStored(tree("{}"), "t")));
  }

  @Test
  void bothTheCurrentAndTheEarlierFormulaAreAccepted() throws Exception {
    RunConfig paper = ConfigLoader.load("paper", null, Map.of());
    ObjectNode stored = ConfigLoader.mapper().valueToTree(paper);
    ObjectNode legacy = stored.deepCopy();
    legacy.remove("checkpointEvery");
    legacy.remove("evalBatchSize");
    String earlier = sha16(legacy.toString());
    assertNotEquals(earlier, ConfigLoader.fingerprint(paper));
    assertTrue(ConfigLoader.isFingerprintOf(earlier, stored));
    assertTrue(ConfigLoader.isFingerprintOf(ConfigLoader.fingerprint(paper), stored));
    ObjectNode changed = stored.deepCopy();
    changed.put("lr", 0.5);
    assertFalse(ConfigLoader.isFingerprintOf(earlier, changed));
    assertFalse(ConfigLoader.isFingerprintOf(ConfigLoader.fingerprint(paper), changed));
  }

  @Test
  void aStoredSettingThisVersionDoesNotKnowIsNamed() throws Exception {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.fromStored(tree("{\"warpDrive\":1}"), "checkpoint"));
    assertTrue(e.getMessage().contains("warpDrive"), e.getMessage());
  }
}
