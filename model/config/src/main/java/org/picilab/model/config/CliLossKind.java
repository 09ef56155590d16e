package org.picilab.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How the CLI cross-entropy reads the cluster head (method.md, "CLI"). */
public enum CliLossKind {
  /** {@code -sum(onehot * log c)} on the softmax probabilities: the paper's Eq. 15, the default. */
  PROBS,
  /** Log-softmax applied again on top of the softmax output, as the authors' code does. */
  DOUBLE_SOFTMAX;

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
  public static CliLossKind parse(String name) {
    return OptionNames.parse(CliLossKind.class, name);
  }
}
