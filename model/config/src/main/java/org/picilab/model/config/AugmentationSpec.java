package org.picilab.model.config;

import java.util.Objects;

/**
 * Every parameter of an augmentation pipeline, validated on construction.
 *
 * <p>The pipeline is, in order: a geometric step ({@link Mode#RESIZED_CROP} or {@link Mode#WARP}),
 * horizontal flip, colour jitter, random grayscale, Gaussian blur, solarize, and finally the {@link
 * Normalization}. Each random step happens with its own probability. The factories give the named
 * pipelines; {@link #toBuilder()} changes single fields, e.g. for a configuration file that
 * overrides one value of a preset.
 *
 * @param mode the geometric step
 * @param scaleMin smallest area of the viewed region, as a fraction of the image area
 * @param scaleMax largest area of the viewed region; at most 1 for {@code RESIZED_CROP}
 * @param aspectMin smallest width / height of the viewed region (sampled log-uniformly)
 * @param aspectMax largest width / height of the viewed region
 * @param rotationDegrees rotation uniform in +-this many degrees ({@code WARP} only)
 * @param translateFraction shift of the region's centre, uniform in +-this fraction of the side per
 *     axis ({@code WARP} only)
 * @param flipProbability probability of a horizontal flip
 * @param jitterProbability probability of applying colour jitter
 * @param brightness brightness factor uniform in [max(0, 1 - b), 1 + b]
 * @param contrast contrast factor uniform in [max(0, 1 - c), 1 + c]
 * @param saturation saturation factor uniform in [max(0, 1 - s), 1 + s]
 * @param hue hue shift uniform in [-h, h] turns of the HSV hue circle, h at most 0.5
 * @param grayscaleProbability probability of replacing the image by its luma in all channels
 * @param blurProbability probability of a Gaussian blur
 * @param blurSigmaMin smallest blur standard deviation, in pixels
 * @param blurSigmaMax largest blur standard deviation, in pixels
 * @param blurKernelFraction blur kernel size as a fraction of the image side (rounded down, made
 *     odd, at least 3; see {@link Augmenter#blurKernelSize(int, double)})
 * @param solarizeProbability probability of inverting every value of at least 0.5
 */
public record AugmentationSpec(
    Mode mode,
    double scaleMin,
    double scaleMax,
    double aspectMin,
    double aspectMax,
    double rotationDegrees,
    double translateFraction,
    double flipProbability,
    double jitterProbability,
    double brightness,
    double contrast,
    double saturation,
    double hue,
    double grayscaleProbability,
    double blurProbability,
    double blurSigmaMin,
    double blurSigmaMax,
    double blurKernelFraction,
    double solarizeProbability) {

  /** The largest area scale of a {@code WARP}, which then zooms out with border padding. */
  public static final double MAX_WARP_SCALE = 4.0;

  /** The geometric step of the pipeline. */
  public enum Mode {
    /**
     * torchvision's RandomResizedCrop: up to ten draws of an area and aspect ratio that fit in the
     * image, else a centre crop; the crop is resized back to the image size bilinearly.
     */
    RESIZED_CROP,
    /**
     * One affine map from output to source coordinates (area scale, aspect, rotation, translation),
     * sampled bilinearly, with coordinates clamped at the border.
     */
    WARP
  }

  /**
   * Validates every field.
   *
   * @param mode the geometric step
   * @param scaleMin smallest area fraction
   * @param scaleMax largest area fraction
   * @param aspectMin smallest aspect ratio
   * @param aspectMax largest aspect ratio
   * @param rotationDegrees rotation range in degrees
   * @param translateFraction translation range as a fraction of the side
   * @param flipProbability probability of a horizontal flip
   * @param jitterProbability probability of colour jitter
   * @param brightness brightness strength
   * @param contrast contrast strength
   * @param saturation saturation strength
   * @param hue hue strength
   * @param grayscaleProbability probability of grayscale
   * @param blurProbability probability of blur
   * @param blurSigmaMin smallest blur sigma
   * @param blurSigmaMax largest blur sigma
   * @param blurKernelFraction blur kernel size as a fraction of the side
   * @param solarizeProbability probability of solarize
   * @throws IllegalArgumentException naming the first field out of range
   */
  public AugmentationSpec {
    Objects.requireNonNull(mode, "AugmentationSpec.mode");
    finite("scaleMin", scaleMin);
    finite("scaleMax", scaleMax);
    finite("aspectMin", aspectMin);
    finite("aspectMax", aspectMax);
    finite("rotationDegrees", rotationDegrees);
    finite("translateFraction", translateFraction);
    finite("brightness", brightness);
    finite("contrast", contrast);
    finite("saturation", saturation);
    finite("hue", hue);
    finite("blurSigmaMin", blurSigmaMin);
    finite("blurSigmaMax", blurSigmaMax);
    finite("blurKernelFraction", blurKernelFraction);

    if (!(scaleMin > 0)) {
      fail("scaleMin", scaleMin, "must be positive");
    }
    if (scaleMax < scaleMin) {
      fail("scaleMax", scaleMax, "must be at least scaleMin (" + scaleMin + ")");
    }
    double maxScale = mode == Mode.RESIZED_CROP ? 1.0 : MAX_WARP_SCALE;
    if (scaleMax > maxScale) {
      fail("scaleMax", scaleMax, "must be at most " + maxScale + " in " + mode + " mode");
    }
    if (!(aspectMin > 0)) {
      fail("aspectMin", aspectMin, "must be positive");
    }
    if (aspectMax < aspectMin) {
      fail("aspectMax", aspectMax, "must be at least aspectMin (" + aspectMin + ")");
    }
    if (rotationDegrees < 0 || rotationDegrees > 180) {
      fail("rotationDegrees", rotationDegrees, "must be from 0 to 180");
    }
    if (translateFraction < 0 || translateFraction > 1) {
      fail("translateFraction", translateFraction, "must be from 0 to 1");
    }
    if (mode == Mode.RESIZED_CROP && rotationDegrees != 0) {
      fail("rotationDegrees", rotationDegrees, "must be 0 in RESIZED_CROP mode; use WARP");
    }
    if (mode == Mode.RESIZED_CROP && translateFraction != 0) {
      fail("translateFraction", translateFraction, "must be 0 in RESIZED_CROP mode; use WARP");
    }
    probability("flipProbability", flipProbability);
    probability("jitterProbability", jitterProbability);
    if (brightness < 0) {
      fail("brightness", brightness, "must not be negative");
    }
    if (contrast < 0) {
      fail("contrast", contrast, "must not be negative");
    }
    if (saturation < 0) {
      fail("saturation", saturation, "must not be negative");
    }
    if (hue < 0 || hue > 0.5) {
      fail("hue", hue, "must be from 0 to 0.5");
    }
    probability("grayscaleProbability", grayscaleProbability);
    probability("blurProbability", blurProbability);
    if (!(blurSigmaMin > 0)) {
      fail("blurSigmaMin", blurSigmaMin, "must be positive");
    }
    if (blurSigmaMax < blurSigmaMin) {
      fail("blurSigmaMax", blurSigmaMax, "must be at least blurSigmaMin (" + blurSigmaMin + ")");
    }
    if (!(blurKernelFraction > 0) || blurKernelFraction > 1) {
      fail("blurKernelFraction", blurKernelFraction, "must be in (0, 1]");
    }
    probability("solarizeProbability", solarizeProbability);
  }

  private static void finite(String field, double value) {
    if (!Double.isFinite(value)) {
      fail(field, value, "must be a finite number");
    }
  }

  private static void probability(String field, double value) {
    if (!(value >= 0 && value <= 1)) {
      fail(field, value, "is a probability and must be from 0 to 1");
    }
  }

  private static void fail(String field, double value, String rule) {
    throw new IllegalArgumentException("AugmentationSpec." + field + " " + rule + ", got " + value);
  }

  /**
   * Returns the identity pipeline: the whole image, nothing random. With {@link
   * Normalization#none()} the output equals the input; it is the weak view (resize and normalise
   * only) of the paper's pairs.
   *
   * @return the identity specification
   */
  public static AugmentationSpec none() {
    return new AugmentationSpec(
        Mode.RESIZED_CROP, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 2.0, 0.1, 0);
  }

  /**
   * Returns the paper's strong view: RandomResizedCrop (scale 0.08-1, aspect 3/4-4/3), horizontal
   * flip p 0.5, ColorJitter(0.4, 0.4, 0.2, 0.1) with p 0.8, grayscale p 0.2, Gaussian blur with
   * sigma 0.1-2 always, its kernel a tenth of the image side.
   *
   * @return the strong specification
   */
  public static AugmentationSpec paperStrong() {
    return new AugmentationSpec(
        Mode.RESIZED_CROP,
        0.08,
        1.0,
        3.0 / 4.0,
        4.0 / 3.0,
        0,
        0,
        0.5,
        0.8,
        0.4,
        0.4,
        0.2,
        0.1,
        0.2,
        1.0,
        0.1,
        2.0,
        0.1,
        0);
  }

  /**
   * Returns the second view of the authors' code ("byol" pairs): {@link #paperStrong()} plus
   * solarize with p 0.2.
   *
   * @return the specification
   */
  public static AugmentationSpec byolStrongB() {
    return paperStrong().toBuilder().solarizeProbability(0.2).build();
  }

  /**
   * Returns the CPU preset for small images (method.md): one affine warp with area scale 0.7-1,
   * aspect 0.8-1.25, rotation +-10 degrees, translation +-0.1 of the side, bilinear with border
   * padding; no flip, colour or blur.
   *
   * @return the mild warp specification
   */
  public static AugmentationSpec mildWarp() {
    return new AugmentationSpec(
        Mode.WARP, 0.7, 1.0, 0.8, 1.25, 10, 0.1, 0, 0, 0, 0, 0, 0, 0, 0, 0.1, 2.0, 0.1, 0);
  }

  /**
   * Returns a builder holding this specification's values, to change some of them.
   *
   * @return a builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Returns a builder starting from {@link #none()}.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder(none());
  }

  /**
   * Changes single fields of a specification; {@link #build()} validates the result as a whole, so
   * fields that depend on each other (such as mode and rotation) can be changed in any order.
   */
  public static final class Builder {
    private Mode mode;
    private double scaleMin;
    private double scaleMax;
    private double aspectMin;
    private double aspectMax;
    private double rotationDegrees;
    private double translateFraction;
    private double flipProbability;
    private double jitterProbability;
    private double brightness;
    private double contrast;
    private double saturation;
    private double hue;
    private double grayscaleProbability;
    private double blurProbability;
    private double blurSigmaMin;
    private double blurSigmaMax;
    private double blurKernelFraction;
    private double solarizeProbability;

    private Builder(AugmentationSpec s) {
      mode = s.mode;
      scaleMin = s.scaleMin;
      scaleMax = s.scaleMax;
      aspectMin = s.aspectMin;
      aspectMax = s.aspectMax;
      rotationDegrees = s.rotationDegrees;
      translateFraction = s.translateFraction;
      flipProbability = s.flipProbability;
      jitterProbability = s.jitterProbability;
      brightness = s.brightness;
      contrast = s.contrast;
      saturation = s.saturation;
      hue = s.hue;
      grayscaleProbability = s.grayscaleProbability;
      blurProbability = s.blurProbability;
      blurSigmaMin = s.blurSigmaMin;
      blurSigmaMax = s.blurSigmaMax;
      blurKernelFraction = s.blurKernelFraction;
      solarizeProbability = s.solarizeProbability;
    }

    /**
     * Sets {@link AugmentationSpec#mode()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder mode(Mode v) {
      mode = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#scaleMin()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder scaleMin(double v) {
      scaleMin = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#scaleMax()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder scaleMax(double v) {
      scaleMax = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#aspectMin()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder aspectMin(double v) {
      aspectMin = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#aspectMax()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder aspectMax(double v) {
      aspectMax = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#rotationDegrees()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder rotationDegrees(double v) {
      rotationDegrees = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#translateFraction()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder translateFraction(double v) {
      translateFraction = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#flipProbability()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder flipProbability(double v) {
      flipProbability = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#jitterProbability()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder jitterProbability(double v) {
      jitterProbability = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#brightness()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder brightness(double v) {
      brightness = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#contrast()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder contrast(double v) {
      contrast = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#saturation()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder saturation(double v) {
      saturation = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#hue()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder hue(double v) {
      hue = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#grayscaleProbability()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder grayscaleProbability(double v) {
      grayscaleProbability = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#blurProbability()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder blurProbability(double v) {
      blurProbability = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#blurSigmaMin()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder blurSigmaMin(double v) {
      blurSigmaMin = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#blurSigmaMax()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder blurSigmaMax(double v) {
      blurSigmaMax = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#blurKernelFraction()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder blurKernelFraction(double v) {
      blurKernelFraction = v;
      return this;
    }

    /**
     * Sets {@link AugmentationSpec#solarizeProbability()}.
     *
     * @param v the value
     * @return this builder
     */
    public Builder solarizeProbability(double v) {
      solarizeProbability = v;
      return this;
    }

    /**
     * Validates and returns the specification.
     *
     * @return the specification
     * @throws IllegalArgumentException naming the first field out of range
     */
    public AugmentationSpec build() {
      return new AugmentationSpec(
          mode,
          scaleMin,
          scaleMax,
          aspectMin,
          aspectMax,
          rotationDegrees,
          translateFraction,
          flipProbability,
          jitterProbability,
          brightness,
          contrast,
          saturation,
          hue,
          grayscaleProbability,
          blurProbability,
          blurSigmaMin,
          blurSigmaMax,
          blurKernelFraction,
          solarizeProbability);
    }
  }
}
