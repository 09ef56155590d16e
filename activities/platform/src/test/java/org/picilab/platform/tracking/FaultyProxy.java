package org.picilab.platform.tracking;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of an MLflow server that can make {@code runs/log-batch} requests fail: a
 * stand-in for a gateway that times out after the server has done the work, or a network that loses
 * the request.
 */
final class FaultyProxy implements AutoCloseable {

  private static final String BATCH_PATH = "/api/2.0/mlflow/runs/log-batch";

  private final HttpServer server;
  private final ExecutorService executor;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String target;
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AtomicInteger batches = new AtomicInteger();
  private final AtomicInteger failedBatches = new AtomicInteger();
  private volatile boolean forwardFailures;

  private FaultyProxy(HttpServer server, ExecutorService executor, String target) {
    this.server = server;
    this.executor = executor;
    this.target = target;
  }

  /**
   * Starts a proxy on a free loopback port.
   *
   * @param target the server's base URI
   * @return the running proxy
   * @throws IOException when it cannot listen
   */
  static FaultyProxy start(String target) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor = Executors.newFixedThreadPool(4);
    FaultyProxy proxy = new FaultyProxy(server, executor, target);
    server.createContext("/", proxy::handle);
    server.setExecutor(executor);
    server.start();
    return proxy;
  }

  /** The proxy's base URI, to use as a tracking URI. */
  String uri() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Makes the next log-batch requests fail with HTTP 500.
   *
   * @param count how many
   * @param forward whether each is first passed to the server (which then records it)
   */
  void failBatches(int count, boolean forward) {
    forwardFailures = forward;
    failuresLeft.set(count);
  }

  /** Log-batch requests seen, failed or not. */
  int batches() {
    return batches.get();
  }

  /** Log-batch requests answered with an injected failure. */
  int failedBatches() {
    return failedBatches.get();
  }

  /** Injected failures not used yet. */
  int pendingFailures() {
    return failuresLeft.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      boolean batch = exchange.getRequestURI().getPath().equals(BATCH_PATH);
      if (batch) {
        batches.incrementAndGet();
      }
      if (batch && failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        failedBatches.incrementAndGet();
        if (forwardFailures) {
          forward(exchange, body);
        }
        respond(
            exchange,
            500,
            "application/json",
            "{\"error_code\":\"INTERNAL_ERROR\",\"message\":\"injected by FaultyProxy\"}"
                .getBytes(StandardCharsets.UTF_8));
        return;
      }
      HttpResponse<byte[]> response = forward(exchange, body);
      respond(
          exchange,
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse("application/json"),
          response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while forwarding", e);
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
