package org.picilab.platform.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.picilab.platform.db.DatabaseSettings;
import org.picilab.platform.security.Redact;
import org.picilab.platform.store.S3Settings;

/**
 * Where the parts of the platform are. Every process resolves them the same way, later sources
 * winning: built-in defaults (the embedded stack on loopback), then the stack file that {@code pici
 * up} writes into the home directory, then environment variables. So the same code runs embedded or
 * distributed; only configuration differs.
 *
 * <p>Environment: {@code PICI_HOME} (default {@code ~/.pici}), {@code TEMPORAL_ADDRESS}, {@code
 * TEMPORAL_NAMESPACE}, the TLS and API-key settings of {@link TemporalAccess} ({@code
 * TEMPORAL_TLS_CA}, {@code TEMPORAL_TLS_CERT}, {@code TEMPORAL_TLS_KEY}, {@code
 * TEMPORAL_TLS_SERVER_NAME}, {@code TEMPORAL_API_KEY}, {@code TEMPORAL_TLS}), {@code
 * PICI_S3_ENDPOINT}, {@code PICI_S3_ACCESS_KEY}, {@code PICI_S3_SECRET_KEY}, {@code
 * PICI_S3_BUCKET}, {@code PICI_S3_REGION}, {@code MLFLOW_TRACKING_URI} (MLflow; otherwise the local
 * tracking store in {@code PICI_TRACKING_DIR}, default {@code PICI_HOME/tracking}), {@code
 * PICI_DB_URL}, {@code PICI_DB_USER}, {@code PICI_DB_PASSWORD} (the database of record; default a
 * SQLite file under {@code PICI_HOME}).
 *
 * @param home the home directory (stack file, embedded data)
 * @param temporalAddress host:port of the Temporal frontend
 * @param namespace the Temporal namespace
 * @param s3 the S3 endpoint, keys and bucket
 * @param mlflowUri the MLflow tracking URI, or null for the local store
 * @param trackingDir the local tracking store's directory
 * @param database the database of record (used by the controller and clients, never by workers)
 * @param temporalAccess TLS and API key for Temporal; {@link TemporalAccess#PLAIN} for none
 */
public record PlatformSettings(
    Path home,
    String temporalAddress,
    String namespace,
    S3Settings s3,
    String mlflowUri,
    Path trackingDir,
    DatabaseSettings database,
    TemporalAccess temporalAccess) {

  /** The stack file's name inside the home directory. */
  public static final String STACK_FILE = "stack.json";

  /** Default Temporal port of the embedded server. */
  public static final int TEMPORAL_PORT = 7233;

  /** Default port of the embedded S3 endpoint. */
  public static final int S3_PORT = 9000;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Resolves the settings of this process.
   *
   * @param env the environment
   * @return the settings
   * @throws IOException when the stack file exists but cannot be read
   */
  public static PlatformSettings resolve(Map<String, String> env) throws IOException {
    return resolve(env, true);
  }

  /**
   * Resolves the settings, optionally ignoring the stack file ({@code pici up} starts from the
   * defaults and the environment, and replaces any old stack file).
   *
   * @param env the environment
   * @param useStackFile whether to read the stack file
   * @return the settings
   * @throws IOException when the stack file exists but cannot be read
   */
  public static PlatformSettings resolve(Map<String, String> env, boolean useStackFile)
      throws IOException {
    Path home =
        env.containsKey("PICI_HOME")
            ? Path.of(env.get("PICI_HOME"))
            : Path.of(System.getProperty("user.home"), ".pici");
    PlatformSettings s = defaults(home);
    Path stack = home.resolve(STACK_FILE);
    if (useStackFile && Files.isRegularFile(stack)) {
      s = s.merge(JSON.readTree(stack.toFile()), stack);
    }
    String temporal = env.getOrDefault("TEMPORAL_ADDRESS", s.temporalAddress());
    String namespace = env.getOrDefault("TEMPORAL_NAMESPACE", s.namespace());
    S3Settings s3 = S3Settings.fromEnv(env, s.s3());
    String mlflow = env.getOrDefault("MLFLOW_TRACKING_URI", s.mlflowUri());
    if (mlflow != null && mlflow.isBlank()) {
      mlflow = null;
    }
    Path tracking =
        env.containsKey("PICI_TRACKING_DIR")
            ? Path.of(env.get("PICI_TRACKING_DIR"))
            : s.trackingDir();
    DatabaseSettings database =
        env.containsKey(DatabaseSettings.URL_ENV)
            ? DatabaseSettings.fromEnv(env, home)
            : s.database();
    TemporalAccess access = TemporalAccess.fromEnv(env, s.temporalAccess());
    return new PlatformSettings(home, temporal, namespace, s3, mlflow, tracking, database, access);
  }

  /**
   * The embedded stack's settings under a home directory.
   *
   * @param home the home directory
   * @return settings pointing at loopback defaults
   */
  public static PlatformSettings defaults(Path home) {
    return new PlatformSettings(
        home,
        "127.0.0.1:" + TEMPORAL_PORT,
        "default",
        new S3Settings(
            "http://127.0.0.1:" + S3_PORT, "pici", "pici-local-secret", "pici", "us-east-1"),
        null,
        home.resolve("tracking"),
        DatabaseSettings.embedded(home),
        TemporalAccess.PLAIN);
  }

  /**
   * The same settings with other values.
   *
   * @param temporal host:port of Temporal
   * @param s3Settings the S3 settings
   * @return the new settings
   */
  public PlatformSettings with(String temporal, S3Settings s3Settings) {
    return new PlatformSettings(
        home, temporal, namespace, s3Settings, mlflowUri, trackingDir, database, temporalAccess);
  }

  /**
   * The same settings with other TLS and API-key settings for Temporal.
   *
   * @param access the new settings
   * @return the new settings
   */
  public PlatformSettings withTemporalAccess(TemporalAccess access) {
    return new PlatformSettings(
        home, temporalAddress, namespace, s3, mlflowUri, trackingDir, database, access);
  }

  /**
   * Where artifacts of the local tracking store go: the platform's bucket, under "tracking".
   *
   * @return an s3:// URI
   */
  public String localArtifactRoot() {
    return "s3://" + s3.bucket() + "/tracking";
  }

  /**
   * Writes the stack file so that other processes on this machine find the stack. It holds the S3
   * keys, so only its owner may read it: it is created with mode 0600 and replaces an older one
   * atomically.
   *
   * @param pid the process id of {@code pici up}
   * @throws IOException when it cannot be written
   */
  public void writeStackFile(long pid) throws IOException {
    Files.createDirectories(home);
    ObjectNode n = JSON.createObjectNode();
    n.put("temporalAddress", temporalAddress);
    n.put("namespace", namespace);
    ObjectNode s = n.putObject("s3");
    s.put("endpoint", s3.endpoint());
    s.put("accessKey", s3.accessKey());
    s.put("secretKey", s3.secretKey());
    s.put("bucket", s3.bucket());
    s.put("region", s3.region());
    if (mlflowUri != null) {
      n.put("mlflowUri", mlflowUri);
    }
    n.put("trackingDir", trackingDir.toString());
    ObjectNode db = n.putObject("database");
    db.put("url", database.url());
    if (database.user() != null) {
      db.put("user", database.user());
    }
    if (database.password() != null) {
      db.put("password", database.password());
    }
    if (!temporalAccess.equals(TemporalAccess.PLAIN)) {
      // Paths only, and the API key beside the S3 secret: the file is its owner's alone.
      ObjectNode t = n.putObject("temporalAccess");
      t.put("tls", temporalAccess.tls());
      putIfSet(t, "ca", temporalAccess.ca());
      putIfSet(t, "cert", temporalAccess.cert());
      putIfSet(t, "key", temporalAccess.key());
      t.put("serverName", temporalAccess.serverName());
      t.put("apiKey", temporalAccess.apiKey());
    }
    n.put("pid", pid);
    writePrivately(
        home.resolve(STACK_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
  }

  /**
   * Writes a file that only its owner may read, atomically: the content goes to a temporary file in
   * the same folder, created with mode 0600 (so it is never readable by others, not even between
   * its creation and a later chmod), which then replaces the file in one rename.
   *
   * @param file the file to write
   * @param content its content
   * @throws IOException when it cannot be written
   */
  static void writePrivately(Path file, byte[] content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    String prefix = "." + file.getFileName() + ".";
    Path tmp =
        dir.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? Files.createTempFile(
                dir,
                prefix,
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            // Not a POSIX file system: the temporary file gets the folder's default access.
            : Files.createTempFile(dir, prefix, ".tmp");
    try {
      Files.write(tmp, content);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Removes the stack file if it still belongs to the given process.
   *
   * @param pid the process id of {@code pici up}
   */
  public void removeStackFile(long pid) {
    Path file = home.resolve(STACK_FILE);
    try {
      if (Files.isRegularFile(file) && JSON.readTree(file.toFile()).path("pid").asLong() == pid) {
        Files.delete(file);
      }
    } catch (IOException e) {
      // Best effort: a stale file is overwritten by the next `pici up`.
    }
  }

  private static void putIfSet(ObjectNode n, String field, Path value) {
    if (value != null) {
      n.put(field, value.toString());
    }
  }

  private static Path pathOrNull(JsonNode n) {
    return n.isTextual() ? Path.of(n.asText()) : null;
  }

  private PlatformSettings merge(JsonNode n, Path file) {
    JsonNode s = n.path("s3");
    S3Settings s3Settings =
        new S3Settings(
            s.path("endpoint").asText(s3.endpoint()),
            s.path("accessKey").asText(s3.accessKey()),
            s.path("secretKey").asText(s3.secretKey()),
            s.path("bucket").asText(s3.bucket()),
            s.path("region").asText(s3.region()));
    return new PlatformSettings(
        home,
        n.path("temporalAddress").asText(temporalAddress),
        n.path("namespace").asText(namespace),
        s3Settings,
        n.hasNonNull("mlflowUri") ? n.get("mlflowUri").asText() : mlflowUri,
        n.hasNonNull("trackingDir") ? Path.of(n.get("trackingDir").asText()) : trackingDir,
        n.path("database").hasNonNull("url")
            ? new DatabaseSettings(
                n.path("database").get("url").asText(),
                n.path("database").path("user").asText(null),
                n.path("database").path("password").asText(null))
            : database,
        n.hasNonNull("temporalAccess") ? access(n.get("temporalAccess")) : temporalAccess);
  }

  private static TemporalAccess access(JsonNode t) {
    return new TemporalAccess(
        t.path("tls").asBoolean(false),
        pathOrNull(t.path("ca")),
        pathOrNull(t.path("cert")),
        pathOrNull(t.path("key")),
        t.path("serverName").isTextual() ? t.get("serverName").asText() : null,
        t.path("apiKey").isTextual() ? t.get("apiKey").asText() : null);
  }

  @Override
  public String toString() {
    return "temporal="
        + Redact.uri(temporalAddress)
        + (temporalAccess.tls() ? " (TLS)" : "")
        + (temporalAccess.apiKey() != null ? " (API key)" : "")
        + " namespace="
        + namespace
        + " s3="
        + Redact.uri(s3.endpoint())
        + "/"
        + s3.bucket()
        + " tracking="
        + (mlflowUri != null ? Redact.uri(mlflowUri) : trackingDir)
        + " database="
        + database.describe();
  }
}
