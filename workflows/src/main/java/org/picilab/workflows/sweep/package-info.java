/**
 * Sweeps: the specification people write (YAML or JSON), its expansion into trials (grid or random
 * search over lists, ranges and log-uniform intervals, times seeds, within a budget), the sweep
 * workflow's contract and its status and summary.
 */
package org.picilab.workflows.sweep;
