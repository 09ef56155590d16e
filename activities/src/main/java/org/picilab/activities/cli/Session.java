package org.picilab.activities.cli;

import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowException;
import java.io.IOException;
import java.util.Optional;
import org.picilab.platform.registry.Registry;
import org.picilab.platform.stack.Platform;
import org.picilab.platform.stack.PlatformSettings;

/** The connections a client command needs, opened once and closed at the end. */
final class Session implements AutoCloseable {

  private final Platform platform;

  private Session(Platform platform) {
    this.platform = platform;
  }

  static Session open(String role) throws IOException {
    PlatformSettings settings = PlatformSettings.resolve(System.getenv());
    return new Session(Platform.connect(settings, Platform.identity(role)));
  }

  Platform platform() {
    return platform;
  }

  Registry registry() {
    return new Registry(platform.store());
  }

  /**
   * The status of a workflow on the server.
   *
   * @param workflowId a run or sweep id
   * @return its status, or empty when the server does not know it (it restarted, say)
   */
  Optional<WorkflowExecutionStatus> execution(String workflowId) {
    try {
      return Optional.of(
          platform
              .client()
              .newUntypedWorkflowStub(workflowId)
              .describe()
              .getWorkflowExecutionInfo()
              .getStatus());
    } catch (WorkflowException | StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    platform.close();
  }
}
