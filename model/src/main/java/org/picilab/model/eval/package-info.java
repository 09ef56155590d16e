/**
 * Evaluation of a trained run: cluster assignments of every image, the four scores when labels
 * exist, the confusion matrix, cluster sizes, and a 2-D embedding of the instance features.
 */
package org.picilab.model.eval;
