package org.picilab.platform.stack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and certificates it signs, made for a test with the JDK's own keytool:
 * PEM certificates and unencrypted PKCS#8 PEM keys, as a Temporal deployment hands them out.
 */
final class TestCertificates {

  private static final String PASS = "changeit";

  private final Path dir;
  private final String caAlias;

  private TestCertificates(Path dir, String caAlias) {
    this.dir = dir;
    this.caAlias = caAlias;
  }

  /**
   * Creates a CA in a folder.
   *
   * @param dir where the key stores and PEM files go
   * @param name the CA's name, also the prefix of its files
   * @return the CA
   * @throws IOException when keytool fails
   */
  static TestCertificates authority(Path dir, String name) throws IOException {
    TestCertificates ca = new TestCertificates(dir, name);
    ca.keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name,
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        ca.store(name).toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASS);
    ca.keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        name,
        "-keystore",
        ca.store(name).toString(),
        "-storepass",
        PASS,
        "-file",
        ca.certificate().toString());
    return ca;
  }

  /**
   * The CA's certificate.
   *
   * @return its PEM file
   */
  Path certificate() {
    return dir.resolve(caAlias + "-ca.pem");
  }

  /**
   * Issues a certificate signed by this CA.
   *
   * @param name the subject's name, also the prefix of its files
   * @param san the subject alternative names, e.g. {@code dns:temporal.test,ip:127.0.0.1}, or null
   * @return the certificate's PEM file; its key is {@link #key(String)}
   * @throws IOException when keytool fails
   */
  Path issue(String name, String san) throws IOException {
    Path store = store(name);
    keytool(
        "-genkeypair",
        "-alias",
        name,
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name,
        "-validity",
        "2",
        "-keystore",
        store.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        PASS);
    Path request = dir.resolve(name + ".csr");
    keytool(
        "-certreq",
        "-alias",
        name,
        "-keystore",
        store.toString(),
        "-storepass",
        PASS,
        "-file",
        request.toString());
    Path cert = dir.resolve(name + ".pem");
    List<String> args =
        new ArrayList<>(
            List.of(
                "-gencert",
                "-rfc",
                "-alias",
                caAlias,
                "-keystore",
                store(caAlias).toString(),
                "-storepass",
                PASS,
                "-infile",
                request.toString(),
                "-outfile",
                cert.toString(),
                "-validity",
                "2"));
    if (san != null) {
      args.addAll(List.of("-ext", "san=" + san));
    }
    keytool(args.toArray(String[]::new));
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASS.toCharArray());
      PrivateKey key = (PrivateKey) ks.getKey(name, PASS.toCharArray());
      String pem =
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(key.getEncoded())
              + "\n-----END PRIVATE KEY-----\n";
      Files.writeString(key(name), pem);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot read the key of " + name + " back", e);
    }
    return cert;
  }

  /**
   * The private key of an issued certificate.
   *
   * @param name the subject's name
   * @return its PKCS#8 PEM file
   */
  Path key(String name) {
    return dir.resolve(name + "-key.pem");
  }

  private Path store(String name) {
    return dir.resolve(name + ".p12");
  }

  private void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // A short-lived JVM each: skip the optimizing compiler, which only slows these down.
    command.add("-J-XX:TieredStopAtLevel=1");
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool " + String.join(" ", args) + " failed:\n" + out);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
