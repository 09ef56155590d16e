/**
 * Training: the live state of a run ({@link org.picilab.model.train.TrainingRun}), the stage runner
 * that trains any range of epochs of a stage from that state (paper 002, Algorithm 1), the
 * checkpoint format that saves and restores the state exactly, and the events a caller can watch.
 */
package org.picilab.model.train;
