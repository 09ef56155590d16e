package org.picilab.workflows;

import java.util.Map;

/**
 * One training run: a configuration and a seed. The workflow id of its {@link ExperimentWorkflow}
 * is {@code runId}.
 *
 * @param runId the run id, starting with {@code run-}
 * @param sweepId the sweep it belongs to, or null
 * @param trialIndex its index in the sweep (0-based), or 0
 * @param configKey a short label of its configuration among the sweep's (seed excluded)
 * @param method the method, e.g. "pici"
 * @param dataset the data argument ("digits", "shapes:K", a folder on the workers)
 * @param preset the preset the configuration starts from
 * @param parameters settings as dotted keys and values (as {@code pici train --set} takes them)
 * @param seed the run seed
 * @param parentTrackingRunId the sweep's tracking run, or null
 * @param execution timeouts and retries
 */
public record RunRequest(
    String runId,
    String sweepId,
    int trialIndex,
    String configKey,
    String method,
    String dataset,
    String preset,
    Map<String, String> parameters,
    long seed,
    String parentTrackingRunId,
    Execution execution) {}
