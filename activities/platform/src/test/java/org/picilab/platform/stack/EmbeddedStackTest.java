package org.picilab.platform.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.nio.file.Path;
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
}
