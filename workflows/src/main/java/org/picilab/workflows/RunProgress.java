package org.picilab.workflows;

import java.util.Map;

/**
 * Where a run stands, as {@code pici run show} prints it.
 *
 * @param runId the run
 * @param status its status
 * @param stage the current or last stage
 * @param epoch global epochs completed
 * @param totalEpochs epochs of the whole run
 * @param losses the latest epoch's loss parts
 * @param imagesPerSecond recent throughput
 * @param etaSeconds estimated time left
 * @param attempts activity attempts of the current stage (1 = no retry so far)
 * @param retries activity retries over the whole run
 * @param lastCheckpoint the newest checkpoint key
 * @param resumedFromEpoch the epoch the latest retry or resume continued from, or null
 * @param worker the worker training it
 * @param scores final scores, once evaluated
 * @param error why it failed, if it did
 * @param trackingRunId its tracked run
 */
public record RunProgress(
    String runId,
    RunStatus status,
    String stage,
    int epoch,
    int totalEpochs,
    Map<String, Double> losses,
    double imagesPerSecond,
    double etaSeconds,
    int attempts,
    int retries,
    String lastCheckpoint,
    Integer resumedFromEpoch,
    String worker,
    Scores scores,
    String error,
    String trackingRunId) {}
