package org.picilab.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Splits images into non-overlapping square patches, in the order the MAE decoder predicts. */
public final class Patches {

  private Patches() {}

  /**
   * Turns images of shape (B, C, S, S) into patch rows of shape (B, L, p * p * C).
   *
   * <p>Patches are listed row by row; inside a patch the values run over (row, column, channel), as
   * in the MAE reference. The same layout serves the patch embedding (a linear map of each row is
   * the same as a convolution with kernel and stride p) and the reconstruction targets.
   *
   * @param images a batch of square images
   * @param patch the patch side in pixels; must divide the image side
   * @return the patch rows
   */
  public static NDArray patchify(NDArray images, int patch) {
    Shape s = images.getShape();
    long b = s.get(0);
    long c = s.get(1);
    long size = s.get(2);
    if (s.dimension() != 4 || s.get(3) != size) {
      throw new IllegalArgumentException("expected square images (B, C, S, S), got " + s);
    }
    if (size % patch != 0) {
      throw new IllegalArgumentException(
          "patch size " + patch + " does not divide the image size " + size);
    }
    long g = size / patch;
    return images
        .reshape(b, c, g, patch, g, patch)
        .transpose(0, 2, 4, 3, 5, 1)
        .reshape(b, g * g, (long) patch * patch * c);
  }
}
