package org.picilab.workflows;

/**
 * What evaluating a trained run produced.
 *
 * @param scores the scores, or null without labels
 * @param resultKey object key of result.json
 * @param artifactLocation where the artifacts were written
 */
public record EvaluationResult(Scores scores, String resultKey, String artifactLocation) {}
