package org.picilab.platform.service;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.util.Optional;

/** What Temporal knows of a workflow id, telling "not found" apart from "could not ask". */
public final class Executions {

  private Executions() {}

  /**
   * The status of the newest execution of a workflow id.
   *
   * @param client the client
   * @param workflowId a run or sweep id
   * @return its status, or empty when Temporal does not know the id (NOT_FOUND)
   * @throws StatusRuntimeException when Temporal could not be asked; this says nothing about the
   *     workflow
   */
  public static Optional<WorkflowExecutionStatus> status(WorkflowClient client, String workflowId) {
    try {
      return Optional.of(
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setExecution(
                          WorkflowExecution.newBuilder().setWorkflowId(workflowId).build())
                      .build())
              .getWorkflowExecutionInfo()
              .getStatus());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Whether a workflow id is running now.
   *
   * @param client the client
   * @param workflowId a run or sweep id
   * @return true when its newest execution is running
   */
  public static boolean running(WorkflowClient client, String workflowId) {
    return status(client, workflowId)
        .map(s -> s == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING)
        .orElse(false);
  }
}
