package org.picilab.workflows;

import java.util.Map;

/**
 * Progress a training activity records at the end of each epoch and now and then within long
 * epochs, for the registry. It was once signalled to the workflow as well ({@link
 * ExperimentWorkflow#reportProgress}); histories recorded then still carry it.
 *
 * @param stage the stage
 * @param epoch global epochs completed
 * @param totalEpochs epochs of the whole run
 * @param batch batches done in the current epoch
 * @param batches batches per epoch
 * @param losses the latest epoch's mean loss parts ("loss" is the total)
 * @param imagesPerSecond recent throughput (samples of two views per second)
 * @param etaSeconds estimated time to the end of training
 * @param checkpointKey the newest checkpoint
 * @param attempt the activity attempt
 * @param startedAtEpoch where this attempt resumed
 * @param worker the worker identity
 */
public record EpochProgress(
    String stage,
    int epoch,
    int totalEpochs,
    int batch,
    int batches,
    Map<String, Double> losses,
    double imagesPerSecond,
    double etaSeconds,
    String checkpointKey,
    int attempt,
    int startedAtEpoch,
    String worker) {}
