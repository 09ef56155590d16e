package org.picilab.model.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Named starting points for a configuration; every value can still be overridden. */
public enum Preset {
  /**
   * The CPU preset for small images of method.md: 16 px, ViT 192/4 with patch 4, decoder 128/2,
   * mask 0.25, batch 64, lr 3e-4 with 2 warm-up epochs, 5/50/8 epochs, both views through the same
   * mild warp, data set normalisation. It beat k-means on digits for every seed there.
   */
  CPU,
  /**
   * The paper's settings for 224 px photographs: ViT-S 384/6/12 with patch 16, decoder 512/8/16,
   * mask 0.5, batch 96, lr 1e-4, 200/800/50 epochs, weak and strong views, ImageNet normalisation.
   * Meant for a GPU.
   */
  PAPER,
  /**
   * A very small model and few epochs, for tests and for trying the commands in seconds. Not meant
   * to cluster well.
   */
  TINY;

  /**
   * The preset's configuration.
   *
   * @return a complete, valid configuration
   */
  public RunConfig config() {
    return switch (this) {
      case CPU ->
          new RunConfig(
              "pici",
              16,
              4,
              192,
              4,
              3,
              4.0,
              128,
              2,
              4,
              Positions.SINCOS,
              0.25,
              0.0,
              128,
              0,
              0.5,
              1.0,
              64,
              3e-4,
              2.0,
              0.0,
              new Epochs(5, 50, 8),
              1.0,
              CliLossKind.PROBS,
              PseudoLabelPolicy.ONCE,
              100,
              ViewPolicy.SAME,
              AugmentationSpec.mildWarp(),
              NormalizationKind.DATASET,
              Prediction.HEAD,
              256,
              1,
              1);
      case PAPER ->
          new RunConfig(
              "pici",
              224,
              16,
              384,
              6,
              12,
              4.0,
              512,
              8,
              16,
              Positions.SINCOS,
              0.5,
              0.0,
              128,
              0,
              0.5,
              1.0,
              96,
              1e-4,
              0.0,
              0.0,
              new Epochs(200, 800, 50),
              1.0,
              CliLossKind.PROBS,
              PseudoLabelPolicy.ONCE,
              100,
              ViewPolicy.PAPER,
              AugmentationSpec.paperStrong(),
              NormalizationKind.IMAGENET,
              Prediction.HEAD,
              128,
              1,
              10);
      case TINY ->
          new RunConfig(
              "pici",
              16,
              4,
              32,
              2,
              2,
              2.0,
              32,
              1,
              2,
              Positions.SINCOS,
              0.25,
              0.0,
              32,
              0,
              0.5,
              1.0,
              32,
              1e-3,
              0.5,
              0.0,
              new Epochs(1, 3, 1),
              1.0,
              CliLossKind.PROBS,
              PseudoLabelPolicy.ONCE,
              5,
              ViewPolicy.SAME,
              AugmentationSpec.mildWarp(),
              NormalizationKind.DATASET,
              Prediction.HEAD,
              256,
              1,
              1);
    };
  }

  /**
   * The name used on the command line.
   *
   * @return e.g. "cpu"
   */
  @JsonValue
  public String optionName() {
    return OptionNames.of(this);
  }

  /**
   * Parses a preset name.
   *
   * @param name e.g. "paper"
   * @return the preset
   */
  @JsonCreator
  public static Preset parse(String name) {
    return OptionNames.parse(Preset.class, name);
  }
}
