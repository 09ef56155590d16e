package org.picilab.platform.security;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks credentials in what the platform shows: log lines, error messages, records and banners.
 * Settings such as {@code MLFLOW_TRACKING_URI}, {@code TEMPORAL_ADDRESS}, {@code PICI_S3_ENDPOINT}
 * or a database URL may carry a user name and password ({@code https://user:secret@host}) or a
 * token in their query ({@code ?token=...}); every place that prints one passes it through {@link
 * #uri} first, and an S3 access key id through {@link #accessKey}.
 */
public final class Redact {

  /** What stands in for a masked secret. */
  public static final String MASK = "***";

  /** The user-info of a URL: what lies between {@code scheme://} and the first {@code @}. */
  private static final Pattern USER_INFO =
      Pattern.compile("(?<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]+@");

  /**
   * A query or matrix parameter whose name says it holds a secret, e.g. {@code password=}, {@code
   * access_token=}, {@code X-Amz-Signature=}, {@code api-key=}.
   */
  private static final Pattern SECRET_PARAM =
      Pattern.compile(
          "(?<sep>[?&;])(?<name>[^=&;#\\s]*(?:token|passw|pwd|secret|key|signature|credential"
              + "|auth|session)[^=&;#\\s]*)=[^&;#\\s]*",
          Pattern.CASE_INSENSITIVE);

  private Redact() {}

  /**
   * Masks the credentials of every URL in a text: the user-info becomes {@code ***} and the value
   * of each parameter named like a secret (token, password, secret, key, signature, credential,
   * auth, session) becomes {@code ***}. Works on a bare URI as well as on a message that quotes
   * one; host, port, path and the other parameters stay, so the result still says where.
   *
   * @param text a URI, an address or any message; may be null
   * @return the text with its credentials masked, or null for null
   */
  public static String uri(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out =
        USER_INFO.matcher(text).replaceAll("${scheme}" + Matcher.quoteReplacement(MASK) + "@");
    return SECRET_PARAM.matcher(out).replaceAll("${sep}${name}=" + Matcher.quoteReplacement(MASK));
  }

  /**
   * Masks an access key id: its first two characters stay, so that a person can tell which of their
   * keys is in use, and the rest becomes {@code ***}.
   *
   * @param accessKey the key id; may be null
   * @return e.g. {@code AK***}, or {@code ***} for a key of two characters or fewer, or null for
   *     null
   */
  public static String accessKey(String accessKey) {
    if (accessKey == null) {
      return null;
    }
    return accessKey.length() <= 2 ? MASK : accessKey.substring(0, 2) + MASK;
  }
}
