package org.picilab.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** When CLI recomputes its k-means pseudo-labels (method.md, "CLI"). */
public enum PseudoLabelPolicy {
  /** Once, at the start of boosting: the authors' code, and the default. */
  ONCE,
  /** At the start of every boosting epoch. */
  EVERY_EPOCH;

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
  public static PseudoLabelPolicy parse(String name) {
    return OptionNames.parse(PseudoLabelPolicy.class, name);
  }
}
