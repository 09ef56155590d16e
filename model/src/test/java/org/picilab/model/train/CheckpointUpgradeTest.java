package org.picilab.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;

/**
 * Checkpoints outlive upgrades: one written before a setting existed resumes after it was added,
 * with the fingerprint of the code that wrote it; a setting that changes the math is still refused.
 */
class CheckpointUpgradeTest {

  private static final int MAGIC_LENGTH = 8;
  private static final int SHA_LENGTH = 32;

  private static RunConfig config;
  private static ImageDataset data;
  private static byte[] bytes;

  @BeforeAll
  static void checkpointAfterPretraining() {
    config = TrainingFixtures.tiny("epochs.pretrain=1", "epochs.train=1", "epochs.boost=1");
    data = TrainingFixtures.data(config);
    try (TrainingRun run = TrainingFixtures.newRun(config, data)) {
      new StageRunner(data, TrainingListener.NONE, () -> false, null)
          .runStage(run, Stage.PRETRAIN, 0, 1);
      bytes = TrainingFixtures.encode(run);
    }
  }

  @Test
  void aCheckpointWrittenBeforeASettingExistedResumes() throws IOException {
    // tauCluster is at its default (1.0): a checkpoint of a version without it lacks the key.
    byte[] older = rewriteHeader(bytes, h -> config(h).remove("tauCluster"));
    assertFalse(header(older).contains("tauCluster"));
    assertResumes(older);
  }

  @Test
  void aCheckpointWithTheEarlierFingerprintResumes() throws IOException {
    // Written by the code before defaults were left out: the hash covers every stored setting.
    byte[] legacy =
        rewriteHeader(
            bytes,
            h -> {
              ObjectNode c = config(h);
              c.remove("tauCluster");
              h.put("configHash", legacyFingerprint(c));
            });
    assertNotEquals(
        ConfigLoader.fingerprint(config), legacyFingerprint(config(header(header(legacy)))));
    assertResumes(legacy);
  }

  @Test
  void aChangedSettingIsStillRefused() {
    // A stored setting altered without its fingerprint: the header does not match.
    byte[] altered = rewriteHeader(bytes, h -> config(h).put("lr", 0.5));
    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> CheckpointCodec.read(new ByteArrayInputStream(altered)));
    assertTrue(e.getMessage().contains("does not match its recorded fingerprint"), e.getMessage());
    // A setting away from its default that goes missing does not come back as the default.
    byte[] lost = rewriteHeader(bytes, h -> config(h).remove("dim"));
    assertThrows(
        CorruptCheckpointException.class,
        () -> CheckpointCodec.read(new ByteArrayInputStream(lost)));
    // And resuming under other settings that matter is refused by their fingerprints.
    Snapshot s = TrainingFixtures.decode(bytes);
    RunConfig other = ConfigLoader.override(config, java.util.Map.of("lr", "0.5"));
    assertNotEquals(ConfigLoader.fingerprint(other), ConfigLoader.fingerprint(s.config()));
    RunConfig bookkeeping = ConfigLoader.override(config, java.util.Map.of("checkpointEvery", "7"));
    assertEquals(ConfigLoader.fingerprint(bookkeeping), ConfigLoader.fingerprint(s.config()));
  }

  @Test
  void aSettingFromANewerVersionIsNamed() {
    byte[] newer = rewriteHeader(bytes, h -> config(h).put("warpDrive", 9));
    CorruptCheckpointException e =
        assertThrows(
            CorruptCheckpointException.class,
            () -> CheckpointCodec.read(new ByteArrayInputStream(newer)));
    assertTrue(e.getMessage().contains("warpDrive"), e.getMessage());
    assertTrue(e.getMessage().contains("newer"), e.getMessage());
  }

  /** Reads, restores and trains one more epoch, as a resumed run does. */
  private static void assertResumes(byte[] checkpoint) throws IOException {
    Snapshot s = CheckpointCodec.read(new ByteArrayInputStream(checkpoint));
    assertEquals(config, s.config());
    try (TrainingRun run = TrainingRun.restore(s, data, Device.cpu())) {
      // The worker's check before it continues: the same fingerprint as the run's settings.
      assertEquals(ConfigLoader.fingerprint(config), ConfigLoader.fingerprint(run.config()));
      new StageRunner(data, TrainingListener.NONE, () -> false, null)
          .runStage(run, Stage.TRAIN, 0, 1);
      assertEquals(2, run.snapshot().epoch());
    }
  }

  /** The fingerprint before defaults were left out, written out here as it was. */
  private static String legacyFingerprint(ObjectNode storedConfig) {
    ObjectNode tree = storedConfig.deepCopy();
    tree.remove(List.of("checkpointEvery", "evalBatchSize"));
    return sha16(tree.toString());
  }

  private static String legacyFingerprint(RunConfig c) {
    return legacyFingerprint((ObjectNode) ConfigLoader.mapper().valueToTree(c));
  }

  private static String sha16(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode config(ObjectNode header) {
    return (ObjectNode) header.get("config");
  }

  private static String header(byte[] checkpoint) {
    int length = ByteBuffer.wrap(checkpoint, MAGIC_LENGTH + 4, 4).getInt();
    return new String(checkpoint, MAGIC_LENGTH + 8, length, StandardCharsets.UTF_8);
  }

  private static ObjectNode header(String json) {
    try {
      return (ObjectNode) ConfigLoader.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The same checkpoint with its JSON header edited, and its checksum made whole again: what an
   * earlier version would have written.
   */
  private static byte[] rewriteHeader(byte[] checkpoint, Consumer<ObjectNode> edit) {
    try {
      int length = ByteBuffer.wrap(checkpoint, MAGIC_LENGTH + 4, 4).getInt();
      ObjectNode h = header(header(checkpoint));
      edit.accept(h);
      byte[] json = ConfigLoader.mapper().writeValueAsBytes(h);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DataOutputStream data = new DataOutputStream(out);
      data.write(checkpoint, 0, MAGIC_LENGTH + 4);
      data.writeInt(json.length);
      data.write(json);
      int rest = MAGIC_LENGTH + 8 + length;
      data.write(checkpoint, rest, checkpoint.length - SHA_LENGTH - rest);
      data.flush();
      byte[] body = out.toByteArray();
      byte[] sha = MessageDigest.getInstance("SHA-256").digest(body);
      byte[] whole = Arrays.copyOf(body, body.length + SHA_LENGTH);
      System.arraycopy(sha, 0, whole, body.length, SHA_LENGTH);
      return whole;
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
