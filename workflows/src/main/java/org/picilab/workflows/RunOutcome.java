package org.picilab.workflows;

/**
 * How a run ended.
 *
 * @param runId the run
 * @param trialIndex its index in the sweep
 * @param configKey its configuration label
 * @param seed its seed
 * @param status COMPLETED, FAILED or CANCELLED
 * @param scores final scores (null unless completed on labeled data)
 * @param resultKey the object key of its result.json, or null
 * @param error why it failed, or null
 * @param progress its last progress
 */
public record RunOutcome(
    String runId,
    int trialIndex,
    String configKey,
    long seed,
    RunStatus status,
    Scores scores,
    String resultKey,
    String error,
    RunProgress progress) {}
