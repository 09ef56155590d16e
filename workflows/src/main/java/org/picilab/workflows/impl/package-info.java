/**
 * The workflow implementations. Deterministic code only: no wall clock, no randomness, no I/O;
 * everything outside happens in activities. Replay tests over recorded histories guard that.
 */
package org.picilab.workflows.impl;
