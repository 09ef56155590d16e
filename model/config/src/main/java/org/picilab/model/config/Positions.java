package org.picilab.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How token positions are encoded (method.md, "Position embedding"). */
public enum Positions {
  /** Fixed 2-D sine-cosine table with a zero CLS slot: the authors' code, and the default. */
  SINCOS,
  /** A learnable 1-D table, as the paper's text describes. */
  LEARNED;

  /**
   * The name used in configuration files.
   *
   * @return the lower-case, hyphenated name
   */
  @JsonValue
  public String optionName() {
    return OptionNames.of(this);
  }

  /**
   * Parses a configuration name.
   *
   * @param name the name, case-insensitive
   * @return the constant
   */
  @JsonCreator
  public static Positions parse(String name) {
    return OptionNames.parse(Positions.class, name);
  }
}
