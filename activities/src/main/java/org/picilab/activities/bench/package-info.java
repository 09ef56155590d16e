/**
 * Benchmarks of the platform itself: a sweep whose training activity only sleeps, registered under
 * the real activity names, run on the embedded stack to measure orchestration alone (wall time
 * against the ideal, controller CPU, history sizes, the largest payload).
 */
package org.picilab.activities.bench;
