package org.picilab.model.augment;

import java.util.Arrays;
import java.util.Objects;
import org.picilab.model.data.ImageDataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-channel standardisation {@code (x - mean[c]) / std[c]} applied as the last augmentation step.
 *
 * <p>The arrays are copied in and out, so a normalisation cannot be changed after it is made.
 *
 * @param mean the three channel means, in the [0, 1] pixel scale
 * @param std the three channel standard deviations, all positive
 */
public record Normalization(float[] mean, float[] std) {

  private static final Logger LOG = LoggerFactory.getLogger(Normalization.class);

  /**
   * Validates and copies the arrays.
   *
   * @param mean the three channel means
   * @param std the three channel standard deviations
   * @throws IllegalArgumentException when an array does not hold three finite values or a standard
   *     deviation is not positive
   */
  public Normalization {
    Objects.requireNonNull(mean, "Normalization.mean");
    Objects.requireNonNull(std, "Normalization.std");
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException(
          "Normalization.mean and Normalization.std need 3 values (R, G, B), got "
              + mean.length
              + " and "
              + std.length);
    }
    mean = mean.clone();
    std = std.clone();
    for (int c = 0; c < 3; c++) {
      if (!Float.isFinite(mean[c])) {
        throw new IllegalArgumentException(
            "Normalization.mean[" + c + "] must be finite, got " + mean[c]);
      }
      if (!(std[c] > 0f) || !Float.isFinite(std[c])) {
        throw new IllegalArgumentException(
            "Normalization.std[" + c + "] must be positive and finite, got " + std[c]);
      }
    }
  }

  /**
   * Returns the ImageNet statistics used by the paper's pipelines.
   *
   * @return mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225)
   */
  public static Normalization imagenet() {
    return new Normalization(
        new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
  }

  /**
   * Returns the identity: mean 0, std 1, leaving pixels in [0, 1].
   *
   * @return the identity normalisation
   */
  public static Normalization none() {
    return new Normalization(new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f});
  }

  /**
   * Returns a data set's own per-channel mean and standard deviation, as the CPU preset uses. A
   * channel that is constant over the whole data set keeps std 1, since dividing by zero would only
   * turn it into NaN.
   *
   * @param dataset the data set whose pixels are measured (the result is cached by it)
   * @return the normalisation
   */
  public static Normalization of(ImageDataset dataset) {
    double[][] ms = dataset.channelMeanStd();
    float[] mean = new float[3];
    float[] std = new float[3];
    for (int c = 0; c < 3; c++) {
      mean[c] = (float) ms[0][c];
      std[c] = (float) ms[1][c];
      if (!(std[c] > 0f)) {
        LOG.warn(
            "Channel {} of data set '{}' is constant; normalising it with std 1",
            c,
            dataset.name());
        std[c] = 1f;
      }
    }
    return new Normalization(mean, std);
  }

  /**
   * Returns a copy of the channel means.
   *
   * @return the means
   */
  @Override
  public float[] mean() {
    return mean.clone();
  }

  /**
   * Returns a copy of the channel standard deviations.
   *
   * @return the standard deviations
   */
  @Override
  public float[] std() {
    return std.clone();
  }

  /** Whether this is the identity, so the final pass can be a plain copy. */
  boolean isIdentity() {
    for (int c = 0; c < 3; c++) {
      if (mean[c] != 0f || std[c] != 1f) {
        return false;
      }
    }
    return true;
  }

  /** The mean of one channel without copying the array. */
  float meanOf(int c) {
    return mean[c];
  }

  /** The standard deviation of one channel without copying the array. */
  float stdOf(int c) {
    return std[c];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}
