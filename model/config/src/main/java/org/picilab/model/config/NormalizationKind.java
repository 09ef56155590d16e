package org.picilab.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Which per-channel mean and standard deviation normalise the images. */
public enum NormalizationKind {
  /** The ImageNet statistics, as for photographs. */
  IMAGENET,
  /** The data set's own statistics, computed once at load (the CPU preset). */
  DATASET,
  /** No normalisation; pixels stay in [0, 1]. */
  NONE;

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
  public static NormalizationKind parse(String name) {
    return OptionNames.parse(NormalizationKind.class, name);
  }
}
