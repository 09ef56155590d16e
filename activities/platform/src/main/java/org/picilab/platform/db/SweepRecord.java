package org.picilab.platform.db;

import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;

/**
 * A sweep as the database of record holds it.
 *
 * @param id the sweep id
 * @param name the spec's name
 * @param spec the validated specification
 * @param phase where it stands
 * @param totalTrials how many trials it has
 * @param maxConcurrent most trials at once
 * @param trackingRunId the tracked parent run, or null before it is opened
 * @param gitCommit the commit of the controller that launched it, or null
 * @param error why it could not go on, or null
 * @param createdAt when it was launched (epoch ms)
 * @param updatedAt when it last changed (epoch ms)
 * @param endedAt when it ended (epoch ms), or null
 */
public record SweepRecord(
    String id,
    String name,
    SweepSpec spec,
    SweepPhase phase,
    int totalTrials,
    int maxConcurrent,
    String trackingRunId,
    String gitCommit,
    String error,
    long createdAt,
    long updatedAt,
    Long endedAt) {}
