/**
 * Experiment tracking behind one interface: MLflow through its Java client for the distributed
 * stack, and a local file store for the embedded default. Both pass the same contract tests.
 */
package org.picilab.platform.tracking;
