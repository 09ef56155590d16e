package org.picilab.platform.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded stack listens on the loopback interface only, and works there. */
@Timeout(120)
class EmbeddedStackTest {

  @TempDir Path home;

  @Test
  void everyListeningSocketOfTheStackIsOnLoopback() throws Exception {
    assumeTrue(ListeningSockets.available(), "needs Linux's /proc/net/tcp");
    PlatformSettings base = PlatformSettings.defaults(home);
    int[] ports;
    try (EmbeddedStack stack = EmbeddedStack.start(base, true, 0, true, 0)) {
      ports = new int[] {stack.temporalPort(), stack.s3Port()};
      for (int port : ports) {
        List<ListeningSockets.Socket> sockets = ListeningSockets.onPort(port);
        assertFalse(sockets.isEmpty(), "nothing listens on port " + port);
        for (ListeningSockets.Socket s : sockets) {
          assertTrue(
              s.address().isLoopbackAddress(),
              "port " + port + " listens on " + s.address() + " (" + s.table() + "): " + sockets);
        }
      }
      assertEquals("127.0.0.1:" + stack.temporalPort(), stack.settings().temporalAddress());
      assertEquals("http://127.0.0.1:" + stack.s3Port(), stack.settings().s3().endpoint());
      // The loopback server is a working Temporal frontend.
      WorkflowServiceStubs stubs = Platform.temporal(stack.settings());
      try {
        stubs.blockingStub().getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      } finally {
        stubs.shutdownNow();
      }
    }
    for (int port : ports) {
      assertEquals(List.of(), ListeningSockets.onPort(port), "still listening after close");
    }
  }

  @Test
  void theEmbeddedServerIsReachedWithoutTheTlsSettingsOfARealOne() throws Exception {
    PlatformSettings base =
        PlatformSettings.defaults(home)
            .withTemporalAccess(new TemporalAccess(true, null, null, null, null, "a-key"));
    try (EmbeddedStack stack = EmbeddedStack.start(base, true, 0, false, 0)) {
      assertEquals(TemporalAccess.PLAIN, stack.settings().temporalAccess());
      Platform.temporal(stack.settings()).shutdownNow();
    }
  }

  /** A workflow that waits on a long timer. */
  @WorkflowInterface
  public interface Waiter {
    /** Waits an hour. */
    @WorkflowMethod
    void run();
  }

  /** Waits an hour. */
  public static class WaiterImpl implements Waiter {
    @Override
    public void run() {
      Workflow.sleep(Duration.ofHours(1));
    }
  }

  /**
   * The embedded server keeps real time, as a real one does: with nothing else in flight, a
   * workflow's hour-long timer is still pending seconds later. A server that skips time fires it at
   * once (and, with nothing at all pending, jumps to the 10-year execution timeout, which ends a
   * paused sweep as timed out).
   */
  @Test
  void theEmbeddedServerKeepsRealTime() throws Exception {
    PlatformSettings base = PlatformSettings.defaults(home);
    try (EmbeddedStack stack = EmbeddedStack.start(base, true, 0, false, 0)) {
      WorkflowServiceStubs service = Platform.temporal(stack.settings());
      try {
        WorkflowClient client = WorkflowClient.newInstance(service);
        WorkerFactory factory = WorkerFactory.newInstance(client);
        factory.newWorker("waiters").registerWorkflowImplementationTypes(WaiterImpl.class);
        factory.start();
        try {
          Waiter waiter =
              client.newWorkflowStub(
                  Waiter.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId("waiter")
                      .setTaskQueue("waiters")
                      .build());
          WorkflowExecution run = WorkflowClient.start(waiter::run);
          Thread.sleep(3000);
          WorkflowExecutionStatus status =
              service
                  .blockingStub()
                  .describeWorkflowExecution(
                      DescribeWorkflowExecutionRequest.newBuilder()
                          .setNamespace(client.getOptions().getNamespace())
                          .setExecution(run)
                          .build())
                  .getWorkflowExecutionInfo()
                  .getStatus();
          assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, status);
        } finally {
          factory.shutdownNow();
        }
      } finally {
        service.shutdownNow();
      }
    }
  }
}
