package org.picilab.platform.stack;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.picilab.platform.store.EmbeddedS3;
import org.picilab.platform.store.S3Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack of {@code pici up}: Temporal's own Java test server on a local port and an S3
 * endpoint over a local directory, each started only when the settings do not point at a real
 * server already.
 *
 * <p>Both listen on the loopback interface only. Neither checks who calls (the test server has no
 * authentication at all), so binding them to every interface would let anyone on the network start,
 * signal or terminate workflows and read or overwrite checkpoints. Other machines reach a stack
 * through a real Temporal server and S3 endpoint instead (see "Running distributed" in the README).
 */
public final class EmbeddedStack implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStack.class);

  /** The only address the embedded servers listen on. */
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final LoopbackTemporal temporal;
  private final EmbeddedS3 s3;
  private final PlatformSettings settings;

  private EmbeddedStack(LoopbackTemporal temporal, EmbeddedS3 s3, PlatformSettings settings) {
    this.temporal = temporal;
    this.s3 = s3;
    this.settings = settings;
  }

  /**
   * Starts what the settings leave to the stack.
   *
   * @param base the resolved settings
   * @param startTemporal whether to start the embedded Temporal server
   * @param temporalPort its port on the loopback interface, or 0 for a free one
   * @param startS3 whether to start the embedded S3 endpoint
   * @param s3Port its port on the loopback interface, or 0 for a free one
   * @return the running stack; {@link #settings()} points at it
   * @throws IOException when a port is taken or a server fails to start
   */
  public static EmbeddedStack start(
      PlatformSettings base, boolean startTemporal, int temporalPort, boolean startS3, int s3Port)
      throws IOException {
    LoopbackTemporal temporal = null;
    EmbeddedS3 s3 = null;
    String temporalAddress = base.temporalAddress();
    S3Settings s3Settings = base.s3();
    try {
      if (startTemporal) {
        if (temporalPort != 0) {
          requireFree(temporalPort, "Temporal", "--temporal-port");
        }
        temporal = LoopbackTemporal.start(temporalPort);
        temporalAddress = LOOPBACK.getHostAddress() + ":" + temporal.port();
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
      PlatformSettings settings = base.with(temporalAddress, s3Settings);
      if (temporal != null && !base.temporalAccess().equals(TemporalAccess.PLAIN)) {
        // The embedded server speaks plain gRPC on loopback; TLS settings are for a real server.
        LOG.warn(
            "TEMPORAL_TLS_* and TEMPORAL_API_KEY apply to a real server (TEMPORAL_ADDRESS); the"
                + " embedded one on loopback is used without them");
        settings = settings.withTemporalAccess(TemporalAccess.PLAIN);
      }
      return new EmbeddedStack(temporal, s3, settings);
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
      socket.bind(new InetSocketAddress(LOOPBACK, port));
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

  /**
   * The port of the embedded Temporal server.
   *
   * @return the TCP port on the loopback interface, or -1 when Temporal is not embedded
   */
  public int temporalPort() {
    return temporal != null ? temporal.port() : -1;
  }

  /**
   * The port of the embedded S3 endpoint.
   *
   * @return the TCP port on the loopback interface, or -1 when S3 is not embedded
   */
  public int s3Port() {
    return s3 != null ? s3.port() : -1;
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

  /**
   * Temporal's test services behind a gRPC server bound to the loopback address. The test server's
   * own {@code TestServer.createPortBoundServer} binds the wildcard address (every interface), so
   * the stack assembles the same services and health checks itself on a loopback-only socket.
   */
  private static final class LoopbackTemporal implements AutoCloseable {
    private final TestServicesStarter services;
    private final Server server;

    private LoopbackTemporal(TestServicesStarter services, Server server) {
      this.services = services;
      this.server = server;
    }

    static LoopbackTemporal start(int port) throws IOException {
      // No time skipping: workflows of the stack wait in real time, as on a real server.
      TestServicesStarter services = new TestServicesStarter(false, 0);
      try {
        NettyServerBuilder builder =
            NettyServerBuilder.forAddress(new InetSocketAddress(LOOPBACK, port));
        GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
        return new LoopbackTemporal(services, builder.build().start());
      } catch (IOException | RuntimeException e) {
        services.close();
        throw e;
      }
    }

    int port() {
      return server.getPort();
    }

    @Override
    public void close() {
      server.shutdown();
      try {
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
          LOG.warn("the embedded Temporal server did not stop within 5 s; closing its calls");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      services.close();
      server.shutdownNow();
    }
  }
}
