/**
 * Run configuration: every hyperparameter of a run in one record, the named presets, and the loader
 * that merges a preset, a YAML or JSON file and command-line overrides, with errors that name the
 * setting at fault.
 */
package org.picilab.model.config;
