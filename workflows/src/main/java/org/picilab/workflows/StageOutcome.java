package org.picilab.workflows;

/**
 * What a stage activity did.
 *
 * @param stage the stage
 * @param epoch global epochs completed at the end
 * @param startedAtEpoch global epochs completed when this attempt began (from its checkpoint)
 * @param checkpointKey the checkpoint written last
 * @param attempt the activity attempt that finished the stage (1 = first try)
 * @param stopped true when it stopped early on request, leaving the checkpoint behind
 * @param seconds time this attempt trained
 * @param worker the worker identity
 */
public record StageOutcome(
    String stage,
    int epoch,
    int startedAtEpoch,
    String checkpointKey,
    int attempt,
    boolean stopped,
    double seconds,
    String worker) {}
