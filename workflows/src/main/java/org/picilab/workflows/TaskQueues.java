package org.picilab.workflows;

/** The task queues of the platform. */
public final class TaskQueues {

  /** Workflow tasks: hosted by the controller (`pici up`, later the web app). */
  public static final String WORKFLOWS = "pici-workflows";

  /** Light activities (registry, tracking parents): hosted by the controller. */
  public static final String CONTROL = "pici-control";

  /** Training activities: hosted by the workers, one training at a time per device. */
  public static final String TRAINING = "gpu";

  private TaskQueues() {}
}
