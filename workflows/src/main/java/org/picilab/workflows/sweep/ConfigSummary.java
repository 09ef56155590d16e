package org.picilab.workflows.sweep;

import org.picilab.workflows.Scores;

/**
 * One configuration of a sweep, over its seeds.
 *
 * @param configKey the configuration label
 * @param trials trials of this configuration
 * @param completed trials that finished with scores
 * @param mean mean scores over the completed trials, or null
 * @param std sample standard deviations (0 for one trial), or null
 */
public record ConfigSummary(String configKey, int trials, int completed, Scores mean, Scores std) {}
