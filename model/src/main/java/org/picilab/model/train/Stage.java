package org.picilab.model.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.picilab.model.config.Epochs;
import org.picilab.model.config.OptionNames;

/** The three stages of PICI training (paper 002, Section 3.4 and Algorithm 1). */
public enum Stage {
  /** PISD only: the masked autoencoder learns to reconstruct. */
  PRETRAIN,
  /** PISD + PICD: reconstruction with instance and cluster contrast. */
  TRAIN,
  /** PICD + CLI: contrast with the cross-level interaction, reconstruction dropped. */
  BOOST;

  /**
   * Epochs of this stage in a configuration.
   *
   * @param epochs the configured epochs
   * @return this stage's count
   */
  public int length(Epochs epochs) {
    return switch (this) {
      case PRETRAIN -> epochs.pretrain();
      case TRAIN -> epochs.train();
      case BOOST -> epochs.boost();
    };
  }

  /**
   * The global index of this stage's first epoch.
   *
   * @param epochs the configured epochs
   * @return epochs of all earlier stages
   */
  public int offset(Epochs epochs) {
    return switch (this) {
      case PRETRAIN -> 0;
      case TRAIN -> epochs.pretrain();
      case BOOST -> epochs.pretrain() + epochs.train();
    };
  }

  /**
   * The stage a global epoch belongs to.
   *
   * @param globalEpoch a 0-based epoch index over the whole run
   * @param epochs the configured epochs
   * @return its stage
   */
  public static Stage at(int globalEpoch, Epochs epochs) {
    if (globalEpoch < epochs.pretrain()) {
      return PRETRAIN;
    }
    if (globalEpoch < epochs.pretrain() + epochs.train()) {
      return TRAIN;
    }
    return BOOST;
  }

  /**
   * The name used in files and on the command line.
   *
   * @return e.g. "pretrain"
   */
  @JsonValue
  public String optionName() {
    return OptionNames.of(this);
  }

  /**
   * Parses a stage name.
   *
   * @param name e.g. "boost"
   * @return the stage
   */
  @JsonCreator
  public static Stage parse(String name) {
    return OptionNames.parse(Stage.class, name);
  }
}
