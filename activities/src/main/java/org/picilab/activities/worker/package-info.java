/**
 * Worker assembly: which workflows and activities a process registers on which task queues, for
 * {@code pici up} (everything in one process) and {@code pici worker} (training only).
 */
package org.picilab.activities.worker;
