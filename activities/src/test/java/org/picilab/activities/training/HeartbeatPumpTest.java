package org.picilab.activities.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.picilab.model.train.CheckpointSink;
import org.picilab.workflows.StageHeartbeat;

/**
 * The heartbeat pump against a real worker and the Java test server on a port: a worker cut off
 * from the server stops within one heartbeat timeout and writes no checkpoint after it notices; a
 * hung batch fails the attempt after the watchdog limit. Plus the watchdog's pauses, on a clock the
 * test moves.
 */
class HeartbeatPumpTest {

  private static final String QUEUE = "pump-test";

  /** A stage as the stage runner drives it: batches, a stop check between them, checkpoints. */
  @ActivityInterface
  public interface Stage {
    /**
     * Runs "batches" until asked to stop.
     *
     * @param hangAtBatch the batch that never ends (interruptibly), or 0
     */
    @ActivityMethod
    void train(int hangAtBatch);
  }

  /** Runs the stage once, without retries. */
  @WorkflowInterface
  public interface StageWorkflow {
    /**
     * Runs the stage.
     *
     * @param hangAtBatch passed on
     */
    @WorkflowMethod
    void run(int hangAtBatch);
  }

  /** The workflow. */
  public static final class StageWorkflowImpl implements StageWorkflow {
    @Override
    public void run(int hangAtBatch) {
      Workflow.newActivityStub(
              Stage.class,
              ActivityOptions.newBuilder()
                  .setTaskQueue(QUEUE)
                  .setStartToCloseTimeout(Duration.ofMinutes(5))
                  .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
                  .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                  .build())
          .train(hangAtBatch);
    }
  }

  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(4);

  /** What the stage saw. */
  static class StageImpl implements Stage {
    final Duration watchdog;
    final CountDownLatch training = new CountDownLatch(20);
    final CountDownLatch stopped = new CountDownLatch(1);
    final List<Long> checkpoints = new CopyOnWriteArrayList<>();
    final AtomicLong stoppedAt = new AtomicLong();
    final AtomicReference<HeartbeatPump> pump = new AtomicReference<>();

    StageImpl(Duration watchdog) {
      this.watchdog = watchdog;
    }

    @Override
    public void train(int hangAtBatch) {
      ActivityExecutionContext ctx = Activity.getExecutionContext();
      try (HeartbeatPump p = HeartbeatPump.start(ctx, HEARTBEAT_TIMEOUT, watchdog)) {
        pump.set(p);
        p.details(new StageHeartbeat("train", 0, 0, 0, null, Map.of(), 0, 0, 1, 0, "test", 10));
        CheckpointSink sink = p.fence(run -> checkpoints.add(System.nanoTime()));
        int batch = 0;
        try {
          while (!p.stopRequested()) {
            batch++;
            if (batch == hangAtBatch) {
              Thread.sleep(60_000);
            }
            Thread.sleep(20);
            p.batchDone();
            training.countDown();
            if (batch % 10 == 0) {
              sink.save(null);
            }
          }
          // The stage runner writes a checkpoint of the exact position before it stops.
          sink.save(null);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (IOException e) {
          throw new IllegalStateException(e);
        } finally {
          stoppedAt.set(System.nanoTime());
          stopped.countDown();
        }
        if (p.failure() != null) {
          throw p.failure();
        }
      } finally {
        Thread.interrupted();
      }
    }
  }

  private TestServer.PortBoundTestServer server;
  private WorkflowServiceStubs stubs;
  private WorkerFactory factory;

  private WorkflowClient start(StageImpl stage) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server = TestServer.createPortBoundServer(port);
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs);
    factory = WorkerFactory.newInstance(client);
    var worker = factory.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(StageWorkflowImpl.class);
    worker.registerActivitiesImplementations(stage);
    factory.start();
    return client;
  }

  private static StageWorkflow workflow(WorkflowClient client, String id) {
    return client.newWorkflowStub(
        StageWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
  }

  @AfterEach
  void stop() {
    if (factory != null) {
      factory.shutdownNow();
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Timeout(60)
  void aWorkerCutOffFromTemporalStopsWithinOneHeartbeatTimeout() throws Exception {
    StageImpl stage = new StageImpl(Duration.ofMinutes(10));
    WorkflowClient client = start(stage);
    WorkflowClient.start(workflow(client, "cut-off")::run, 0);
    assertTrue(stage.training.await(30, TimeUnit.SECONDS), "the stage never trained");
    int before = stage.checkpoints.size();
    assertTrue(before >= 1, "checkpoints are written while connected");
    long cut = System.nanoTime();
    server.close();
    server = null;
    assertTrue(stage.stopped.await(30, TimeUnit.SECONDS), "the stage never stopped");
    double seconds = (stage.stoppedAt.get() - cut) / 1e9;
    System.out.printf("cut off from Temporal: training stopped after %.2f s%n", seconds);
    assertTrue(
        seconds <= HEARTBEAT_TIMEOUT.toMillis() / 1000.0 + 0.5,
        "stopped " + seconds + " s after the cut-off, heartbeat timeout " + HEARTBEAT_TIMEOUT);
    HeartbeatPump pump = stage.pump.get();
    assertTrue(pump.cutOff());
    assertNull(pump.failure());
    // Nothing after the pump noticed: the last write precedes the moment training stopped by at
    // least the batches it took to notice, and the stop itself wrote nothing.
    long lastWrite = stage.checkpoints.get(stage.checkpoints.size() - 1);
    assertTrue(lastWrite < stage.stoppedAt.get());
    long writesAfterCut = stage.checkpoints.stream().filter(t -> t > cut).count();
    long allowed = (long) Math.ceil(HEARTBEAT_TIMEOUT.toMillis() / 20.0 / 10.0);
    assertTrue(writesAfterCut <= allowed, writesAfterCut + " writes after the cut");
    assertFalse(
        stage.checkpoints.stream().anyMatch(t -> t >= stage.stoppedAt.get() - 25_000_000L),
        "the checkpoint on stop was written although this attempt was cut off");
  }

  @Test
  @Timeout(60)
  void aHungBatchFailsTheAttemptAfterTheWatchdogLimit() throws Exception {
    StageImpl stage = new StageImpl(Duration.ofSeconds(1));
    WorkflowClient client = start(stage);
    long started = System.nanoTime();
    StageWorkflow wf = workflow(client, "hung");
    WorkflowClient.start(wf::run, 30);
    WorkflowStub untyped = WorkflowStub.fromTyped(wf);
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> untyped.getResult(Void.class));
    double seconds = (System.nanoTime() - started) / 1e9;
    ActivityFailure activity = assertInstanceOf(ActivityFailure.class, e.getCause());
    ApplicationFailure app = assertInstanceOf(ApplicationFailure.class, activity.getCause());
    assertEquals("Hung", app.getType());
    assertFalse(app.isNonRetryable(), "a hung attempt is retried");
    assertTrue(app.getOriginalMessage().startsWith("no batch advanced for "), app.getMessage());
    assertTrue(app.getOriginalMessage().contains("watchdog 1 s"), app.getMessage());
    assertTrue(seconds < 10, "failed after " + seconds + " s");
    assertNull(stage.pump.get().cancellation());
  }

  @Test
  @Timeout(30)
  void aBatchThatNeverReturnsIsTimedOutByTheServer() throws Exception {
    // A batch stuck where an interrupt cannot reach it: the pump stops heartbeating, so the
    // server times the attempt out and retries it elsewhere.
    StageImpl stage =
        new StageImpl(Duration.ofSeconds(1)) {
          @Override
          public void train(int hangAtBatch) {
            ActivityExecutionContext ctx = Activity.getExecutionContext();
            try (HeartbeatPump p = HeartbeatPump.start(ctx, HEARTBEAT_TIMEOUT, watchdog)) {
              pump.set(p);
              p.batchDone();
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
              while (System.nanoTime() < end) {
                Thread.onSpinWait();
              }
            }
          }
        };
    WorkflowClient client = start(stage);
    StageWorkflow wf = workflow(client, "stuck");
    WorkflowClient.start(wf::run, 0);
    WorkflowFailedException e =
        assertThrows(
            WorkflowFailedException.class, () -> WorkflowStub.fromTyped(wf).getResult(Void.class));
    ActivityFailure activity = assertInstanceOf(ActivityFailure.class, e.getCause());
    assertInstanceOf(TimeoutFailure.class, activity.getCause());
    assertNotNull(stage.pump.get().failure());
  }

  @Test
  @Timeout(30)
  void longPhasesPauseTheWatchdog() throws Exception {
    AtomicLong now = new AtomicLong();
    List<StageHeartbeat> sent = new CopyOnWriteArrayList<>();
    try (HeartbeatPump pump =
        new HeartbeatPump(
            sent::add, Duration.ofMillis(400), Duration.ofSeconds(60), now::get, new Thread())) {
      // Before the first batch (loading data, restoring): no watchdog.
      now.addAndGet(TimeUnit.MINUTES.toNanos(5));
      waitForBeats(sent, 2);
      assertNull(pump.failure());
      pump.batchDone();
      // A k-means phase lasts until the next batch.
      pump.pauseUntilNextBatch();
      now.addAndGet(TimeUnit.MINUTES.toNanos(5));
      waitForBeats(sent, 2);
      assertNull(pump.failure());
      pump.batchDone();
      // A checkpoint upload, evaluation: paused while open, and the clock restarts at the end.
      try (AutoCloseable upload = pump.pauseWatchdog()) {
        now.addAndGet(TimeUnit.MINUTES.toNanos(5));
        waitForBeats(sent, 2);
        assertNull(pump.failure());
      }
      now.addAndGet(TimeUnit.SECONDS.toNanos(30));
      waitForBeats(sent, 2);
      assertNull(pump.failure());
      assertFalse(pump.stopRequested(), "heartbeats are acknowledged: not cut off");
      // A batch that takes longer than the limit.
      now.addAndGet(TimeUnit.SECONDS.toNanos(31));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (pump.failure() == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertNotNull(pump.failure(), "the watchdog fired");
      assertTrue(pump.stopRequested());
      assertTrue(pump.fenced(), "a hung attempt writes no checkpoint");
    }
  }

  private static void waitForBeats(List<StageHeartbeat> sent, int more)
      throws InterruptedException {
    int target = sent.size() + more;
    while (sent.size() < target) {
      Thread.sleep(10);
    }
  }
}
