package org.picilab.workflows.sweep;

import java.util.Locale;

/**
 * The limits a sweep specification must stay within, checked by arithmetic before anything is
 * expanded, so that a typo such as {@code step: 1e-9} fails in milliseconds with the field named
 * instead of filling memory.
 */
public final class Caps {

  /** Most trials in one sweep. */
  public static final long MAX_TRIALS = 100_000;

  /** Most configurations a grid may span before the budget cuts it (they are listed in memory). */
  public static final long MAX_CONFIGURATIONS = 100_000;

  /** Most trials at once: below Temporal's limit of 2000 pending child workflows per workflow. */
  public static final int MAX_CONCURRENT = 1_000;

  /**
   * Most seeds: the seed list travels in the specification, which is part of the sweep's workflow
   * input, so it must stay small; search over a dimension for more trials.
   */
  public static final int MAX_SEEDS = 1_000;

  /** Most classes of a generated data set. */
  public static final long MAX_GENERATED_CLASSES = 1_000;

  /** Most images of a generated data set. */
  public static final long MAX_GENERATED_IMAGES = 1_000_000;

  private Caps() {}

  /**
   * Checks a parsed specification against the caps.
   *
   * @param spec the specification
   * @throws SpecException naming the field and the cap
   */
  static void check(SweepSpec spec) {
    if (spec.seeds().size() > MAX_SEEDS) {
      throw new SpecException(
          "seeds",
          String.format(
              Locale.ROOT,
              "lists %,d seeds, more than the cap of %,d; search over a setting for more trials",
              spec.seeds().size(),
              MAX_SEEDS));
    }
    long configs = SearchSpace.configurations(spec);
    if (configs > MAX_CONFIGURATIONS) {
      throw new SpecException(
          "search.space",
          String.format(
              Locale.ROOT,
              "spans %s configurations, more than the cap of %,d; use fewer values, a coarser"
                  + " step, or random search",
              configs == Long.MAX_VALUE ? "too many" : String.format(Locale.ROOT, "%,d", configs),
              MAX_CONFIGURATIONS));
    }
    long trials = SearchSpace.count(spec);
    if (trials > MAX_TRIALS) {
      throw new SpecException(
          spec.budget() > 0 ? "budget" : "seeds",
          String.format(
              Locale.ROOT,
              "the sweep would have %,d trials, more than the cap of %,d; set a budget or split"
                  + " it into several sweeps",
              trials,
              MAX_TRIALS));
    }
    checkGenerated(spec.dataset());
  }

  /**
   * Checks the size of a generated data set ({@code shapes:K[:PER_CLASS[:SEED]]} or {@code
   * colorshapes:...}); other data sets are left to the loader.
   *
   * @param dataset the data argument
   * @throws SpecException naming {@code dataset} and the cap
   */
  static void checkGenerated(String dataset) {
    if (dataset == null) {
      return;
    }
    String d = dataset.trim();
    if (!d.startsWith("shapes:") && !d.startsWith("colorshapes:")) {
      return;
    }
    String[] parts = d.split(":");
    long classes = number(parts, 1, 0);
    long perClass = number(parts, 2, 100);
    if (classes > MAX_GENERATED_CLASSES) {
      throw new SpecException(
          "dataset",
          String.format(
              Locale.ROOT,
              "'%s' asks for %,d classes, more than the cap of %,d",
              d,
              classes,
              MAX_GENERATED_CLASSES));
    }
    if (classes > 0 && perClass > MAX_GENERATED_IMAGES / classes) {
      throw new SpecException(
          "dataset",
          String.format(
              Locale.ROOT,
              "'%s' asks for %s images, more than the cap of %,d",
              d,
              perClass > Long.MAX_VALUE / classes
                  ? "too many"
                  : String.format(Locale.ROOT, "%,d", classes * perClass),
              MAX_GENERATED_IMAGES));
    }
  }

  private static long number(String[] parts, int i, long otherwise) {
    if (parts.length <= i) {
      return otherwise;
    }
    try {
      return Long.parseLong(parts[i].trim());
    } catch (NumberFormatException e) {
      // Not a number: the loader names the mistake when the data is read.
      return otherwise;
    }
  }
}
