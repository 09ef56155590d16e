package org.picilab.platform.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Platform reaches a Temporal server over mutual TLS with an API key: Temporal's test services
 * behind a Netty server whose certificates the test makes, requiring a client certificate.
 */
@Timeout(120)
class TemporalTlsTest {

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir static Path dir;
  @TempDir Path home;

  static TestCertificates ca;
  static TestCertificates otherCa;
  static TestServicesStarter services;
  static Server server;
  static final Set<String> authorizations = ConcurrentHashMap.newKeySet();

  @BeforeAll
  static void start() throws Exception {
    ca = TestCertificates.authority(dir, "pici-test");
    otherCa = TestCertificates.authority(dir, "other");
    // The server's certificate names temporal.test only, not the address it is reached at.
    Path serverCert = ca.issue("server", "dns:temporal.test");
    ca.issue("client", null);
    ServerInterceptor recordAuthorization =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String value = headers.get(AUTHORIZATION);
            if (value != null) {
              authorizations.add(value);
            }
            return next.startCall(call, headers);
          }
        };
    services = new TestServicesStarter(false, 0);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .sslContext(
                GrpcSslContexts.forServer(serverCert.toFile(), ca.key("server").toFile())
                    .trustManager(ca.certificate().toFile())
                    .clientAuth(ClientAuth.REQUIRE)
                    .build());
    GRPCServerHelper.registerServicesAndHealthChecks(
        services.getServices(), builder, List.of(recordAuthorization));
    server = builder.build().start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    services.close();
  }

  private Map<String, String> env(Path caFile) {
    Map<String, String> env = new HashMap<>();
    env.put("PICI_HOME", home.toString());
    env.put("TEMPORAL_ADDRESS", "127.0.0.1:" + server.getPort());
    env.put("TEMPORAL_TLS_CA", caFile.toString());
    env.put("TEMPORAL_TLS_CERT", dir.resolve("client.pem").toString());
    env.put("TEMPORAL_TLS_KEY", ca.key("client").toString());
    env.put("TEMPORAL_TLS_SERVER_NAME", "temporal.test");
    env.put("TEMPORAL_API_KEY", "pici-api-key-1234");
    return env;
  }

  @Test
  void connectsOverMutualTlsAndSendsTheApiKey() throws IOException {
    PlatformSettings settings = PlatformSettings.resolve(env(ca.certificate()));
    assertTrue(settings.temporalAccess().tls());
    WorkflowServiceStubs stubs = Platform.temporal(settings);
    try {
      stubs.blockingStub().getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    } finally {
      stubs.shutdownNow();
    }
    assertTrue(authorizations.contains("Bearer pici-api-key-1234"), authorizations.toString());
    assertFalse(settings.toString().contains("pici-api-key-1234"), settings.toString());
    assertFalse(settings.temporalAccess().toString().contains("pici-api-key-1234"));
  }

  @Test
  void aServerSignedByAnotherCaIsRefusedNamingTheCaSetting() {
    IOException e =
        assertThrows(
            IOException.class,
            () -> Platform.temporal(PlatformSettings.resolve(env(otherCa.certificate()))));
    assertTrue(
        e.getMessage().startsWith("the TLS handshake with Temporal at 127.0.0.1:"), e.getMessage());
    assertTrue(
        e.getMessage().contains("TEMPORAL_TLS_CA (" + otherCa.certificate() + ")"), e.getMessage());
  }

  @Test
  void aMissingOrUnusableFileIsNamedWithItsVariable() throws IOException {
    Map<String, String> env = env(ca.certificate());
    env.put("TEMPORAL_TLS_CA", dir.resolve("nope.pem").toString());
    IOException e =
        assertThrows(IOException.class, () -> Platform.temporal(PlatformSettings.resolve(env)));
    assertEquals(
        "TEMPORAL_TLS_CA names "
            + dir.resolve("nope.pem")
            + ", which does not exist; set it to the PEM file to use",
        e.getMessage());

    env.put("TEMPORAL_TLS_CA", ca.key("client").toString());
    e = assertThrows(IOException.class, () -> Platform.temporal(PlatformSettings.resolve(env)));
    assertTrue(
        e.getMessage().startsWith("TEMPORAL_TLS_CA (" + ca.key("client") + ") does not hold"),
        e.getMessage());

    env.put("TEMPORAL_TLS_CA", ca.certificate().toString());
    env.put("TEMPORAL_TLS_KEY", ca.certificate().toString());
    e = assertThrows(IOException.class, () -> Platform.temporal(PlatformSettings.resolve(env)));
    assertTrue(
        e.getMessage().contains("TEMPORAL_TLS_KEY (" + ca.certificate() + ")"), e.getMessage());
  }

  @Test
  void settingsThatDoNotFitTogetherAreRefused() {
    Map<String, String> env = env(ca.certificate());
    env.remove("TEMPORAL_TLS_KEY");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PlatformSettings.resolve(env));
    assertTrue(
        e.getMessage().startsWith("TEMPORAL_TLS_CERT is set but TEMPORAL_TLS_KEY is not"),
        e.getMessage());
    Map<String, String> clear =
        Map.of("PICI_HOME", home.toString(), "TEMPORAL_API_KEY", "k", "TEMPORAL_TLS", "false");
    e = assertThrows(IllegalArgumentException.class, () -> PlatformSettings.resolve(clear));
    assertTrue(e.getMessage().contains("would travel in clear text"), e.getMessage());
    assertFalse(e.getMessage().contains("=k"), e.getMessage());
  }

  @Test
  void theStackFileCarriesTheSettingsToOtherProcesses() throws IOException {
    PlatformSettings settings = PlatformSettings.resolve(env(ca.certificate()));
    settings.writeStackFile(7);
    PlatformSettings read = PlatformSettings.resolve(Map.of("PICI_HOME", home.toString()));
    assertEquals(settings.temporalAccess(), read.temporalAccess());
    assertEquals(
        TemporalAccess.PLAIN,
        PlatformSettings.resolve(Map.of("PICI_HOME", home.toString()), false).temporalAccess());
  }
}
