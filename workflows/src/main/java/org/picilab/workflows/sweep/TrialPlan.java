package org.picilab.workflows.sweep;

import java.util.Map;

/**
 * One trial of a sweep: a configuration and a seed.
 *
 * @param index 0-based position in the sweep
 * @param configIndex which configuration of the search space
 * @param configKey a label of the configuration, e.g. "lr=0.0001 maskRatio=0.25"
 * @param parameters every setting of the trial (fixed and searched), as dotted keys and values
 * @param seed the run seed
 */
public record TrialPlan(
    int index, int configIndex, String configKey, Map<String, String> parameters, long seed) {}
