package org.picilab.model.nn;

/**
 * Fixed 2-D sine-cosine position embeddings for a square grid of patches, with an all-zero row in
 * front for the CLS token (method.md: the default position embedding, as in the authors' code).
 */
public final class SinCosPositions {

  private SinCosPositions() {}

  /**
   * Builds the table.
   *
   * @param dim the embedding width; must be a multiple of 4
   * @param grid the number of patches along one side
   * @return a row-major table of shape (1 + grid * grid, dim)
   */
  public static float[] table(int dim, int grid) {
    if (dim % 4 != 0) {
      throw new IllegalArgumentException(
          "fixed 2-D sine-cosine positions need a width divisible by 4, got " + dim);
    }
    int quarter = dim / 4;
    double[] omega = new double[quarter];
    for (int k = 0; k < quarter; k++) {
      omega[k] = 1.0 / Math.pow(10000.0, (double) k / quarter);
    }
    float[] out = new float[(1 + grid * grid) * dim];
    for (int row = 0; row < grid; row++) {
      for (int col = 0; col < grid; col++) {
        // Row 0 of the table belongs to the CLS token and stays zero.
        int base = (1 + row * grid + col) * dim;
        // The first half encodes the column, the second half the row; each half is sines of
        // the position times the frequencies followed by cosines of the same.
        for (int k = 0; k < quarter; k++) {
          out[base + k] = (float) Math.sin(col * omega[k]);
          out[base + quarter + k] = (float) Math.cos(col * omega[k]);
          out[base + 2 * quarter + k] = (float) Math.sin(row * omega[k]);
          out[base + 3 * quarter + k] = (float) Math.cos(row * omega[k]);
        }
      }
    }
    return out;
  }
}
