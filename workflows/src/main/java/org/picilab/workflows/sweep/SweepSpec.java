package org.picilab.workflows.sweep;

import java.util.List;
import java.util.Map;
import org.picilab.workflows.Execution;

/**
 * A sweep as written by a person, after parsing and validation (see {@link SweepSpecParser}).
 *
 * @param name the sweep's name; its id is derived from it
 * @param method the method to train
 * @param dataset the data argument every trial trains on
 * @param preset the preset every trial starts from
 * @param parameters fixed settings for every trial, as dotted keys and values
 * @param strategy "grid" or "random"
 * @param trials configurations to draw for random search (0 for grid)
 * @param searchSeed seed of the random search
 * @param space the searched settings, in the order written
 * @param seeds run seeds; each configuration is trained once per seed
 * @param maxConcurrent most trials running at once
 * @param budget most trials in all (0: no limit beyond the space and seeds)
 * @param execution timeouts and retries of each trial
 * @param continueAsNewAfter trials finished per workflow run before it continues as new
 */
public record SweepSpec(
    String name,
    String method,
    String dataset,
    String preset,
    Map<String, String> parameters,
    String strategy,
    int trials,
    long searchSeed,
    Map<String, Dimension> space,
    List<Long> seeds,
    int maxConcurrent,
    int budget,
    Execution execution,
    int continueAsNewAfter) {}
