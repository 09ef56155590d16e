package org.picilab.workflows;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * What a training activity heartbeats. It tells a retry on another worker where the dead attempt
 * stood ({@code stage}, {@code epoch}, {@code batch}, {@code checkpointKey}), and it is where live
 * progress is read from (DescribeWorkflowExecution shows the pending activity's last heartbeat), so
 * the activity never signals its workflow and the workflow's history stays bounded however long
 * training lasts.
 *
 * <p>Heartbeats written before this record existed carry only {@code stage}, {@code epoch}, {@code
 * batch} and {@code checkpointKey}; they read as a {@code StageHeartbeat} with the other fields
 * zero or null, so an activity running at upgrade time is resumed from them as before.
 *
 * @param stage the stage
 * @param epoch global epochs completed
 * @param batch batches done in the current epoch
 * @param batchCounter batches trained by this attempt so far; only ever grows within an attempt, so
 *     a watchdog can tell a hung attempt from a slow one
 * @param checkpointKey the newest checkpoint written, or null
 * @param losses the latest epoch's mean loss parts ("loss" is the total), or null
 * @param imagesPerSecond recent throughput (samples of two views per second), 0 when unknown
 * @param etaSeconds estimated time to the end of training, 0 when unknown
 * @param attempt the activity attempt (1 = first try), 0 when unknown
 * @param startedAtEpoch global epochs completed when this attempt began
 * @param worker the worker identity, or null
 * @param totalEpochs epochs of the whole run, 0 when unknown
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StageHeartbeat(
    String stage,
    int epoch,
    int batch,
    long batchCounter,
    String checkpointKey,
    Map<String, Double> losses,
    double imagesPerSecond,
    double etaSeconds,
    int attempt,
    int startedAtEpoch,
    String worker,
    int totalEpochs) {

  /**
   * The same heartbeat naming a newer checkpoint.
   *
   * @param key the checkpoint just written
   * @param savedEpoch global epochs completed in it
   * @param savedBatch batches of the current epoch done in it
   * @return the new heartbeat
   */
  public StageHeartbeat withCheckpoint(String key, int savedEpoch, int savedBatch) {
    return new StageHeartbeat(
        stage,
        savedEpoch,
        savedBatch,
        batchCounter,
        key,
        losses,
        imagesPerSecond,
        etaSeconds,
        attempt,
        startedAtEpoch,
        worker,
        totalEpochs);
  }
}
