package org.picilab.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.nn.MaskPlan;
import org.picilab.model.nn.PiciNetwork;
import org.picilab.model.util.Seeds;

/**
 * Representations of every image, in data set order, from a forward pass without gradients.
 *
 * @param h encoder CLS representations (n, dim)
 * @param z unit instance projections (n, instanceDim)
 * @param c cluster probabilities (n, K)
 */
public record Features(float[][] h, float[][] z, float[][] c) {

  /**
   * The representations used for evaluation: the evaluation transform (resize and normalise only)
   * and the configured evaluation mask ratio (none by default).
   *
   * @param run the trained run
   * @param data its data set
   * @return the features of every image
   */
  public static Features forEvaluation(TrainingRun run, ImageDataset data) {
    return compute(
        run,
        data,
        ViewMaker.Pipeline.EVAL,
        TrainingRun.AUGMENT,
        TrainingRun.EVAL_MASK,
        run.epoch(),
        run.config().evalMaskRatio());
  }

  /**
   * Computes the representations.
   *
   * @param run the trained run
   * @param data its data set
   * @param pipeline which view of each image to use
   * @param purpose seed purpose for augmentation
   * @param maskPurpose seed purpose for masks
   * @param epoch the epoch the draws belong to
   * @param maskRatio fraction of patches to drop (0 for none)
   * @return the features
   */
  static Features compute(
      TrainingRun run,
      ImageDataset data,
      ViewMaker.Pipeline pipeline,
      long purpose,
      long maskPurpose,
      int epoch,
      double maskRatio) {
    int n = data.size();
    int batch = run.config().evalBatchSize();
    int size = data.imageSize();
    int patches = (size / run.config().patchSize()) * (size / run.config().patchSize());
    ViewMaker views = new ViewMaker(data, run.config(), run.mean(), run.std());
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    float[][] h = new float[n][];
    float[][] z = new float[n][];
    float[][] c = new float[n][];
    float[] buffer = new float[batch * views.imageValues()];
    NDManager manager = run.manager();
    ThreadGradients.recordingOff(manager);
    PiciNetwork net = run.network();
    for (int start = 0, chunk = 0; start < n; start += batch, chunk++) {
      int count = Math.min(batch, n - start);
      views.fill(all, start, count, pipeline, purpose, epoch, buffer);
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        float[] exact =
            count == batch ? buffer : java.util.Arrays.copyOf(buffer, count * views.imageValues());
        NDArray x = manager.create(exact, new Shape(count, 3, size, size));
        NDArray keep = null;
        if (maskRatio > 0) {
          MaskPlan plan =
              MaskPlan.random(
                  count,
                  patches,
                  maskRatio,
                  new SplittableRandom(
                      Seeds.derive(run.config().seed(), maskPurpose, epoch, chunk)));
          keep = manager.create(plan.keepIndex(), new Shape(count, plan.keep()));
        }
        NDArray hb = PiciNetwork.cls(net.encode(run.parameterStore(), x, keep, false));
        NDArray zb = net.instanceProjection(run.parameterStore(), hb, false);
        NDArray cb = net.clusterLogits(run.parameterStore(), hb, false).softmax(1);
        rows(hb, h, start);
        rows(zb, z, start);
        rows(cb, c, start);
      }
    }
    return new Features(h, z, c);
  }

  private static void rows(NDArray a, float[][] out, int start) {
    int count = (int) a.getShape().get(0);
    int width = (int) a.getShape().get(1);
    float[] flat = a.toFloatArray();
    for (int r = 0; r < count; r++) {
      out[start + r] = java.util.Arrays.copyOfRange(flat, r * width, (r + 1) * width);
    }
  }

  /**
   * Converts rows to doubles, as the clustering code takes them.
   *
   * @param rows float rows
   * @return double rows
   */
  public static double[][] toDouble(float[][] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = new double[rows[i].length];
      for (int j = 0; j < rows[i].length; j++) {
        out[i][j] = rows[i][j];
      }
    }
    return out;
  }
}
