package org.picilab.activities.training;

/**
 * What a training activity heartbeats: enough for a retry on another worker to know where the dead
 * attempt stood.
 *
 * @param stage the stage
 * @param epoch global epochs completed
 * @param batch batches done in the current epoch
 * @param checkpointKey the newest checkpoint written, or null
 */
public record HeartbeatDetails(String stage, int epoch, int batch, String checkpointKey) {}
