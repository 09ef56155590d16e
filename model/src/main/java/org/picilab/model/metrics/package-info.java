/**
 * External clustering metrics: NMI, ACC, ARI and FMI of a predicted clustering against the true
 * classes, computed from a {@link org.picilab.model.metrics.ConfusionMatrix} over plain int labels.
 * They reproduce scikit-learn 1.2.1 and scipy 1.10.1, edge cases included, as docs/method.md
 * ("Metrics") requires, and feed every evaluation the platform reports.
 */
package org.picilab.model.metrics;
