/**
 * Runs on the local file system: the run directory that {@code pici train} writes (configuration,
 * checkpoints, metrics, results) and reads back to resume.
 */
package org.picilab.model.local;
