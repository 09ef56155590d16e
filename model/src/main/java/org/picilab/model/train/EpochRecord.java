package org.picilab.model.train;

import java.util.Map;

/**
 * What one epoch did.
 *
 * @param epoch the 0-based global epoch (the step of per-epoch metrics)
 * @param stage its stage
 * @param stageEpoch the 0-based epoch within the stage
 * @param batches batches trained
 * @param losses mean of each loss component over the epoch ("loss" is the total)
 * @param seconds training time of the epoch
 * @param samplesPerSecond samples (each two views) per second
 * @param learningRate the learning rate at the end of the epoch
 */
public record EpochRecord(
    int epoch,
    Stage stage,
    int stageEpoch,
    int batches,
    Map<String, Double> losses,
    double seconds,
    double samplesPerSecond,
    double learningRate) {}
