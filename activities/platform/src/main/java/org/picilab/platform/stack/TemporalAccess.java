package org.picilab.platform.stack;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.picilab.platform.security.Redact;

/**
 * How to reach a real Temporal server securely: TLS (a CA to check the server, a client certificate
 * and key for mutual TLS, the name the server's certificate carries) and an API key, all from the
 * environment. The embedded server of {@code pici up} needs none of it: it listens on loopback
 * only.
 *
 * <p>TLS is on when {@code TEMPORAL_TLS=true}, or when any of the other variables is set and {@code
 * TEMPORAL_TLS} is not. Without a CA the JVM's trust store checks the server (e.g. Temporal Cloud);
 * without a client certificate none is presented (API-key authentication).
 *
 * @param tls whether the connection uses TLS
 * @param ca the PEM file of the CA certificates that check the server, or null for the JVM's
 * @param cert the PEM file of the client certificate chain, or null for none
 * @param key the PEM file of the client certificate's private key (PKCS#8), or null for none
 * @param serverName the name to check the server's certificate against, or null for the host of the
 *     address
 * @param apiKey the API key sent as a bearer token with every call, or null for none; never printed
 */
public record TemporalAccess(
    boolean tls, Path ca, Path cert, Path key, String serverName, String apiKey) {

  /** Turns TLS on or off ({@code true} or {@code false}); by default on when anything below is. */
  public static final String TLS_VAR = "TEMPORAL_TLS";

  /** The PEM file of the CA certificates that check the server. */
  public static final String CA_VAR = "TEMPORAL_TLS_CA";

  /** The PEM file of the client certificate chain (mutual TLS). */
  public static final String CERT_VAR = "TEMPORAL_TLS_CERT";

  /** The PEM file of the client certificate's private key, PKCS#8 ({@code BEGIN PRIVATE KEY}). */
  public static final String KEY_VAR = "TEMPORAL_TLS_KEY";

  /** The name the server's certificate must carry, when it differs from the address's host. */
  public static final String SERVER_NAME_VAR = "TEMPORAL_TLS_SERVER_NAME";

  /** The API key, sent as {@code Authorization: Bearer <key>}. */
  public static final String API_KEY_VAR = "TEMPORAL_API_KEY";

  /**
   * A plain connection: no TLS, no API key (the embedded server, a server on a private network).
   */
  public static final TemporalAccess PLAIN =
      new TemporalAccess(false, null, null, null, null, null);

  /**
   * Validates the combination.
   *
   * @throws IllegalArgumentException naming the variables when they do not fit together
   */
  public TemporalAccess {
    serverName = blankToNull(serverName);
    apiKey = blankToNull(apiKey);
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException(
          (cert == null ? KEY_VAR + " is set but " + CERT_VAR : CERT_VAR + " is set but " + KEY_VAR)
              + " is not; mutual TLS needs both the client certificate and its private key");
    }
    if (!tls && (ca != null || cert != null || serverName != null)) {
      throw new IllegalArgumentException(
          TLS_VAR
              + "=false contradicts "
              + (ca != null ? CA_VAR : cert != null ? CERT_VAR : SERVER_NAME_VAR)
              + "; unset "
              + TLS_VAR
              + " or the TLS settings");
    }
    if (!tls && apiKey != null) {
      throw new IllegalArgumentException(
          API_KEY_VAR
              + " is set but "
              + TLS_VAR
              + "=false: the key would travel in clear text. Use TLS (unset "
              + TLS_VAR
              + ", and set "
              + CA_VAR
              + " when the server's certificate is not signed by a public CA)");
    }
  }

  /**
   * Reads the settings from the environment; a variable that is unset or blank keeps the default.
   *
   * @param env the environment
   * @param defaults the values where a variable is unset (from the stack file, or {@link #PLAIN})
   * @return the validated settings
   * @throws IllegalArgumentException naming the variable when a value is not usable
   */
  public static TemporalAccess fromEnv(Map<String, String> env, TemporalAccess defaults) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(defaults, "defaults");
    Path ca = path(env, CA_VAR, defaults.ca());
    Path cert = path(env, CERT_VAR, defaults.cert());
    Path key = path(env, KEY_VAR, defaults.key());
    String serverName = pick(env, SERVER_NAME_VAR, defaults.serverName());
    String apiKey = pick(env, API_KEY_VAR, defaults.apiKey());
    String tlsText = blankToNull(env.get(TLS_VAR));
    boolean tls;
    if (tlsText == null) {
      tls =
          defaults.tls()
              || ca != null
              || cert != null
              || key != null
              || serverName != null
              || apiKey != null;
    } else if (tlsText.equalsIgnoreCase("true")) {
      tls = true;
    } else if (tlsText.equalsIgnoreCase("false")) {
      tls = false;
    } else {
      throw new IllegalArgumentException(
          TLS_VAR + " must be true or false, was '" + Redact.uri(tlsText) + "'");
    }
    return new TemporalAccess(tls, ca, cert, key, serverName, apiKey);
  }

  /**
   * Applies the settings to the options of a Temporal connection.
   *
   * @param options the options being built
   * @throws IOException naming the variable and the file when a file is missing, unreadable or not
   *     what it should be
   */
  public void configure(WorkflowServiceStubsOptions.Builder options) throws IOException {
    if (tls) {
      options.setSslContext(sslContext());
      if (serverName != null) {
        options.setChannelInitializer(channel -> channel.overrideAuthority(serverName));
      }
    }
    if (apiKey != null) {
      String bearer = apiKey;
      options.addApiKey(() -> bearer);
    }
  }

  /**
   * The TLS context of the client: the CA (or the JVM's trust store) and the client certificate.
   *
   * @return the context
   * @throws IOException naming the variable and the file when one cannot be used
   */
  SslContext sslContext() throws IOException {
    SslContextBuilder builder = GrpcSslContexts.forClient();
    if (ca != null) {
      requireReadable(CA_VAR, ca);
      try {
        builder.trustManager(ca.toFile());
      } catch (IllegalArgumentException e) {
        throw unusable(CA_VAR, ca, "PEM certificates (BEGIN CERTIFICATE)", e);
      }
    }
    if (cert != null) {
      requireReadable(CERT_VAR, cert);
      requireReadable(KEY_VAR, key);
      try {
        builder.keyManager(cert.toFile(), key.toFile());
      } catch (IllegalArgumentException e) {
        throw new IOException(
            CERT_VAR
                + " ("
                + cert
                + ") and "
                + KEY_VAR
                + " ("
                + key
                + ") are not a usable client certificate and key: "
                + rootMessage(e)
                + ". The certificate must be PEM (BEGIN CERTIFICATE) and the key unencrypted"
                + " PKCS#8 PEM (BEGIN PRIVATE KEY; convert with openssl pkcs8 -topk8 -nocrypt)",
            e);
      }
    }
    try {
      return builder.build();
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          "cannot set up TLS for Temporal from "
              + this
              + ": "
              + rootMessage(e)
              + "; check the files named by "
              + CA_VAR
              + ", "
              + CERT_VAR
              + " and "
              + KEY_VAR,
          e);
    }
  }

  /** Shows the settings without the API key. */
  @Override
  public String toString() {
    return "TemporalAccess[tls="
        + tls
        + (ca != null ? ", ca=" + ca : "")
        + (cert != null ? ", cert=" + cert + ", key=" + key : "")
        + (serverName != null ? ", serverName=" + serverName : "")
        + (apiKey != null ? ", apiKey=" + Redact.MASK : "")
        + "]";
  }

  private static void requireReadable(String var, Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new IOException(
          var + " names " + file + ", which does not exist; set it to the PEM file to use");
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IOException(
          var
              + " names "
              + file
              + ", which is not a readable file; check its permissions (the process runs as "
              + System.getProperty("user.name")
              + ")");
    }
  }

  private static IOException unusable(String var, Path file, String expected, Exception e) {
    return new IOException(
        var + " (" + file + ") does not hold " + expected + ": " + rootMessage(e), e);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return Redact.uri(m);
  }

  private static Path path(Map<String, String> env, String var, Path fallback) {
    String v = blankToNull(env.get(var));
    return v == null ? fallback : Path.of(v);
  }

  private static String pick(Map<String, String> env, String var, String fallback) {
    String v = blankToNull(env.get(var));
    return v == null ? fallback : v;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /**
   * Whether a failure to connect came from the TLS handshake (an untrusted or misnamed server
   * certificate, a refused client certificate) rather than from the network.
   *
   * @param e the failure
   * @return true when an SSL or certificate exception is among its causes
   */
  static boolean isTlsFailure(Throwable e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      String name = t.getClass().getName().toLowerCase(Locale.ROOT);
      if (t instanceof javax.net.ssl.SSLException
          || t instanceof java.security.cert.CertificateException
          || name.contains("ssl")
          || name.contains("certificate")) {
        return true;
      }
    }
    return false;
  }
}
