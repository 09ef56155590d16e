package org.picilab.workflows;

/**
 * Clustering scores of a run.
 *
 * @param nmi normalised mutual information
 * @param acc accuracy under the best one-to-one mapping
 * @param ari adjusted Rand index
 * @param fmi Fowlkes-Mallows index
 */
public record Scores(double nmi, double acc, double ari, double fmi) {}
