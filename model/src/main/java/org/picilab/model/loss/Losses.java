package org.picilab.model.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.picilab.model.config.CliLossKind;
import org.picilab.model.nn.Scalars;

/**
 * The loss functions. Every method returns a scalar array that autograd can differentiate.
 *
 * <p>Shapes: B is the batch, K the number of clusters, L the patches per image, P the pixels per
 * patch.
 */
public final class Losses {

  /** Variance offset in the per-patch target normalisation (method.md, "PISD loss"). */
  public static final float PATCH_NORM_EPS = 1e-6f;

  private Losses() {}

  /**
   * PISD reconstruction loss of one view: mean squared error over the masked patches only, against
   * per-patch normalised targets {@code (x - mean) / sqrt(var + 1e-6)} with the unbiased variance
   * (MAE's {@code norm_pix_loss}).
   *
   * @param predicted decoder output (B, L, P)
   * @param targetPatches the view's pixels as patch rows (B, L, P), see {@code Patches.patchify}
   * @param masked (B, L): 1 for dropped patches, 0 for visible ones
   * @return the scalar loss
   */
  public static NDArray reconstruction(NDArray predicted, NDArray targetPatches, NDArray masked) {
    long p = targetPatches.getShape().get(2);
    NDArray mean = targetPatches.mean(new int[] {2}, true);
    NDArray centered = targetPatches.sub(mean);
    NDArray variance = Scalars.div(centered.square().sum(new int[] {2}, true), p - 1);
    NDArray target = centered.div(Scalars.add(variance, PATCH_NORM_EPS).sqrt());
    NDArray perPatch = predicted.sub(target).square().mean(new int[] {2});
    return perPatch.mul(masked).sum().div(masked.sum());
  }

  /**
   * The instance contrastive loss (NT-Xent) over two views of B samples: rows of {@code z = [za;
   * zb]} are compared by dot product / tau; each row's positive is the other view of the same
   * sample, the 2B - 2 other rows are negatives and the row itself is excluded. Summed
   * cross-entropy over the 2B rows, divided by 2B (Eqs. 4-6).
   *
   * @param za unit rows of view a (B, d)
   * @param zb unit rows of view b (B, d)
   * @param temperature tau_I (0.5)
   * @return the scalar loss
   */
  public static NDArray instanceContrastive(NDArray za, NDArray zb, double temperature) {
    return pairContrastive(NDArrays.concat(new NDList(za, zb), 0), temperature);
  }

  /**
   * The cluster contrastive loss over the 2K columns of the two views' soft assignments, compared
   * by cosine similarity / tau_C with the same positive/negative pattern, summed cross-entropy / 2K
   * (Eqs. 7-8, 11), without the entropy term (see {@link #clusterEntropy}).
   *
   * @param ca softmax assignments of view a (B, K)
   * @param cb softmax assignments of view b (B, K)
   * @param temperature tau_C (1.0)
   * @return the scalar loss
   */
  public static NDArray clusterContrastive(NDArray ca, NDArray cb, double temperature) {
    NDArray columns = NDArrays.concat(new NDList(ca.transpose(), cb.transpose()), 0);
    // Cosine similarity as in the reference: each norm clamped at 1e-8.
    NDArray unit = columns.div(columns.norm(new int[] {1}, true).clip(1e-8f, Float.MAX_VALUE));
    return pairContrastive(unit, temperature);
  }

  /**
   * The entropy regulariser of one view in the reference code's form: {@code log K + sum_k p_k log
   * p_k}, where p is the column sums of the assignments normalised to 1. It equals {@code log K -
   * H(p)}, is never negative, and is zero when clusters are used equally (method.md).
   *
   * @param c softmax assignments (B, K)
   * @return the scalar term
   */
  public static NDArray clusterEntropy(NDArray c) {
    long k = c.getShape().get(1);
    NDArray p = c.sum(new int[] {0});
    p = p.div(p.sum());
    return Scalars.add(p.mul(p.log()).sum(), Math.log(k));
  }

  /**
   * The cross-level interaction loss of one view (Eq. 15): cross-entropy between the matched
   * one-hot targets and the cluster head.
   *
   * @param logits cluster-head logits (B, K)
   * @param targets one-hot targets (B, K)
   * @param kind whether to read log-probabilities once (the paper) or after a second softmax
   * @return the scalar loss, averaged over the batch
   */
  public static NDArray crossLevel(NDArray logits, NDArray targets, CliLossKind kind) {
    NDArray logProbs =
        switch (kind) {
          case PROBS -> logits.logSoftmax(1);
          case DOUBLE_SOFTMAX -> logits.softmax(1).logSoftmax(1);
        };
    return Scalars.div(logProbs.mul(targets).sum().neg(), logits.getShape().get(0));
  }

  /**
   * NT-Xent over 2N rows whose row i and row i + N (mod 2N) are positives.
   *
   * @param rows (2N, d), already normalised as the similarity requires
   * @param temperature the temperature
   * @return summed cross-entropy / 2N
   */
  static NDArray pairContrastive(NDArray rows, double temperature) {
    long twoN = rows.getShape().get(0);
    NDManager manager = rows.getManager();
    NDArray similarity = Scalars.div(rows.matMul(rows.transpose()), temperature);
    // Remove each row's similarity with itself from the softmax by pushing it far below the
    // others; exp() of it underflows to exactly zero.
    NDArray self = Scalars.mul(manager.eye((int) twoN), 1e9);
    NDArray logProbs = similarity.sub(self).logSoftmax(1);
    return Scalars.div(logProbs.mul(positives(manager, twoN)).sum().neg(), twoN);
  }

  private static NDArray positives(NDManager manager, long twoN) {
    long n = twoN / 2;
    float[] m = new float[(int) (twoN * twoN)];
    for (long i = 0; i < twoN; i++) {
      long j = (i + n) % twoN;
      m[(int) (i * twoN + j)] = 1f;
    }
    return manager.create(m, new Shape(twoN, twoN));
  }
}
