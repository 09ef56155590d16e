package org.picilab.platform.tracking;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MLflow tracking server for tests: {@code mlflow server} on a free loopback port, with a
 * SQLite backend in a given folder and {@code s3://pici/mlflow} as the default artifact root.
 */
public final class MlflowServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(MlflowServer.class);

  /** The environment variable with the path of the {@code mlflow} executable. */
  public static final String MLFLOW_ENV = "PICI_MLFLOW";

  /** Set to 1 to make a missing {@link #MLFLOW_ENV} a failure instead of a skip (CI does). */
  public static final String REQUIRE_ENV = "PICI_REQUIRE_MLFLOW";

  /** The artifact root the server is started with. */
  static final String ARTIFACT_ROOT = "s3://pici/mlflow";

  /** How to enable the MLflow tests, for skip and failure messages. */
  public static final String HOW_TO_ENABLE =
      "The MLflow tracker tests need a real MLflow server: set "
          + MLFLOW_ENV
          + " to an mlflow executable, e.g. export "
          + MLFLOW_ENV
          + "=\"$(infra/mlflow-venv.sh)\" (creates .ci/work/mlflow-venv with the pinned MLflow,"
          + " about a minute). "
          + REQUIRE_ENV
          + "=1 turns this skip into a failure.";

  private static final Duration STARTUP = Duration.ofSeconds(120);

  private final Process process;
  private final String uri;
  private final Path logFile;

  private MlflowServer(Process process, String uri, Path logFile) {
    this.process = process;
    this.uri = uri;
    this.logFile = logFile;
  }

  /**
   * Starts a server and waits until {@code /health} answers.
   *
   * @param mlflow the {@code mlflow} executable
   * @param dir a folder for the database and the server log
   * @return the running server
   * @throws IOException when it does not start; the message has the end of its log
   * @throws InterruptedException when interrupted while waiting
   */
  public static MlflowServer start(Path mlflow, Path dir) throws IOException, InterruptedException {
    if (!Files.isExecutable(mlflow)) {
      throw new IOException(
          MLFLOW_ENV + "=" + mlflow + " is not an executable file. " + HOW_TO_ENABLE);
    }
    IOException last = null;
    // A free port can be taken by someone else between the probe and the server's bind: then
    // the server exits, and another port is tried.
    for (int attempt = 1; attempt <= 3; attempt++) {
      int port = freePort();
      Path logFile = dir.resolve("mlflow-server-" + port + ".log");
      ProcessBuilder builder =
          new ProcessBuilder(
                  List.of(
                      mlflow.toString(),
                      "server",
                      "--host",
                      "127.0.0.1",
                      "--port",
                      Integer.toString(port),
                      "--workers",
                      "1",
                      "--backend-store-uri",
                      "sqlite:///" + dir.toAbsolutePath().resolve("mlflow.db"),
                      "--default-artifact-root",
                      ARTIFACT_ROOT))
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      // The server would otherwise start a job runner process (huey) that tests do not need.
      builder.environment().put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
      long started = System.nanoTime();
      MlflowServer server = new MlflowServer(builder.start(), "http://127.0.0.1:" + port, logFile);
      try {
        server.awaitHealthy();
        log.info(
            "MLflow server up at {} in {} ms",
            server.uri,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return server;
      } catch (IOException e) {
        server.close();
        last = e;
      }
    }
    throw last;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void awaitHealthy() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create(uri + "/health")).timeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "mlflow server exited with status " + process.exitValue() + ": " + logTail());
      }
      try {
        if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(250);
    }
    throw new IOException("mlflow server not healthy after " + STARTUP + ": " + logTail());
  }

  /** The tracking URI. */
  public String uri() {
    return uri;
  }

  /** The last lines of the server's log, for failure messages. */
  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log at " + logFile + ": " + e.getMessage() + ")";
    }
  }

  /**
   * Stops the server and every process it started: {@code mlflow server} runs uvicorn as a child
   * process, which must not outlive the test.
   */
  @Override
  public void close() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        log.warn("mlflow server did not stop on SIGTERM; killing it");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
    for (ProcessHandle child : children) {
      child.destroyForcibly();
    }
  }
}
