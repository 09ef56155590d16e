package org.picilab.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a trained model assigns clusters at evaluation. */
public enum Prediction {
  /** Argmax of the cluster head: the method itself, and the default. */
  HEAD,
  /** k-means on the encoder representation h, for ablations without a trained head. */
  KMEANS;

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
  public static Prediction parse(String name) {
    return OptionNames.parse(Prediction.class, name);
  }
}
