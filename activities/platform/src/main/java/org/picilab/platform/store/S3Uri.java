package org.picilab.platform.store;

import java.util.Objects;

/**
 * An {@code s3://bucket/key} address as MLflow, the AWS CLI and people write them. The key may be
 * empty (the whole bucket) or a prefix ending in {@code /}.
 *
 * @param bucket the bucket
 * @param key the key or prefix inside it, without a leading slash; may be empty
 */
public record S3Uri(String bucket, String key) {

  private static final String SCHEME = "s3://";

  /**
   * Validates the parts.
   *
   * @throws IllegalArgumentException when the bucket is not a valid name or the key starts with a
   *     slash
   */
  public S3Uri {
    String problem = S3Settings.bucketProblem(bucket);
    if (problem != null) {
      throw new IllegalArgumentException(
          "bucket " + S3Settings.quote(bucket) + " " + problem + " (S3 bucket naming rules)");
    }
    Objects.requireNonNull(key, "key");
    if (key.startsWith("/")) {
      throw new IllegalArgumentException(
          "key " + S3Settings.quote(key) + " starts with '/'; S3 keys are relative to the bucket");
    }
  }

  /**
   * Parses {@code s3://bucket}, {@code s3://bucket/} or {@code s3://bucket/some/prefix}.
   *
   * @param uri the address
   * @return its bucket and key
   * @throws IllegalArgumentException saying what is wrong and what a valid address looks like
   */
  public static S3Uri parse(String uri) {
    String example = "; write it as s3://bucket/some/prefix";
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("the S3 address is empty" + example);
    }
    if (!uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      throw new IllegalArgumentException(
          "not an S3 address: " + S3Settings.quote(uri) + " does not start with s3://" + example);
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    String problem = S3Settings.bucketProblem(bucket);
    if (problem != null) {
      throw new IllegalArgumentException(
          "not an S3 address: the bucket of "
              + S3Settings.quote(uri)
              + " "
              + problem
              + " (3 to 63 lowercase letters, digits, dots and hyphens)"
              + example);
    }
    if (key.startsWith("/")) {
      throw new IllegalArgumentException(
          "not an S3 address: " + S3Settings.quote(uri) + " has '//' after the bucket" + example);
    }
    return new S3Uri(bucket, key);
  }

  /**
   * Appends a relative path to the key, with exactly one slash between them.
   *
   * @param child e.g. {@code checkpoints/e0001-b0000.ckpt}; not empty, no leading slash
   * @return the address of the child
   * @throws IllegalArgumentException when the child is empty or absolute
   */
  public S3Uri resolve(String child) {
    if (child == null || child.isEmpty()) {
      throw new IllegalArgumentException("cannot resolve an empty path against " + this);
    }
    if (child.startsWith("/")) {
      throw new IllegalArgumentException(
          "cannot resolve "
              + S3Settings.quote(child)
              + " against "
              + this
              + ": it starts with '/'; pass a relative path");
    }
    if (key.isEmpty()) {
      return new S3Uri(bucket, child);
    }
    return new S3Uri(bucket, key.endsWith("/") ? key + child : key + "/" + child);
  }

  /** The address as {@code s3://bucket/key}. */
  @Override
  public String toString() {
    return SCHEME + bucket + "/" + key;
  }
}
