package org.picilab.platform.stack;

import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import org.picilab.platform.db.Database;
import org.picilab.platform.db.RecordStore;
import org.picilab.platform.security.Redact;
import org.picilab.platform.store.ObjectStore;
import org.picilab.platform.store.S3ObjectStore;
import org.picilab.platform.store.S3Settings;
import org.picilab.platform.tracking.LocalTracker;
import org.picilab.platform.tracking.MlflowTracker;
import org.picilab.platform.tracking.Tracker;

/**
 * Open connections to the parts of the platform: Temporal, the object store and the tracker. One
 * per process; close it last.
 */
public final class Platform implements AutoCloseable {

  private final PlatformSettings settings;
  private final WorkflowServiceStubs service;
  private final WorkflowClient client;
  private final ObjectStore store;
  private final Tracker tracker;
  private Database database;

  private Platform(
      PlatformSettings settings,
      WorkflowServiceStubs service,
      WorkflowClient client,
      ObjectStore store,
      Tracker tracker) {
    this.settings = settings;
    this.service = service;
    this.client = client;
    this.store = store;
    this.tracker = tracker;
  }

  /**
   * Connects to every part.
   *
   * @param settings where they are
   * @param identity this process's name in Temporal
   * @return the connections
   * @throws IOException when a part cannot be reached; the message says which and what to do
   */
  public static Platform connect(PlatformSettings settings, String identity) throws IOException {
    WorkflowServiceStubs service = temporal(settings);
    ObjectStore store = null;
    try {
      WorkflowClient client =
          WorkflowClient.newInstance(
              service,
              WorkflowClientOptions.newBuilder()
                  .setNamespace(settings.namespace())
                  .setIdentity(identity)
                  .build());
      store = objectStore(settings.s3());
      Tracker tracker = tracker(settings);
      return new Platform(settings, service, client, store, tracker);
    } catch (IOException | RuntimeException e) {
      if (store != null) {
        store.close();
      }
      service.shutdownNow();
      throw e;
    }
  }

  /**
   * Connects to Temporal only, failing fast with a clear message when it is not there. TLS and the
   * API key come from {@link PlatformSettings#temporalAccess()}.
   *
   * @param settings where it is
   * @return the service stubs
   * @throws IOException when Temporal cannot be reached, a TLS file cannot be used (naming its
   *     variable and the file) or the TLS handshake fails
   */
  public static WorkflowServiceStubs temporal(PlatformSettings settings) throws IOException {
    WorkflowServiceStubsOptions.Builder options =
        WorkflowServiceStubsOptions.newBuilder().setTarget(settings.temporalAddress());
    TemporalAccess access = settings.temporalAccess();
    access.configure(options);
    try {
      return WorkflowServiceStubs.newConnectedServiceStubs(options.build(), Duration.ofSeconds(10));
    } catch (StatusRuntimeException | IllegalStateException e) {
      if (access.tls() && TemporalAccess.isTlsFailure(e)) {
        throw new IOException(
            "the TLS handshake with Temporal at "
                + Redact.uri(settings.temporalAddress())
                + " failed ("
                + Redact.uri(String.valueOf(e.getMessage()))
                + "). Check that "
                + TemporalAccess.CA_VAR
                + " ("
                + (access.ca() != null ? access.ca() : "unset: the JVM's trust store")
                + ") holds the CA that signed the server's certificate, that the certificate names"
                + " the host (or set "
                + TemporalAccess.SERVER_NAME_VAR
                + "), and that the server accepts the client certificate of "
                + TemporalAccess.CERT_VAR
                + (access.cert() != null ? " (" + access.cert() + ")" : " (unset)"),
            e);
      }
      throw new IOException(
          "cannot reach Temporal at "
              + Redact.uri(settings.temporalAddress())
              + " ("
              + Redact.uri(e.getMessage())
              + "). Start the local stack with ./pici up, or set TEMPORAL_ADDRESS to a running"
              + " server.",
          e);
    }
  }

  /**
   * Opens the object store.
   *
   * @param s3 the S3 settings
   * @return the store
   * @throws IOException when the endpoint cannot be reached
   */
  public static ObjectStore objectStore(S3Settings s3) throws IOException {
    try {
      return S3ObjectStore.connect(s3);
    } catch (IOException e) {
      throw new IOException(
          "cannot use the S3 endpoint "
              + Redact.uri(s3.endpoint())
              + " (bucket "
              + s3.bucket()
              + "): "
              + e.getMessage()
              + ". Start the local stack with ./pici up, or set PICI_S3_ENDPOINT and its keys.",
          e);
    }
  }

  /**
   * Opens the tracker: MLflow when a tracking URI is set, otherwise the local store.
   *
   * @param settings the settings
   * @return the tracker
   * @throws IOException when it cannot be opened
   */
  public static Tracker tracker(PlatformSettings settings) throws IOException {
    if (settings.mlflowUri() != null) {
      return new MlflowTracker(settings.mlflowUri());
    }
    return new LocalTracker(settings.trackingDir(), settings.localArtifactRoot());
  }

  /**
   * A name for this process in Temporal and in progress reports.
   *
   * @param role e.g. "worker"
   * @return e.g. "worker-host-1234"
   */
  public static String identity(String role) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    String pid = ManagementFactory.getRuntimeMXBean().getName().split("@")[0];
    return role + "-" + host + "-" + pid;
  }

  /**
   * The settings.
   *
   * @return where the parts are
   */
  public PlatformSettings settings() {
    return settings;
  }

  /**
   * The Temporal client.
   *
   * @return the client
   */
  public WorkflowClient client() {
    return client;
  }

  /**
   * The object store.
   *
   * @return the store
   */
  public ObjectStore store() {
    return store;
  }

  /**
   * The tracker.
   *
   * @return the tracker
   */
  public Tracker tracker() {
    return tracker;
  }

  /**
   * The database of record, opened (and migrated) on first use. Workers never call this: only the
   * controller and clients hold database credentials.
   *
   * @return the records
   * @throws IOException when the database cannot be opened; the message names it
   */
  public synchronized RecordStore records() throws IOException {
    if (database == null) {
      database = Database.open(settings.database());
    }
    return new RecordStore(database);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (database != null) {
        database.close();
      }
    }
    tracker.close();
    store.close();
    service.shutdown();
    // Give in-flight calls a moment; the stubs do not throw when interrupted here.
    service.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
  }
}
