package org.picilab.platform.stack;

import io.temporal.testserver.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.S3Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack of {@code pici up}: Temporal's own Java test server on a local port and an S3
 * endpoint over a local directory, each started only when the settings do not point at a real
 * server already.
 */
public final class EmbeddedStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

  private final TestServer.PortBoundTestServer temporal;
  private final EmbeddedS3 s3;
  private final PlatformSettings settings;

  private EmbeddedStack(
      TestServer.PortBoundTestServer temporal, EmbeddedS3 s3, PlatformSettings settings) {
    this.temporal = temporal;
    this.s3 = s3;
    this.settings = settings;
  }

  /**
   * Starts what the settings leave to the stack.
   *
   * @param base the resolved settings
   * @param startTemporal whether to start the embedded Temporal server
   * @param temporalPort its port
   * @param startS3 whether to start the embedded S3 endpoint
   * @param s3Port its port
   * @return the running stack; {@link #settings()} points at it
   * @throws IOException when a port is taken or a server fails to start
   */
  public static EmbeddedStack start(
      PlatformSettings base, boolean startTemporal, int temporalPort, boolean startS3, int s3Port)
      throws IOException {
    TestServer.PortBoundTestServer temporal = null;
    EmbeddedS3 s3 = null;
    String temporalAddress = base.temporalAddress();
    S3Settings s3Settings = base.s3();
    try {
      if (startTemporal) {
        requireFree(temporalPort, "Temporal", "--temporal-port");
        temporal = TestServer.createPortBoundServer(temporalPort);
        temporalAddress = "127.0.0.1:" + temporalPort;
        LOG.info("Temporal test server on {}", temporalAddress);
      }
      if (startS3) {
        Path dir = base.home().resolve("s3");
        s3 = EmbeddedS3.start(dir, s3Port, s3Settings.accessKey(), s3Settings.secretKey());
        s3Settings =
            new S3Settings(
                s3.endpoint(),
                s3Settings.accessKey(),
                s3Settings.secretKey(),
                s3Settings.bucket(),
                s3Settings.region());
        LOG.info("S3 endpoint {} over {}", s3.endpoint(), dir);
      }
      return new EmbeddedStack(temporal, s3, base.with(temporalAddress, s3Settings));
    } catch (IOException | RuntimeException e) {
      if (s3 != null) {
        s3.close();
      }
      if (temporal != null) {
        temporal.close();
      }
      throw e;
    }
  }

  private static void requireFree(int port, String what, String option) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw new IOException(
          "port "
              + port
              + " for "
              + what
              + " is in use: is another `pici up` running? Stop it, or choose another port with "
              + option,
          e);
    }
  }

  /**
   * The settings that point at this stack.
   *
   * @return the settings
   */
  public PlatformSettings settings() {
    return settings;
  }

  /**
   * Whether Temporal runs embedded.
   *
   * @return true when this stack started the test server
   */
  public boolean embeddedTemporal() {
    return temporal != null;
  }

  /**
   * Whether S3 runs embedded.
   *
   * @return true when this stack started the S3 endpoint
   */
  public boolean embeddedS3() {
    return s3 != null;
  }

  @Override
  public void close() {
    if (s3 != null) {
      s3.close();
    }
    if (temporal != null) {
      temporal.close();
    }
  }
}
