package org.picilab.platform.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.picilab.platform.security.Redact;

/**
 * Where the object store lives and how to sign in: the same record serves the embedded endpoint of
 * {@code pici up} and a MinIO or AWS endpoint of the distributed stack. The compact constructor
 * validates every field and names the environment variable that sets it, so a bad value fails at
 * start-up with a message a person can act on.
 *
 * @param endpoint base URL of the S3 API, {@code http://} or {@code https://}, no path (e.g. {@code
 *     http://127.0.0.1:9000})
 * @param accessKey the access key id
 * @param secretKey the secret key; never printed
 * @param bucket the bucket objects go to, created by {@link S3ObjectStore#connect} when missing
 * @param region the signing region (e.g. {@code us-east-1}); MinIO and the embedded endpoint accept
 *     any
 */
public record S3Settings(
    String endpoint, String accessKey, String secretKey, String bucket, String region) {

  /** The environment variable that sets {@link #endpoint()}. */
  public static final String ENDPOINT_VAR = "PICI_S3_ENDPOINT";

  /** The environment variable that sets {@link #accessKey()}. */
  public static final String ACCESS_KEY_VAR = "PICI_S3_ACCESS_KEY";

  /** The environment variable that sets {@link #secretKey()}. */
  public static final String SECRET_KEY_VAR = "PICI_S3_SECRET_KEY";

  /** The environment variable that sets {@link #bucket()}. */
  public static final String BUCKET_VAR = "PICI_S3_BUCKET";

  /** The environment variable that sets {@link #region()}. */
  public static final String REGION_VAR = "PICI_S3_REGION";

  private static final Pattern REGION = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /**
   * Validates the settings.
   *
   * @throws IllegalArgumentException naming the variable and the value when one is not usable
   */
  public S3Settings {
    endpoint = checkEndpoint(endpoint);
    if (accessKey == null || accessKey.isBlank()) {
      throw new IllegalArgumentException(
          ACCESS_KEY_VAR
              + " (the S3 access key) is empty; set it to the access key of the endpoint");
    }
    if (secretKey == null || secretKey.isEmpty()) {
      throw new IllegalArgumentException(
          SECRET_KEY_VAR + " (the S3 secret key) is empty; set it to the secret of the access key");
    }
    String bucketProblem = bucketProblem(bucket);
    if (bucketProblem != null) {
      throw new IllegalArgumentException(
          BUCKET_VAR
              + " is not a valid bucket name: "
              + quote(bucket)
              + " "
              + bucketProblem
              + "; use 3 to 63 lowercase letters, digits, dots and hyphens, e.g. pici");
    }
    if (region == null || !REGION.matcher(region).matches()) {
      throw new IllegalArgumentException(
          REGION_VAR
              + " is not a region name: "
              + quote(region)
              + "; use lowercase letters, digits and hyphens, e.g. us-east-1");
    }
  }

  /**
   * Reads settings from environment variables ({@code PICI_S3_ENDPOINT}, {@code
   * PICI_S3_ACCESS_KEY}, {@code PICI_S3_SECRET_KEY}, {@code PICI_S3_BUCKET}, {@code
   * PICI_S3_REGION}). A variable that is unset or blank keeps the default: compose files pass
   * {@code VAR=} for a substitution that has no value, and that should not count as an empty key.
   *
   * @param env the environment, usually {@code System.getenv()}
   * @param defaults the values to use where a variable is unset
   * @return the validated settings
   * @throws IllegalArgumentException naming the variable when a value is not usable
   */
  public static S3Settings fromEnv(Map<String, String> env, S3Settings defaults) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(defaults, "defaults");
    return new S3Settings(
        pick(env, ENDPOINT_VAR, defaults.endpoint()),
        pick(env, ACCESS_KEY_VAR, defaults.accessKey()),
        pick(env, SECRET_KEY_VAR, defaults.secretKey()),
        pick(env, BUCKET_VAR, defaults.bucket()),
        pick(env, REGION_VAR, defaults.region()));
  }

  /**
   * The same settings with another bucket, e.g. for a test that wants a bucket of its own.
   *
   * @param other the bucket name
   * @return the new settings
   */
  public S3Settings withBucket(String other) {
    return new S3Settings(endpoint, accessKey, secretKey, other, region);
  }

  /** Shows the settings without their secrets (the access key id masked), so they can be logged. */
  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + Redact.uri(endpoint)
        + ", accessKey="
        + Redact.accessKey(accessKey)
        + ", secretKey="
        + Redact.MASK
        + ", bucket="
        + bucket
        + ", region="
        + region
        + "]";
  }

  private static String pick(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static String checkEndpoint(String endpoint) {
    String hint = "; use an http(s) URL with a host and no path, e.g. http://127.0.0.1:9000";
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalArgumentException(ENDPOINT_VAR + " (the S3 endpoint) is empty" + hint);
    }
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          ENDPOINT_VAR
              + " is not a URL: "
              + quote(Redact.uri(endpoint))
              + " ("
              + Redact.uri(e.getReason())
              + ")"
              + hint);
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(
          ENDPOINT_VAR + " is not an http(s) URL: " + quote(Redact.uri(endpoint)) + hint);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          ENDPOINT_VAR
              + " must name only scheme, host and port: "
              + quote(Redact.uri(endpoint))
              + " has more"
              + hint
              + " (the bucket goes in "
              + BUCKET_VAR
              + ")");
    }
    // A trailing slash is harmless but would make two spellings of one endpoint.
    return endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
  }

  /**
   * Checks a bucket name against the S3 naming rules that every endpoint enforces.
   *
   * @param bucket the name
   * @return what is wrong, or null when it is valid
   */
  static String bucketProblem(String bucket) {
    if (bucket == null || bucket.isEmpty()) {
      return "is empty";
    }
    if (bucket.length() < 3 || bucket.length() > 63) {
      return "has " + bucket.length() + " characters";
    }
    for (int i = 0; i < bucket.length(); i++) {
      char c = bucket.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
      if (!ok) {
        return "contains " + quote(String.valueOf(c));
      }
    }
    if (!Character.isLetterOrDigit(bucket.charAt(0))
        || !Character.isLetterOrDigit(bucket.charAt(bucket.length() - 1))) {
      return "must begin and end with a letter or digit";
    }
    if (bucket.contains("..")) {
      return "contains two dots in a row";
    }
    return null;
  }

  static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }
}
