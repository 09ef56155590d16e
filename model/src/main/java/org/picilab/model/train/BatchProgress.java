package org.picilab.model.train;

import java.util.Map;

/**
 * Progress after one batch.
 *
 * @param stage the stage
 * @param stageEpoch 0-based epoch within the stage
 * @param stageEpochs epochs in the stage
 * @param epoch 0-based global epoch
 * @param batch 1-based batches done in this epoch
 * @param batches batches per epoch
 * @param losses this batch's loss components ("loss" is the total)
 * @param samplesPerSecond recent throughput
 * @param remainingBatches batches left in the whole run after this one
 * @param seconds time of this batch's step
 */
public record BatchProgress(
    Stage stage,
    int stageEpoch,
    int stageEpochs,
    int epoch,
    int batch,
    int batches,
    Map<String, Double> losses,
    double samplesPerSecond,
    long remainingBatches,
    double seconds) {}
