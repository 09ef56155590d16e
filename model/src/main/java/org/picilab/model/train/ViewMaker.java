package org.picilab.model.train;

import java.util.SplittableRandom;
import org.picilab.model.augment.Augmenter;
import org.picilab.model.augment.Normalization;
import org.picilab.model.config.AugmentationSpec;
import org.picilab.model.config.RunConfig;
import org.picilab.model.data.ImageDataset;
import org.picilab.model.util.Seeds;

/**
 * Produces the two augmented views of samples (method.md, "Augmentations"), or the evaluation view.
 * Each image's draw comes from its own generator seeded by (run seed, purpose, epoch, sample,
 * view), so a view does not depend on which batch the sample lands in, nor on threads.
 *
 * <p>Not thread-safe: each thread that makes views needs its own instance.
 */
final class ViewMaker {

  /** Which pipeline to apply. */
  enum Pipeline {
    /** The first view. */
    A,
    /** The second view. */
    B,
    /** Resize and normalise only: the evaluation transform. */
    EVAL
  }

  private final ImageDataset data;
  private final long seed;
  private final Augmenter viewA;
  private final Augmenter viewB;
  private final Augmenter eval;
  private final float[] source;
  private final int size;

  ViewMaker(ImageDataset data, RunConfig config, float[] mean, float[] std) {
    this.data = data;
    this.seed = config.seed();
    this.size = data.imageSize();
    Normalization norm = new Normalization(mean.clone(), std.clone());
    AugmentationSpec strong = config.augment();
    AugmentationSpec none = AugmentationSpec.none();
    switch (config.views()) {
      case PAPER -> {
        viewA = new Augmenter(none, norm);
        viewB = new Augmenter(strong, norm);
      }
      case BYOL -> {
        viewA = new Augmenter(strong, norm);
        viewB = new Augmenter(strong.toBuilder().solarizeProbability(0.2).build(), norm);
      }
      case SAME -> {
        viewA = new Augmenter(strong, norm);
        viewB = new Augmenter(strong, norm);
      }
      default -> throw new IllegalStateException("unknown view policy " + config.views());
    }
    eval = new Augmenter(none, norm);
    source = new float[3 * size * size];
  }

  int imageValues() {
    return source.length;
  }

  /**
   * Writes the views of {@code count} samples, row after row, into {@code out}.
   *
   * @param indices sample indices
   * @param from first position in indices
   * @param count samples to write
   * @param pipeline which view
   * @param purpose the seed purpose (training or pseudo-label embedding)
   * @param epoch the global epoch the draw belongs to
   * @param out destination, at least count * imageValues() long
   */
  void fill(
      int[] indices, int from, int count, Pipeline pipeline, long purpose, int epoch, float[] out) {
    Augmenter augmenter =
        switch (pipeline) {
          case A -> viewA;
          case B -> viewB;
          case EVAL -> eval;
        };
    for (int k = 0; k < count; k++) {
      int i = indices[from + k];
      data.pixels(i, source, 0);
      SplittableRandom rng =
          new SplittableRandom(Seeds.derive(seed, purpose, epoch, i, pipeline.ordinal()));
      augmenter.apply(source, size, out, k * source.length, rng);
    }
  }
}
