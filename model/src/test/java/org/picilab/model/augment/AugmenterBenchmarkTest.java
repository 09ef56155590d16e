package org.picilab.model.augment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.AugmentationSpec;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures augmentation throughput on one thread. Tagged slow (run with -Pslow) because timings
 * need a warm JIT; the bounds are generous, to catch an accidental order-of-magnitude regression,
 * not to benchmark the machine.
 */
@Tag("slow")
class AugmenterBenchmarkTest {

  private static final Logger LOG = LoggerFactory.getLogger(AugmenterBenchmarkTest.class);

  /** Milliseconds per batch, the median of {@code rounds} after warm-up. */
  private static double msPerBatch(
      Augmenter aug, ImageDataset ds, int batch, int warmUp, int rounds, long seed) {
    int size = ds.imageSize();
    int len = 3 * size * size;
    float[] src = new float[batch * len];
    for (int b = 0; b < batch; b++) {
      ds.pixels(b % ds.size(), src, b * len);
    }
    float[] dst = new float[batch * len];
    double[] times = new double[rounds];
    // Enough calls for C2 to compile every path; training runs millions of them.
    for (int warm = 0; warm < warmUp; warm++) {
      runBatch(aug, src, dst, size, batch, seed + warm);
    }
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      runBatch(aug, src, dst, size, batch, seed + 100 + r);
      times[r] = (System.nanoTime() - t0) / 1e6;
    }
    java.util.Arrays.sort(times);
    return times[rounds / 2];
  }

  private static void runBatch(
      Augmenter aug, float[] src, float[] dst, int size, int batch, long seed) {
    int len = 3 * size * size;
    SplittableRandom base = new SplittableRandom(seed);
    for (int b = 0; b < batch; b++) {
      aug.apply(src, b * len, size, dst, b * len, base.split());
    }
  }

  @Test
  void smallImagesTakeMicrosecondsAndLargeOnesMilliseconds() {
    long t0 = System.nanoTime();
    ImageDataset digits16 = Datasets.digits(16);
    double loadMs = (System.nanoTime() - t0) / 1e6;
    LOG.info("digits at 16 px loaded in {} ms (first load, includes parsing)", fmt(loadMs));

    for (AugmentationSpec spec :
        new AugmentationSpec[] {AugmentationSpec.mildWarp(), AugmentationSpec.paperStrong()}) {
      Augmenter aug = new Augmenter(spec, Normalization.of(digits16));
      double ms = msPerBatch(aug, digits16, 64, 300, 101, 1);
      LOG.info(
          "{} at 16 px: {} ms per batch of 64 ({} us per image)",
          spec.mode() == AugmentationSpec.Mode.WARP ? "mildWarp" : "paperStrong",
          fmt(ms),
          fmt(ms * 1000 / 64));
      assertTrue(ms * 1000 / 64 < 200, "a 16 px image must take microseconds: " + ms);
    }

    ImageDataset photos = Datasets.load("colorshapes:10:10", 224);
    for (AugmentationSpec spec :
        new AugmentationSpec[] {
          AugmentationSpec.paperStrong(), AugmentationSpec.byolStrongB(), AugmentationSpec.none()
        }) {
      Augmenter aug = new Augmenter(spec, Normalization.imagenet());
      double ms = msPerBatch(aug, photos, 96, 20, 9, 2);
      LOG.info(
          "{} at 224 px: {} ms per batch of 96 ({} ms per image)",
          spec.equals(AugmentationSpec.none())
              ? "none"
              : spec.solarizeProbability() > 0 ? "byolStrongB" : "paperStrong",
          fmt(ms),
          fmt(ms / 96));
      assertTrue(ms / 96 < 20, "a 224 px strong augmentation took " + ms / 96 + " ms");
    }
  }

  private static String fmt(double v) {
    return String.format("%.3f", v);
  }
}
