package org.picilab.platform.db;

import java.util.Locale;

/** The orders a list of runs can be read in. */
public enum RunSort {
  /** By trial index (a sweep's order), then id. */
  INDEX("trial_index ASC, id ASC"),
  /** Best NMI first, unscored runs last. */
  NMI("COALESCE(nmi, -2.0) DESC, id ASC"),
  /** Best accuracy first, unscored runs last. */
  ACC("COALESCE(acc, -2.0) DESC, id ASC"),
  /** Best ARI first, unscored runs last. */
  ARI("COALESCE(ari, -2.0) DESC, id ASC"),
  /** Best FMI first, unscored runs last. */
  FMI("COALESCE(fmi, -2.0) DESC, id ASC"),
  /** Newest first. */
  NEWEST("created_at DESC, id ASC");

  private final String orderBy;

  RunSort(String orderBy) {
    this.orderBy = orderBy;
  }

  /**
   * The ORDER BY clause; the same expressions as the indexes of the schema, so that a page is read
   * from an index.
   *
   * @return the clause without {@code ORDER BY}
   */
  String orderBy() {
    return orderBy;
  }

  /**
   * Parses a sort name.
   *
   * @param name e.g. "nmi" or "index"
   * @return the sort
   * @throws IllegalArgumentException naming the accepted values
   */
  public static RunSort parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "sort must be one of index, nmi, acc, ari, fmi, newest; got '" + name + "'");
    }
  }
}
