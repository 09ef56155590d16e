/**
 * The training worker's activities: they drive the model's stage runner from checkpoints in the
 * object store, heartbeat, log metrics, report progress and write artifacts.
 */
package org.picilab.activities.training;
