package org.picilab.model.nn;

import java.util.Locale;

/** How token positions are encoded (method.md, "Position embedding"). */
public enum Positions {
  /** Fixed 2-D sine-cosine table with a zero CLS slot: the authors' code, and the default. */
  SINCOS,
  /** A learnable 1-D table, as the paper's text describes. */
  LEARNED;

  /**
   * Parses a name case-insensitively.
   *
   * @param name "sincos" or "learned"
   * @return the value
   */
  public static Positions parse(String name) {
    return valueOf(name.trim().toUpperCase(Locale.ROOT));
  }
}
