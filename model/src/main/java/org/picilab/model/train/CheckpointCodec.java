package org.picilab.model.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.picilab.model.config.ConfigException;
import org.picilab.model.config.ConfigLoader;
import org.picilab.model.config.RunConfig;

/**
 * The checkpoint file format: a byte stream that holds a {@link Snapshot} and ends with its own
 * SHA-256, so a reader can tell a complete checkpoint from a truncated or damaged one.
 *
 * <pre>
 * "PICICKPT"                  8 bytes of magic
 * format version              int (big-endian, as all integers here)
 * header length, header       int, UTF-8 JSON: configuration, position, history, step counts
 * tensor count                int
 *   name, kind, length, data  UTF string, byte (1 = float32, 2 = int32), int, values
 * SHA-256 of all of the above 32 bytes
 * </pre>
 */
public final class CheckpointCodec {

  /** The current format version. */
  public static final int FORMAT = 1;

  private static final byte[] MAGIC = "PICICKPT".getBytes(StandardCharsets.US_ASCII);
  private static final byte FLOAT32 = 1;
  private static final byte INT32 = 2;
  private static final String WEIGHT = "weight/";
  private static final String MEAN = "adam.mean/";
  private static final String VARIANCE = "adam.variance/";
  private static final String PSEUDO = "pseudo/";

  private CheckpointCodec() {}

  /**
   * The JSON part of a checkpoint. The configuration stays a JSON tree until it is checked, because
   * an earlier version may have written it without settings added since.
   */
  record Header(
      int format,
      String configHash,
      JsonNode config,
      DatasetInfo dataset,
      int clusters,
      float[] mean,
      float[] std,
      int epoch,
      int batch,
      PartialEpoch partial,
      int pseudoLabelEpoch,
      List<EpochRecord> history,
      double trainingSeconds,
      Map<String, Long> adamSteps) {}

  /**
   * Writes a snapshot. The stream is flushed, not closed.
   *
   * @param s the snapshot
   * @param out the destination
   * @throws IOException when writing fails
   */
  public static void write(Snapshot s, OutputStream out) throws IOException {
    MessageDigest sha = sha256();
    DigestOutputStream digesting =
        new DigestOutputStream(new BufferedOutputStream(out, 1 << 16), sha);
    DataOutputStream data = new DataOutputStream(digesting);
    data.write(MAGIC);
    data.writeInt(FORMAT);
    Map<String, Long> steps = new LinkedHashMap<>();
    s.moments().forEach((k, m) -> steps.put(k, m.step()));
    Header header =
        new Header(
            FORMAT,
            s.configHash(),
            mapper().valueToTree(s.config()),
            s.dataset(),
            s.clusters(),
            s.mean(),
            s.std(),
            s.epoch(),
            s.batch(),
            s.partial(),
            s.pseudoLabelEpoch(),
            s.history(),
            s.trainingSeconds(),
            steps);
    byte[] json = mapper().writeValueAsBytes(header);
    data.writeInt(json.length);
    data.write(json);
    int count = s.weights().size() + 2 * s.moments().size() + (s.pseudoLabels() == null ? 0 : 2);
    data.writeInt(count);
    for (Map.Entry<String, float[]> e : s.weights().entrySet()) {
      writeFloats(data, WEIGHT + e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Snapshot.Moments> e : s.moments().entrySet()) {
      writeFloats(data, MEAN + e.getKey(), e.getValue().mean());
      writeFloats(data, VARIANCE + e.getKey(), e.getValue().variance());
    }
    if (s.pseudoLabels() != null) {
      for (int v = 0; v < 2; v++) {
        writeInts(data, PSEUDO + v, s.pseudoLabels()[v]);
      }
    }
    data.flush();
    digesting.on(false);
    digesting.write(sha.digest());
    digesting.flush();
  }

  /**
   * Reads and verifies a snapshot.
   *
   * @param in the source; read to the end of the checkpoint
   * @return the snapshot
   * @throws CorruptCheckpointException when the bytes are not a complete, intact checkpoint
   * @throws IOException when reading fails
   */
  public static Snapshot read(InputStream in) throws IOException {
    MessageDigest sha = sha256();
    DigestInputStream digesting = new DigestInputStream(new BufferedInputStream(in, 1 << 16), sha);
    DataInputStream data = new DataInputStream(digesting);
    try {
      byte[] magic = new byte[MAGIC.length];
      data.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new CorruptCheckpointException("not a PICI Lab checkpoint (bad magic bytes)");
      }
      int format = data.readInt();
      if (format != FORMAT) {
        throw new CorruptCheckpointException(
            "checkpoint format " + format + " is not supported (this build reads " + FORMAT + ")");
      }
      int headerLength = data.readInt();
      if (headerLength <= 0 || headerLength > 256 << 20) {
        throw new CorruptCheckpointException("implausible header length " + headerLength);
      }
      byte[] json = new byte[headerLength];
      data.readFully(json);
      int count = data.readInt();
      Map<String, float[]> floats = new LinkedHashMap<>();
      Map<String, int[]> ints = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        String name = data.readUTF();
        byte kind = data.readByte();
        int length = data.readInt();
        if (length < 0) {
          throw new CorruptCheckpointException("negative length for " + name);
        }
        byte[] raw = new byte[Math.multiplyExact(length, 4)];
        data.readFully(raw);
        ByteBuffer buf = ByteBuffer.wrap(raw);
        if (kind == FLOAT32) {
          float[] v = new float[length];
          buf.asFloatBuffer().get(v);
          floats.put(name, v);
        } else if (kind == INT32) {
          int[] v = new int[length];
          buf.asIntBuffer().get(v);
          ints.put(name, v);
        } else {
          throw new CorruptCheckpointException("unknown tensor kind " + kind + " for " + name);
        }
      }
      byte[] expected = sha.digest();
      digesting.on(false);
      byte[] stored = new byte[expected.length];
      data.readFully(stored);
      if (!MessageDigest.isEqual(expected, stored)) {
        throw new CorruptCheckpointException("checksum mismatch: the checkpoint was altered");
      }
      return assemble(mapper().readValue(json, Header.class), floats, ints);
    } catch (EOFException e) {
      throw new CorruptCheckpointException("the checkpoint is truncated");
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new CorruptCheckpointException("unreadable header: " + e.getOriginalMessage());
    }
  }

  private static Snapshot assemble(Header h, Map<String, float[]> floats, Map<String, int[]> ints)
      throws CorruptCheckpointException {
    RunConfig config = config(h);
    Map<String, float[]> weights = new LinkedHashMap<>();
    floats.forEach(
        (k, v) -> {
          if (k.startsWith(WEIGHT)) {
            weights.put(k.substring(WEIGHT.length()), v);
          }
        });
    Map<String, Snapshot.Moments> moments = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : h.adamSteps().entrySet()) {
      float[] m = floats.get(MEAN + e.getKey());
      float[] v = floats.get(VARIANCE + e.getKey());
      if (m == null || v == null) {
        throw new CorruptCheckpointException("optimizer state missing for " + e.getKey());
      }
      moments.put(e.getKey(), new Snapshot.Moments(e.getValue(), m, v));
    }
    int[][] pseudo = null;
    if (ints.containsKey(PSEUDO + 0)) {
      pseudo = new int[][] {ints.get(PSEUDO + 0), ints.get(PSEUDO + 1)};
    }
    return new Snapshot(
        config,
        h.configHash(),
        h.dataset(),
        h.clusters(),
        h.mean(),
        h.std(),
        h.epoch(),
        h.batch(),
        h.partial(),
        pseudo,
        h.pseudoLabelEpoch(),
        h.history(),
        h.trainingSeconds(),
        weights,
        moments);
  }

  /**
   * The configuration of a header. It may come from an earlier version: settings added since take
   * the values that compute what that version computed ({@link ConfigLoader#fromStored}), and the
   * recorded fingerprint is checked, by today's formula or the earlier one, against the
   * configuration as written.
   */
  private static RunConfig config(Header h) throws CorruptCheckpointException {
    if (h.config() == null || !h.config().isObject()) {
      throw new CorruptCheckpointException("the header holds no configuration");
    }
    RunConfig config;
    try {
      config = ConfigLoader.fromStored(h.config(), "checkpoint");
    } catch (ConfigException e) {
      throw new CorruptCheckpointException(
          "the configuration in the checkpoint cannot be used by this version ("
              + e.getMessage()
              + "); was it written by a newer one?");
    }
    if (!ConfigLoader.isFingerprintOf(h.configHash(), h.config())) {
      throw new CorruptCheckpointException(
          "the configuration in the checkpoint does not match its recorded fingerprint");
    }
    return config;
  }

  private static void writeFloats(DataOutputStream out, String name, float[] v) throws IOException {
    out.writeUTF(name);
    out.writeByte(FLOAT32);
    out.writeInt(v.length);
    ByteBuffer buf = ByteBuffer.allocate(v.length * 4);
    buf.asFloatBuffer().put(v);
    out.write(buf.array());
  }

  private static void writeInts(DataOutputStream out, String name, int[] v) throws IOException {
    out.writeUTF(name);
    out.writeByte(INT32);
    out.writeInt(v.length);
    ByteBuffer buf = ByteBuffer.allocate(v.length * 4);
    buf.asIntBuffer().put(v);
    out.write(buf.array());
  }

  private static ObjectMapper mapper() {
    return ConfigLoader.mapper();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
