package org.picilab.workflows;

/**
 * Train a run through the end of a stage.
 *
 * @param run the run
 * @param stage "pretrain", "train" or "boost"
 * @param trackingRunId the tracked run that receives the per-epoch metrics
 */
public record StageRequest(RunRequest run, String stage, String trackingRunId) {}
