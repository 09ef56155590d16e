package org.picilab.platform.store;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3 endpoint inside this process, for the one-command local stack: S3Proxy serving a folder
 * over HTTP on the loopback interface, with AWS signature v2 and v4 checked against one key pair.
 * Each bucket is a folder of {@code dataDir} and each object a file under it, so the objects
 * survive a restart: start again on the same folder and they are there.
 *
 * <p>Close every client before {@link #close()}: the endpoint gives in-flight requests a short
 * grace period to finish, and an idle keep-alive connection would otherwise hold the stop for that
 * long.
 */
public final class EmbeddedS3 implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

  /** The loopback address it listens on; nothing outside this machine can reach it. */
  public static final String HOST = "127.0.0.1";

  /**
   * How long {@link #close()} lets requests in flight finish. Short, because the clients of this
   * endpoint make every object visible atomically (an aborted upload leaves nothing behind).
   */
  private static final long STOP_GRACE_MS = 500;

  private final S3Proxy proxy;
  private final BlobStore blobStore;
  private final Path dataDir;
  private final int port;

  private EmbeddedS3(S3Proxy proxy, BlobStore blobStore, Path dataDir, int port) {
    this.proxy = proxy;
    this.blobStore = blobStore;
    this.dataDir = dataDir;
    this.port = port;
  }

  /**
   * Starts the endpoint.
   *
   * @param dataDir where buckets and objects are kept; created when missing
   * @param port the TCP port on 127.0.0.1, or 0 for a free one
   * @param accessKey the access key clients sign with
   * @param secretKey its secret
   * @return the running endpoint; close it to stop
   * @throws IOException when the port is in use or the folder cannot be used
   */
  public static EmbeddedS3 start(Path dataDir, int port, String accessKey, String secretKey)
      throws IOException {
    Objects.requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 (any free port) to 65535, was " + port);
    }
    if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isEmpty()) {
      throw new IllegalArgumentException(
          "the embedded S3 endpoint needs an access key and a secret key; neither may be empty");
    }
    Path dir = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    if (!Files.isWritable(dir)) {
      throw new IOException(
          "the data folder of the embedded S3 endpoint, " + dir + ", is not writable");
    }
    if (port != 0) {
      // Jetty reports a taken port deep inside its start-up; probing first gives a clear message.
      checkPortFree(port);
    }
    Properties props = new Properties();
    // S3Proxy 4 keeps the jclouds property name for its own (NIO.2) filesystem store.
    props.setProperty("jclouds.filesystem.basedir", dir.toString());
    BlobStore blobStore = BlobStores.create("filesystem", props);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://" + HOST + ":" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .stopTimeout(STOP_GRACE_MS)
            .build();
    try {
      proxy.start();
    } catch (Exception e) {
      stopQuietly(proxy);
      blobStore.close();
      if (hasCause(e, BindException.class)) {
        throw portInUse(port, e);
      }
      throw new IOException(
          "the embedded S3 endpoint on " + HOST + ":" + port + " did not start: " + e, e);
    }
    int actual = proxy.getPort();
    LOG.info("embedded S3 endpoint at http://{}:{} storing in {}", HOST, actual, dir);
    return new EmbeddedS3(proxy, blobStore, dir, actual);
  }

  /**
   * The base URL for clients.
   *
   * @return e.g. {@code http://127.0.0.1:9000}
   */
  public String endpoint() {
    return "http://" + HOST + ":" + port;
  }

  /**
   * The port it listens on, the chosen one when started with 0.
   *
   * @return the TCP port
   */
  public int port() {
    return port;
  }

  /**
   * The folder that holds the buckets.
   *
   * @return the absolute path
   */
  public Path dataDir() {
    return dataDir;
  }

  /** Stops the endpoint; the objects stay in the data folder. */
  @Override
  public void close() {
    stopQuietly(proxy);
    blobStore.close();
    LOG.info("embedded S3 endpoint on port {} stopped", port);
  }

  @Override
  public String toString() {
    return "EmbeddedS3[" + endpoint() + " -> " + dataDir + "]";
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (TimeoutException e) {
      // Jetty waited out the grace period for connections a client still held open, then closed
      // them; the endpoint is stopped all the same.
      LOG.debug("connections still open after {} ms were closed", STOP_GRACE_MS);
    } catch (Exception e) {
      LOG.warn("stopping the embedded S3 endpoint failed: {}", e.toString());
    }
  }

  private static void checkPortFree(int port) throws IOException {
    try (ServerSocket probe = new ServerSocket()) {
      // Jetty binds with SO_REUSEADDR, so a port left in TIME_WAIT by a previous run is usable;
      // probe the same way so that only a live listener counts as "in use".
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
    } catch (BindException e) {
      throw portInUse(port, e);
    }
  }

  private static IOException portInUse(int port, Exception cause) {
    return new IOException(
        "port "
            + port
            + " is in use; stop the program that listens there (e.g. an earlier pici up), or"
            + " choose another port for the embedded S3 endpoint (0 picks a free one)",
        cause);
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
