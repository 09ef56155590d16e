package org.picilab.model.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which patches each image of a batch keeps, drawn per sample as in MAE: sort uniform noise, keep
 * the first {@code keep} patches of that order, and remember the inverse order so that the decoder
 * can put mask tokens back where the dropped patches were (method.md, "Masking").
 *
 * <p>The plan is drawn in Java from a seeded generator rather than by the engine, so that a run
 * resumed from a checkpoint draws exactly the same masks as one that never stopped.
 *
 * @param batch the number of images
 * @param patches the number of patches per image (L)
 * @param keep the number of visible patches per image
 * @param keepIndex row-major (batch, keep): patch indices fed to the encoder, in shuffled order
 * @param restoreIndex row-major (batch, patches): for each original position, its index in the
 *     shuffled order (the inverse permutation)
 * @param masked row-major (batch, patches): 1 where the patch was dropped, 0 where it was kept
 */
public record MaskPlan(
    int batch, int patches, int keep, long[] keepIndex, long[] restoreIndex, float[] masked) {

  /**
   * Number of visible patches for a mask ratio, rounded down as the MAE reference does.
   *
   * @param patches patches per image
   * @param ratio the fraction to drop, in [0, 1)
   * @return the number kept, at least 1
   */
  public static int keptPatches(int patches, double ratio) {
    if (!(ratio >= 0 && ratio < 1)) {
      throw new IllegalArgumentException("mask ratio must be in [0, 1), got " + ratio);
    }
    return Math.max(1, (int) (patches * (1.0 - ratio)));
  }

  /**
   * Draws a plan.
   *
   * @param batch images in the batch
   * @param patches patches per image
   * @param ratio fraction of patches to drop
   * @param rng the generator; consumed in a fixed order
   * @return the plan
   */
  public static MaskPlan random(int batch, int patches, double ratio, SplittableRandom rng) {
    int keep = keptPatches(patches, ratio);
    long[] keepIndex = new long[batch * keep];
    long[] restore = new long[batch * patches];
    float[] masked = new float[batch * patches];
    double[] noise = new double[patches];
    Integer[] order = new Integer[patches];
    for (int b = 0; b < batch; b++) {
      for (int l = 0; l < patches; l++) {
        noise[l] = rng.nextDouble();
        order[l] = l;
      }
      // A stable sort on the noise; ties (probability zero) fall back to the index.
      Arrays.sort(order, (x, y) -> Double.compare(noise[x], noise[y]));
      for (int rank = 0; rank < patches; rank++) {
        int l = order[rank];
        restore[b * patches + l] = rank;
        if (rank < keep) {
          keepIndex[b * keep + rank] = l;
        } else {
          masked[b * patches + l] = 1f;
        }
      }
    }
    return new MaskPlan(batch, patches, keep, keepIndex, restore, masked);
  }

  /**
   * The plan that keeps every patch in place (no masking), used at evaluation.
   *
   * @param batch images in the batch
   * @param patches patches per image
   * @return the identity plan
   */
  public static MaskPlan none(int batch, int patches) {
    long[] keepIndex = new long[batch * patches];
    for (int b = 0; b < batch; b++) {
      for (int l = 0; l < patches; l++) {
        keepIndex[b * patches + l] = l;
      }
    }
    return new MaskPlan(
        batch, patches, patches, keepIndex, keepIndex.clone(), new float[batch * patches]);
  }

  /**
   * Whether every patch is kept.
   *
   * @return true when nothing is masked
   */
  public boolean isIdentity() {
    return keep == patches;
  }
}
