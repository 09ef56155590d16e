package org.picilab.platform.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How HTTP error answers are sorted into retryable and final. The embedded endpoint never answers
 * 5xx on its own, so a small HTTP server here plays an overloaded or refusing S3 endpoint: it
 * accepts the bucket check and answers every other request with a chosen status and S3 error code.
 */
class ErrorStatusTest {

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status;
  private volatile String code;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            if (exchange.getRequestMethod().equals("HEAD")) {
              exchange.sendResponseHeaders(200, -1);
              return;
            }
            requests.incrementAndGet();
            byte[] body =
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                        + code
                        + "</Code><Message>from the test endpoint</Message>"
                        + "<Resource>/pici/k</Resource><RequestId>1</RequestId></Error>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private S3ObjectStore connect() throws IOException {
    return S3ObjectStore.connect(
        new S3Settings(
            "http://127.0.0.1:" + server.getAddress().getPort(), "a", "b", "pici", "us-east-1"),
        new RetryPolicy(4, Duration.ofMillis(5)),
        S3ObjectStore.StepListener.NONE);
  }

  @Test
  void slowDownIsRetriedThenRetryable() throws IOException {
    status = 503;
    code = "SlowDown";
    try (S3ObjectStore store = connect()) {
      StorageException e = assertThrows(StorageException.class, () -> store.readBytes("k"));
      assertEquals(4, requests.get(), "four attempts");
      assertTrue(e.getMessage().contains("SlowDown"), e.getMessage());
    }
  }

  @Test
  void internalErrorIsRetriedThenRetryable() throws IOException {
    status = 500;
    code = "InternalError";
    try (S3ObjectStore store = connect()) {
      assertThrows(StorageException.class, () -> store.putBytes("k", new byte[1], null));
      assertEquals(4, requests.get());
    }
  }

  @Test
  void accessDeniedIsFinalAtOnce() throws IOException {
    status = 403;
    code = "AccessDenied";
    try (S3ObjectStore store = connect()) {
      IOException e = assertThrows(IOException.class, () -> store.readBytes("k"));
      assertFalse(e instanceof StorageException, e.toString());
      assertEquals(1, requests.get(), "no retry");
      assertTrue(e.getMessage().contains("s3://pici/k"), e.getMessage());
      assertTrue(e.getMessage().contains("PICI_S3_ACCESS_KEY"), e.getMessage());
    }
  }
}
