/**
 * The registry of runs and sweeps, kept in the object store. Temporal's Java test server keeps
 * nothing across a restart and cannot list workflows, so what a person needs to find, show and
 * resume runs afterwards lives here: each run's request, its status, and its last progress.
 */
package org.picilab.platform.registry;
