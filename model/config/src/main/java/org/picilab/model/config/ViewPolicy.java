package org.picilab.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the two views of a sample are augmented (method.md, "Augmentations"). */
public enum ViewPolicy {
  /** View a weak (resize and normalise only), view b strong: the paper, and its default. */
  PAPER,
  /** Both views strong, view b adds solarize with p 0.2: the authors' code. */
  BYOL,
  /** Both views through the same pipeline: the CPU preset's mild warp. */
  SAME;

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
  public static ViewPolicy parse(String name) {
    return OptionNames.parse(ViewPolicy.class, name);
  }
}
