package org.picilab.platform.store;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.Directive;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.messages.Item;
import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import org.picilab.platform.security.Redact;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ObjectStore} over the S3 API through the MinIO Java client: MinIO, AWS S3 or the
 * embedded endpoint of {@link EmbeddedS3}.
 *
 * <p>Failures fall into three kinds. A missing object is a {@link NoSuchFileException} naming
 * {@code s3://bucket/key}. A transient failure (connection refused or reset, a timeout, HTTP 5xx,
 * 408, 429, or an S3 error code such as {@code SlowDown} or {@code InternalError}) is retried here
 * a few times with exponential backoff and then thrown as a {@link StorageException}, which
 * activities hand to Temporal to retry with its longer backoff. Anything else (wrong credentials, a
 * deleted bucket, a local file that cannot be read) is a plain {@link IOException} at once: trying
 * again would not help. Every message names the endpoint, the bucket and the key.
 *
 * <p>Listings show every object under a prefix, including objects still being written: this class's
 * own temporary uploads under {@link #TEMPORARY_DIR}, and whatever the server writes beside a
 * destination while it stores one (S3Proxy's filesystem store writes {@code <key>-<uuid>} and
 * renames it at the end). Code that lists should match the names it expects rather than take every
 * key. Listings carry no user metadata on S3Proxy; {@link #stat} reads it.
 *
 * <p>Instances are thread-safe: the MinIO client is, and every other field is final.
 */
public final class S3ObjectStore implements ObjectStore {

  /**
   * The folder, under the folder of the destination key, where {@link #putFile} uploads before it
   * makes an object visible. Listings of a prefix include these objects while an upload runs (and
   * after a writer died mid-way); layouts that list, such as {@link CheckpointStore}, skip them.
   */
  public static final String TEMPORARY_DIR = ".tmp/";

  private static final Logger LOG = LoggerFactory.getLogger(S3ObjectStore.class);

  /** Above this size uploads are split into parts of this size (S3 multipart upload). */
  static final long PART_SIZE = 64L << 20;

  private static final long CONNECT_TIMEOUT_MS = TimeUnit.SECONDS.toMillis(10);
  private static final long TRANSFER_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(2);
  private static final int MAX_METADATA_BYTES = 2048;
  private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
  private static final String META_PREFIX = "x-amz-meta-";
  private static final String BINARY = "application/octet-stream";

  /** S3 error codes worth another try, after the list the MinIO SDKs keep. */
  private static final Set<String> RETRYABLE_CODES =
      Set.of(
          "RequestError",
          "RequestTimeout",
          "Throttling",
          "ThrottlingException",
          "RequestLimitExceeded",
          "RequestThrottled",
          "InternalError",
          "ServiceUnavailable",
          "SlowDown",
          "SlowDownWrite",
          "SlowDownRead",
          "ExpiredToken",
          "ExpiredTokenException");

  private static final Pattern RESPONSE_CODE = Pattern.compile("Response code: (\\d{3})");

  private final S3Settings settings;
  private final MinioClient client;
  private final RetryPolicy retry;
  private final StepListener steps;

  /**
   * Observes the steps of {@link #putFile}; tests use it to fail an upload between the temporary
   * upload and the copy that makes it visible.
   */
  @FunctionalInterface
  public interface StepListener {
    /** Does nothing. */
    StepListener NONE = (key, temporaryKey) -> {};

    /**
     * Called after the content is stored under the temporary key and before it is copied.
     *
     * @param key the destination
     * @param temporaryKey where the content is now
     * @throws IOException to fail the upload at this point
     */
    void afterTemporaryUpload(String key, String temporaryKey) throws IOException;
  }

  private S3ObjectStore(S3Settings settings, RetryPolicy retry, StepListener steps) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.steps = Objects.requireNonNull(steps, "steps");
    // Our own HTTP client rather than MinIO's default one, for three reasons: MinIO's retries some
    // HTTP statuses by itself (five times), where one policy, ours, should decide how often and
    // classify every failure; its timeouts are five minutes each, too long to notice a dead
    // endpoint; and it re-reads the system's certificates for every client (about 0.7 s). The
    // transfer timeouts bound one read or write on the socket, not a whole upload. HTTPS endpoints
    // are checked against the JVM's trust store (javax.net.ssl.trustStore).
    OkHttpClient http =
        new OkHttpClient.Builder()
            .connectTimeout(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .readTimeout(TRANSFER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .writeTimeout(TRANSFER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .protocols(List.of(Protocol.HTTP_1_1))
            .build();
    MinioClient c =
        MinioClient.builder()
            .endpoint(settings.endpoint())
            .region(settings.region())
            .credentials(settings.accessKey(), settings.secretKey())
            .httpClient(http, true)
            .build();
    this.client = c;
  }

  /**
   * Connects to the endpoint and creates the bucket when it is missing.
   *
   * @param settings endpoint, credentials, bucket and region
   * @return the store; close it when done
   * @throws StorageException when the endpoint cannot be reached after a few tries
   * @throws IOException when the endpoint refuses (e.g. wrong credentials)
   */
  public static S3ObjectStore connect(S3Settings settings) throws IOException {
    return connect(settings, RetryPolicy.DEFAULT, StepListener.NONE);
  }

  /**
   * Connects with a chosen retry policy and step listener; tests keep the backoff short.
   *
   * @param settings the settings
   * @param retry how often to try transient failures
   * @param steps observes {@link #putFile}
   * @return the store
   * @throws IOException when the bucket cannot be checked or created
   */
  public static S3ObjectStore connect(S3Settings settings, RetryPolicy retry, StepListener steps)
      throws IOException {
    S3ObjectStore store = new S3ObjectStore(settings, retry, steps);
    try {
      store.ensureBucket();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    LOG.debug("connected to {}", settings);
    return store;
  }

  private void ensureBucket() throws IOException {
    String bucket = settings.bucket();
    boolean exists =
        call(
            "check bucket",
            null,
            () -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    if (exists) {
      return;
    }
    call(
        "create bucket",
        null,
        () -> {
          try {
            client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            LOG.info("created bucket {} at {}", bucket, settings.endpoint());
          } catch (ErrorResponseException e) {
            // Two workers starting together may both find the bucket missing; the second one
            // to create it is told so, which is success all the same.
            String code = e.errorResponse().code();
            if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
              throw e;
            }
          }
          return null;
        });
  }

  /**
   * The settings this store was connected with.
   *
   * @return the settings
   */
  public S3Settings settings() {
    return settings;
  }

  @Override
  public String bucket() {
    return settings.bucket();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The file is uploaded under {@code <folder of key>/.tmp/<name>.<uuid>}, copied on the server
   * to {@code key} with the metadata (a copy is atomic on every S3 implementation), and the
   * temporary object is deleted. When a step fails, the temporary object is deleted if the endpoint
   * still answers; otherwise it stays behind under {@link #TEMPORARY_DIR}, where nothing reads it.
   * Metadata keys are stored and returned in lowercase; values must be printable ASCII.
   */
  @Override
  public void putFile(String key, Path file, Map<String, String> metadata) throws IOException {
    checkKey(key);
    Objects.requireNonNull(file, "file");
    Map<String, String> meta = checkMetadata(metadata);
    if (!Files.isRegularFile(file)) {
      if (!Files.exists(file)) {
        throw new NoSuchFileException(
            file.toString(), null, "cannot upload it to " + uri(key) + ": no such file");
      }
      throw new FileSystemException(
          file.toString(), null, "cannot upload it to " + uri(key) + ": not a regular file");
    }
    String temporaryKey = temporaryKey(key);
    boolean visible = false;
    try {
      call(
          "upload",
          temporaryKey,
          () ->
              client.uploadObject(
                  UploadObjectArgs.builder()
                      .bucket(bucket())
                      .object(temporaryKey)
                      .filename(file.toString(), PART_SIZE)
                      .contentType(BINARY)
                      .build()));
      steps.afterTemporaryUpload(key, temporaryKey);
      copyTemporary(temporaryKey, key, meta);
      visible = true;
    } finally {
      if (visible) {
        deleteTemporary(temporaryKey);
      } else {
        deleteTemporaryOnce(temporaryKey);
      }
    }
  }

  private void copyTemporary(String temporaryKey, String key, Map<String, String> meta)
      throws IOException {
    try {
      call(
          "copy " + temporaryKey + " to",
          key,
          () ->
              client.copyObject(
                  CopyObjectArgs.builder()
                      .bucket(bucket())
                      .object(key)
                      .source(SourceObject.builder().bucket(bucket()).object(temporaryKey).build())
                      .metadataDirective(Directive.REPLACE)
                      .headers(Map.of("Content-Type", BINARY))
                      .userMetadata(meta)
                      .build()));
    } catch (NoSuchFileException e) {
      // The missing object is the source, not the destination the exception would name.
      throw new IOException(
          "the temporary upload "
              + uri(temporaryKey)
              + " vanished before it was copied to "
              + key
              + " at "
              + settings.endpoint()
              + "; something deletes objects under "
              + TEMPORARY_DIR
              + " while uploads run",
          e);
    }
  }

  /** Deletes the temporary object of a successful upload, with retries, never failing the put. */
  private void deleteTemporary(String temporaryKey) {
    try {
      delete(temporaryKey);
    } catch (IOException e) {
      // The object is visible and complete; a leftover temporary copy costs space, not
      // correctness, so the upload still succeeds.
      LOG.warn("could not delete the temporary object {}: {}", uri(temporaryKey), e.getMessage());
    }
  }

  /** After a failed upload: one attempt, because the endpoint is likely down already. */
  private void deleteTemporaryOnce(String temporaryKey) {
    try {
      client.removeObject(RemoveObjectArgs.builder().bucket(bucket()).object(temporaryKey).build());
    } catch (Exception e) {
      LOG.warn(
          "upload failed and its temporary object {} could not be removed ({}); it stays under {}"
              + " where nothing reads it",
          uri(temporaryKey),
          describe(e),
          TEMPORARY_DIR);
    }
  }

  @Override
  public void putBytes(String key, byte[] content, String contentType) throws IOException {
    checkKey(key);
    Objects.requireNonNull(content, "content");
    String type = contentType == null || contentType.isBlank() ? BINARY : contentType;
    call(
        "put",
        key,
        () ->
            client.putObject(
                PutObjectArgs.builder()
                    .bucket(bucket())
                    .object(key)
                    .data(content, content.length)
                    .contentType(type)
                    .build()));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Only the request that opens the object is retried. A failure while reading the stream is a
   * {@link StorageException} (the connection broke), so that a reader can tell it from content that
   * ends early.
   */
  @Override
  public InputStream open(String key) throws IOException {
    checkKey(key);
    GetObjectResponse response = call("read", key, () -> client.getObject(getArgs(key)));
    return new ReadStream(response, key);
  }

  @Override
  public Optional<byte[]> readBytes(String key) throws IOException {
    checkKey(key);
    try {
      return Optional.of(
          call(
              "read",
              key,
              () -> {
                try (GetObjectResponse in = client.getObject(getArgs(key))) {
                  return in.readAllBytes();
                }
              }));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>The content goes to a temporary file beside {@code file} that replaces it at the end, so an
   * interrupted download never leaves a partial file under the name. A broken connection starts the
   * download again.
   */
  @Override
  public void download(String key, Path file) throws IOException {
    checkKey(key);
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Files.createDirectories(dir);
    call(
        "download",
        key,
        () -> {
          Path part = Files.createTempFile(dir, "." + target.getFileName(), ".part");
          try {
            try (GetObjectResponse in = client.getObject(getArgs(key));
                OutputStream out = Files.newOutputStream(part)) {
              copy(in, out, part);
            }
            Files.move(
                part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
          } finally {
            Files.deleteIfExists(part);
          }
          return null;
        });
  }

  @Override
  public List<ObjectInfo> list(String prefix) throws IOException {
    checkPrefix(prefix);
    return call(
        "list",
        prefix,
        () -> {
          List<ObjectInfo> out = new ArrayList<>();
          Iterable<Result<Item>> items =
              client.listObjects(
                  ListObjectsArgs.builder()
                      .bucket(bucket())
                      .prefix(prefix)
                      .recursive(true)
                      .build());
          for (Result<Item> r : items) {
            Item item = r.get();
            if (item.isDir()) {
              continue;
            }
            long modified =
                item.lastModified() == null ? 0L : item.lastModified().toInstant().toEpochMilli();
            out.add(
                new ObjectInfo(
                    item.objectName(), item.size(), modified, metadata(item.userMetadata())));
          }
          // S3 lists in UTF-8 byte order already; sorting makes the promise hold for any endpoint.
          out.sort(Comparator.comparing(ObjectInfo::key));
          return out;
        });
  }

  /**
   * Reads an object's size, time and metadata without its content.
   *
   * @param key the key
   * @return the object's description with its user metadata, or empty when there is none
   * @throws IOException when the endpoint fails
   */
  public Optional<ObjectInfo> stat(String key) throws IOException {
    checkKey(key);
    try {
      StatObjectResponse r =
          call(
              "stat",
              key,
              () ->
                  client.statObject(StatObjectArgs.builder().bucket(bucket()).object(key).build()));
      Map<String, String> meta = new TreeMap<>();
      for (Map.Entry<String, String> e : r.userMetadata().entrySet()) {
        meta.put(metadataName(e.getKey()), e.getValue());
      }
      long modified = r.lastModified() == null ? 0L : r.lastModified().toInstant().toEpochMilli();
      return Optional.of(
          new ObjectInfo(key, r.size(), modified, Collections.unmodifiableMap(meta)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public void delete(String key) throws IOException {
    checkKey(key);
    try {
      call(
          "delete",
          key,
          () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket()).object(key).build());
            return null;
          });
    } catch (NoSuchFileException e) {
      // S3 answers 204 for a missing key; an endpoint that says 404 instead means the same.
    }
  }

  /** Closes the MinIO client and its connection pool. Close it before stopping the endpoint. */
  @Override
  public void close() {
    try {
      client.close();
    } catch (Exception e) {
      LOG.warn("closing the S3 client of {} failed: {}", settings.endpoint(), e.toString());
    }
  }

  @Override
  public String toString() {
    return "S3ObjectStore[" + settings.endpoint() + " s3://" + bucket() + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Retries and the classification of failures.

  /** One call to the MinIO client, which declares its own checked exceptions. */
  @FunctionalInterface
  private interface S3Call<T> {
    T run() throws Exception;
  }

  private enum Kind {
    NOT_FOUND,
    TRANSIENT,
    PERMANENT
  }

  private record Failure(Kind kind, String description) {}

  /**
   * Runs a call, retrying transient failures with exponential backoff.
   *
   * @param what the operation, for messages (e.g. "upload")
   * @param key the key or prefix involved, or null for bucket operations
   */
  private <T> T call(String what, String key, S3Call<T> call) throws IOException {
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (Exception e) {
        if (Thread.currentThread().isInterrupted() || e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          InterruptedIOException ie =
              new InterruptedIOException("interrupted during " + what + " " + where(key));
          ie.initCause(e);
          throw ie;
        }
        Failure f = classify(e);
        switch (f.kind()) {
          case NOT_FOUND:
            NoSuchFileException nf =
                new NoSuchFileException(
                    uriOrBucket(key), null, "no such object at " + settings.endpoint());
            nf.initCause(e);
            throw nf;
          case PERMANENT:
            throw new IOException(
                what + " " + where(key) + " failed: " + f.description() + hint(e), e);
          default:
            break;
        }
        if (attempt >= retry.attempts()) {
          double seconds = (System.nanoTime() - start) / 1e9;
          throw new StorageException(
              String.format(
                  Locale.ROOT,
                  "%s %s failed %d times in %.1f s: %s; the endpoint is down or overloaded,"
                      + " retry later",
                  what,
                  where(key),
                  attempt,
                  seconds,
                  f.description()),
              e);
        }
        Duration delay = retry.delayAfter(attempt);
        LOG.warn(
            "{} {} failed ({}); attempt {} of {}, next in {} ms",
            what,
            where(key),
            f.description(),
            attempt,
            retry.attempts(),
            delay.toMillis());
        sleep(delay, what, key);
      }
    }
  }

  private void sleep(Duration delay, String what, String key) throws InterruptedIOException {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      InterruptedIOException e =
          new InterruptedIOException(
              "interrupted while waiting to retry " + what + " " + where(key));
      e.initCause(ie);
      throw e;
    }
  }

  /** Sorts a failure of the MinIO client (or of a local file next to it) into its kind. */
  private static Failure classify(Throwable error) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = error; t != null && seen.put(t, true) == null; t = t.getCause()) {
      if (t instanceof LocalFileException) {
        return new Failure(Kind.PERMANENT, t.getMessage());
      }
      if (t instanceof ErrorResponseException ere) {
        String code = ere.errorResponse().code();
        int status = ere.response() == null ? -1 : ere.response().code();
        String text = code + " (HTTP " + status + "): " + ere.errorResponse().message();
        if ("NoSuchKey".equals(code)) {
          return new Failure(Kind.NOT_FOUND, text);
        }
        boolean transientStatus = isTransientStatus(status);
        return new Failure(
            RETRYABLE_CODES.contains(code) || transientStatus ? Kind.TRANSIENT : Kind.PERMANENT,
            text);
      }
      if (t instanceof ServerException se) {
        return new Failure(
            isTransientStatus(se.statusCode()) ? Kind.TRANSIENT : Kind.PERMANENT,
            "HTTP " + se.statusCode() + ": " + se.getMessage());
      }
      if (t instanceof InvalidResponseException ire) {
        Matcher m = RESPONSE_CODE.matcher(String.valueOf(ire.getMessage()));
        int status = m.find() ? Integer.parseInt(m.group(1)) : -1;
        return new Failure(
            isTransientStatus(status) ? Kind.TRANSIENT : Kind.PERMANENT, abbreviate(ire));
      }
      if (t instanceof FileSystemException || t instanceof FileNotFoundException) {
        // A local file, not the network: trying again finds the same file.
        return new Failure(Kind.PERMANENT, t.toString());
      }
      if (t instanceof IOException) {
        // Everything else that OkHttp throws is about the connection: refused, reset, timed out,
        // closed before the end of a response, a name that does not resolve (yet: in compose the
        // endpoint's name exists only once its container runs).
        return new Failure(Kind.TRANSIENT, t.toString());
      }
    }
    return new Failure(Kind.PERMANENT, describe(error));
  }

  private static boolean isTransientStatus(int status) {
    return status >= 500 || status == 408 || status == 429;
  }

  private String hint(Throwable e) {
    String text = describe(e);
    if (text.contains("AccessDenied")
        || text.contains("SignatureDoesNotMatch")
        || text.contains("InvalidAccessKeyId")) {
      return "; check "
          + S3Settings.ACCESS_KEY_VAR
          + " and "
          + S3Settings.SECRET_KEY_VAR
          + " (access key "
          + Redact.accessKey(settings.accessKey())
          + ")";
    }
    if (text.contains("NoSuchBucket")) {
      return "; the bucket is created when the store connects: was it deleted since? Restart the"
          + " worker or create it";
    }
    return "";
  }

  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ErrorResponseException ere) {
        return ere.errorResponse().code() + ": " + ere.errorResponse().message();
      }
      if (t.getCause() == null || t.getCause() == t) {
        return t.toString();
      }
    }
    return String.valueOf(e);
  }

  private static String abbreviate(Throwable t) {
    String s = String.valueOf(t.getMessage());
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  private String where(String key) {
    return uriOrBucket(key) + " at " + settings.endpoint();
  }

  private String uriOrBucket(String key) {
    return key == null ? "bucket " + bucket() : uri(key);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  private GetObjectArgs getArgs(String key) {
    return GetObjectArgs.builder().bucket(bucket()).object(key).build();
  }

  /**
   * A write to a local file failed. Kept apart from network failures of the same call: a full disk
   * is not worth retrying.
   */
  private static final class LocalFileException extends IOException {
    private static final long serialVersionUID = 1L;

    LocalFileException(String message, IOException cause) {
      super(message, cause);
    }
  }

  private static void copy(InputStream in, OutputStream out, Path file) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) >= 0; ) {
      try {
        out.write(buf, 0, n);
      } catch (IOException e) {
        throw new LocalFileException("writing " + file + " failed: " + e.getMessage(), e);
      }
    }
  }

  /** The stream of {@link #open}: failures while reading become {@link StorageException}s. */
  private final class ReadStream extends FilterInputStream {
    private final String key;

    ReadStream(InputStream in, String key) {
      super(in);
      this.key = key;
    }

    private StorageException broken(IOException e) {
      return new StorageException(
          "reading " + where(key) + " broke off: " + e + "; read it again", e);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (IOException e) {
        throw broken(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (IOException e) {
        throw broken(e);
      }
    }

    @Override
    public long skip(long n) throws IOException {
      try {
        return super.skip(n);
      } catch (IOException e) {
        throw broken(e);
      }
    }
  }

  /**
   * Checks a key before it goes to the endpoint. Besides S3's own limits, a key must be a clean
   * relative path: no leading or trailing {@code /}, no empty segment ({@code //}), no {@code .} or
   * {@code ..} segment and no control character. Endpoints over a file system (S3Proxy's, MinIO's)
   * map keys to files, where such a key could name another object or a file outside the bucket, and
   * any of them in a key built from an id means the id was not what it claimed.
   *
   * @param key the key
   * @throws IllegalArgumentException saying what is wrong with it
   */
  static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("an object key must not be empty");
    }
    if (key.startsWith("/") || key.endsWith("/")) {
      throw new IllegalArgumentException(
          "object key '"
              + printable(key)
              + "' must not start or end with '/' (S3 keys are relative)");
    }
    checkSegments(key, "object key");
    if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
      throw new IllegalArgumentException(
          "object key '" + key.substring(0, 40) + "...' is longer than S3's 1024 bytes");
    }
  }

  /**
   * Checks the prefix of a listing: the rules of {@link #checkKey}, except that it may be empty or
   * end with {@code /}.
   */
  static void checkPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty()) {
      return;
    }
    if (prefix.startsWith("/")) {
      throw new IllegalArgumentException(
          "prefix '" + printable(prefix) + "' must not start with '/' (S3 keys are relative)");
    }
    checkSegments(
        prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix, "prefix");
  }

  private static void checkSegments(String key, String what) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        throw new IllegalArgumentException(
            what
                + " '"
                + printable(key)
                + "' contains the control character "
                + String.format(Locale.ROOT, "U+%04X", (int) c)
                + " at position "
                + i);
      }
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            what
                + " '"
                + printable(key)
                + "' has "
                + (segment.isEmpty() ? "an empty segment ('//')" : "a '" + segment + "' segment")
                + "; keys are relative paths of named segments, e.g. runs/run-a/checkpoint.bin");
      }
    }
  }

  /** A key as it can appear in a message: control characters escaped, a long key cut short. */
  private static String printable(String key) {
    String cut = key.length() > 200 ? key.substring(0, 200) : key;
    StringBuilder sb = new StringBuilder();
    for (char c : cut.toCharArray()) {
      sb.append(
          c < 0x20 || (c >= 0x7f && c <= 0x9f)
              ? String.format(Locale.ROOT, "\\u%04x", (int) c)
              : String.valueOf(c));
    }
    return cut.length() < key.length() ? sb + "..." : sb.toString();
  }

  private static Map<String, String> checkMetadata(Map<String, String> metadata) {
    Map<String, String> out = new TreeMap<>();
    if (metadata == null) {
      return out;
    }
    int bytes = 0;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      if (k == null || !METADATA_KEY.matcher(k).matches()) {
        throw new IllegalArgumentException(
            "metadata key '" + k + "' must be ASCII letters, digits and hyphens");
      }
      if (v == null || !v.chars().allMatch(c -> c >= 0x20 && c < 0x7f) || !v.strip().equals(v)) {
        throw new IllegalArgumentException(
            "metadata value of '"
                + k
                + "' must be printable ASCII without leading or trailing blanks (it travels as"
                + " an HTTP header), was '"
                + v
                + "'");
      }
      bytes += k.length() + v.length();
      out.put(k.toLowerCase(Locale.ROOT), v);
    }
    if (bytes > MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          "metadata of " + bytes + " bytes exceeds S3's limit of " + MAX_METADATA_BYTES);
    }
    return out;
  }

  private static Map<String, String> metadata(Map<String, String> listed) {
    if (listed == null || listed.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new TreeMap<>();
    listed.forEach((k, v) -> out.put(metadataName(k), v));
    return Collections.unmodifiableMap(out);
  }

  private static String metadataName(String header) {
    String k = header.toLowerCase(Locale.ROOT);
    return k.startsWith(META_PREFIX) ? k.substring(META_PREFIX.length()) : k;
  }

  /**
   * Where {@link #putFile} uploads before the copy: a unique name under {@link #TEMPORARY_DIR} in
   * the destination's folder, so that it shares the destination's lifecycle rules and permissions.
   */
  static String temporaryKey(String key) {
    int slash = key.lastIndexOf('/');
    return key.substring(0, slash + 1)
        + TEMPORARY_DIR
        + key.substring(slash + 1)
        + "."
        + UUID.randomUUID();
  }
}
