package org.picilab.model.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.picilab.model.config.AugmentationSpec;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;

class AugmenterTest {

  private static float[] randomImage(int size, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] img = new float[3 * size * size];
    for (int j = 0; j < img.length; j++) {
      img[j] = (float) rng.nextDouble();
    }
    return img;
  }

  private static float[] run(Augmenter aug, float[] src, int size, long seed) {
    float[] out = new float[3 * size * size];
    aug.apply(src, size, out, 0, new SplittableRandom(seed));
    return out;
  }

  @Test
  void noneWithoutNormalisationIsTheIdentity() {
    Augmenter aug = new Augmenter(AugmentationSpec.none(), Normalization.none());
    for (int size : new int[] {1, 16, 33}) {
      float[] src = randomImage(size, size);
      assertArrayEquals(src, run(aug, src, size, 5), 0f);
    }
  }

  @Test
  void writesAtTheOffsetOnly() {
    Augmenter aug = new Augmenter(AugmentationSpec.none(), Normalization.none());
    float[] src = randomImage(4, 1);
    float[] batch = new float[3 * 48];
    Arrays.fill(batch, -7f);
    aug.apply(src, 4, batch, 48, new SplittableRandom(0));
    for (int j = 0; j < batch.length; j++) {
      float expected = j >= 48 && j < 96 ? src[j - 48] : -7f;
      assertEquals(expected, batch[j], 0f, "index " + j);
    }
    // Reading from an offset inside a batch array.
    float[] out = new float[48];
    aug.apply(batch, 48, 4, out, 0, new SplittableRandom(0));
    assertArrayEquals(src, out, 0f);
  }

  @Test
  void canAugmentInPlace() {
    Augmenter aug = new Augmenter(AugmentationSpec.paperStrong(), Normalization.imagenet());
    float[] src = randomImage(12, 6);
    float[] expected = run(aug, src, 12, 4);
    float[] inPlace = src.clone();
    aug.apply(inPlace, 0, 12, inPlace, 0, new SplittableRandom(4));
    assertArrayEquals(expected, inPlace, 0f);
  }

  @Test
  void sameSeedSameOutputOtherSeedDifferent() {
    for (AugmentationSpec spec :
        List.of(
            AugmentationSpec.paperStrong(),
            AugmentationSpec.byolStrongB(),
            AugmentationSpec.mildWarp())) {
      Augmenter aug = new Augmenter(spec, Normalization.imagenet());
      float[] src = randomImage(32, 3);
      float[] a = run(aug, src, 32, 99);
      float[] b = run(aug, src, 32, 99);
      float[] c = run(aug, src, 32, 100);
      assertArrayEquals(a, b, 0f, spec.toString());
      assertFalse(Arrays.equals(a, c), "another seed must give another view: " + spec);
    }
  }

  @Test
  void warpWithZeroRangesIsTheIdentity() {
    AugmentationSpec spec =
        AugmentationSpec.builder()
            .mode(AugmentationSpec.Mode.WARP)
            .scaleMin(1)
            .scaleMax(1)
            .aspectMin(1)
            .aspectMax(1)
            .rotationDegrees(0)
            .translateFraction(0)
            .build();
    Augmenter aug = new Augmenter(spec, Normalization.none());
    for (int size : new int[] {1, 7, 16}) {
      float[] src = randomImage(size, 11);
      assertArrayEquals(src, run(aug, src, size, 3), 0f);
    }
  }

  @Test
  void warpRotatesAboutTheCentreAndTranslates() {
    int n = 6;
    float[] src = randomImage(n, 4);
    float[] out = new float[src.length];
    // Output (x, y) reads source R(90 degrees) (x, y) about the centre, i.e. (n-1-y, x).
    Augmenter.warpAffine(src, 0, n, out, 1, 1, Math.PI / 2, 0, 0);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          assertEquals(src[(c * n + x) * n + (n - 1 - y)], out[(c * n + y) * n + x], 1e-5f);
        }
      }
    }
    // A shift of one pixel to the right reads the next column, repeating the last at the border.
    Augmenter.warpAffine(src, 0, n, out, 1, 1, 0, 1, 0);
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        assertEquals(src[y * n + Math.min(x + 1, n - 1)], out[y * n + x], 1e-6f);
      }
    }
    // Area scale 1/4 views the central half: output pixel 0 reads source 1.5 of 6.
    float[] ramp = new float[3 * n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        ramp[y * n + x] = x;
      }
    }
    Augmenter.warpAffine(ramp, 0, n, out, 0.25, 1, 0, 0, 0);
    assertEquals(1.25f, out[0], 1e-6f);
    assertEquals(0.5f, out[1] - out[0], 1e-6f);
  }

  @Test
  void mildWarpChangesTheImageOnlySlightly() {
    Augmenter aug = new Augmenter(AugmentationSpec.mildWarp(), Normalization.none());
    int n = 16;
    // A smooth image: a mild warp moves values a little, never far.
    float[] src = new float[3 * n * n];
    for (int j = 0; j < n * n; j++) {
      int x = j % n;
      int y = j / n;
      src[j] = (float) (0.5 + 0.5 * Math.sin(x * 0.3) * Math.cos(y * 0.2));
    }
    double total = 0;
    for (long seed = 0; seed < 20; seed++) {
      float[] out = run(aug, src, n, seed);
      double diff = 0;
      for (int j = 0; j < n * n; j++) {
        diff += Math.abs(out[j] - src[j]);
      }
      total += diff / (n * n);
    }
    double mean = total / 20;
    assertTrue(mean > 0.01 && mean < 0.2, "mean change " + mean);
  }

  @Test
  void warpPadsWithTheBorderValue() {
    // Zooming out (area scale 4) shows the border, which must repeat the edge pixels.
    AugmentationSpec spec =
        AugmentationSpec.builder().mode(AugmentationSpec.Mode.WARP).scaleMin(4).scaleMax(4).build();
    int n = 8;
    float[] src = new float[3 * n * n];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          src[c * n * n + y * n + x] = y == 0 ? 0.25f : 0.75f;
        }
      }
    }
    float[] out = run(new Augmenter(spec, Normalization.none()), src, n, 0);
    // Output row 0 maps to source row -12.5, clamped to row 0; the last row to row 7.
    for (int x = 0; x < n; x++) {
      assertEquals(0.25f, out[x], 0f);
      assertEquals(0.75f, out[(n - 1) * n + x], 0f);
    }
  }

  @Test
  void flipTwiceIsTheIdentityAndOnceMirrorsRows() {
    AugmentationSpec spec = AugmentationSpec.builder().flipProbability(1).build();
    Augmenter aug = new Augmenter(spec, Normalization.none());
    int n = 5;
    float[] src = randomImage(n, 8);
    float[] once = run(aug, src, n, 0);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          assertEquals(src[(c * n + y) * n + (n - 1 - x)], once[(c * n + y) * n + x], 0f);
        }
      }
    }
    assertArrayEquals(src, run(aug, once, n, 1), 0f);
  }

  @Test
  void grayscaleGivesEqualChannelsOfLuma() {
    AugmentationSpec spec = AugmentationSpec.builder().grayscaleProbability(1).build();
    int n = 6;
    int plane = n * n;
    float[] src = randomImage(n, 2);
    float[] out = run(new Augmenter(spec, Normalization.none()), src, n, 0);
    for (int j = 0; j < plane; j++) {
      float luma = 0.299f * src[j] + 0.587f * src[plane + j] + 0.114f * src[2 * plane + j];
      assertEquals(luma, out[j], 1e-6f);
      assertEquals(out[j], out[plane + j], 0f);
      assertEquals(out[j], out[2 * plane + j], 0f);
    }
  }

  @Test
  void normalisationGivesTheExpectedValues() {
    Normalization imagenet = Normalization.imagenet();
    Augmenter aug = new Augmenter(AugmentationSpec.none(), imagenet);
    int n = 3;
    float[] src = randomImage(n, 5);
    float[] out = run(aug, src, n, 0);
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    for (int c = 0; c < 3; c++) {
      for (int j = 0; j < n * n; j++) {
        int k = c * n * n + j;
        assertEquals((src[k] - mean[c]) / std[c], out[k], 1e-5f);
      }
    }
  }

  @Test
  void datasetNormalisationStandardisesTheDataSet() {
    ImageDataset ds = Datasets.load("shapes:4:10", 8);
    Augmenter aug = new Augmenter(AugmentationSpec.none(), Normalization.of(ds));
    int len = 3 * 64;
    double[] sum = new double[3];
    double[] sumSq = new double[3];
    float[] src = new float[len];
    float[] out = new float[len];
    for (int i = 0; i < ds.size(); i++) {
      ds.pixels(i, src, 0);
      aug.apply(src, 8, out, 0, new SplittableRandom(i));
      for (int c = 0; c < 3; c++) {
        for (int j = 0; j < 64; j++) {
          double v = out[c * 64 + j];
          sum[c] += v;
          sumSq[c] += v * v;
        }
      }
    }
    double count = ds.size() * 64.0;
    for (int c = 0; c < 3; c++) {
      double mean = sum[c] / count;
      assertEquals(0.0, mean, 1e-4);
      assertEquals(1.0, Math.sqrt(sumSq[c] / count - mean * mean), 1e-4);
    }
  }

  @Test
  void outputIsFiniteAndWithinTheNormalisedRange() {
    Normalization norm = Normalization.imagenet();
    float[] mean = norm.mean();
    float[] std = norm.std();
    for (AugmentationSpec spec :
        List.of(
            AugmentationSpec.paperStrong(),
            AugmentationSpec.byolStrongB(),
            AugmentationSpec.mildWarp(),
            AugmentationSpec.paperStrong().toBuilder().scaleMin(0.001).scaleMax(0.002).build())) {
      Augmenter aug = new Augmenter(spec, norm);
      for (int size : new int[] {8, 16, 37}) {
        float[] src = randomImage(size, size * 31L);
        int plane = size * size;
        for (long seed = 0; seed < 30; seed++) {
          float[] out = run(aug, src, size, seed);
          for (int c = 0; c < 3; c++) {
            float lo = (0f - mean[c]) / std[c] - 1e-4f;
            float hi = (1f - mean[c]) / std[c] + 1e-4f;
            for (int j = 0; j < plane; j++) {
              float v = out[c * plane + j];
              if (!Float.isFinite(v) || v < lo || v > hi) {
                fail(v + " outside [" + lo + ", " + hi + "] for " + spec);
              }
            }
          }
        }
      }
    }
  }

  @Test
  void solarizeInvertsBrightValuesOnly() {
    AugmentationSpec spec = AugmentationSpec.builder().solarizeProbability(1).build();
    float[] src = {0.2f, 0.5f, 0.7f};
    float[] out = run(new Augmenter(spec, Normalization.none()), src, 1, 0);
    assertArrayEquals(new float[] {0.2f, 0.5f, 0.3f}, out, 1e-6f);
  }

  @Test
  void blurKeepsConstantImagesAndSpreadsAPointSymmetrically() {
    AugmentationSpec spec =
        AugmentationSpec.builder()
            .blurProbability(1)
            .blurSigmaMin(1)
            .blurSigmaMax(1)
            .blurKernelFraction(0.25)
            .build();
    Augmenter aug = new Augmenter(spec, Normalization.none());
    int n = 20;
    assertEquals(5, Augmenter.blurKernelSize(n, 0.25));
    float[] flat = new float[3 * n * n];
    Arrays.fill(flat, 0.4f);
    for (float v : run(aug, flat, n, 0)) {
      assertEquals(0.4f, v, 1e-6f);
    }
    float[] point = new float[3 * n * n];
    point[10 * n + 10] = 1f;
    float[] out = run(aug, point, n, 0);
    double total = 0;
    for (int j = 0; j < n * n; j++) {
      total += out[j];
    }
    assertEquals(1.0, total, 1e-5);
    assertEquals(out[10 * n + 8], out[10 * n + 12], 1e-7f);
    assertEquals(out[8 * n + 10], out[12 * n + 10], 1e-7f);
    assertEquals(0f, out[10 * n + 13], 0f, "a 5-tap kernel reaches two pixels only");
    // The 1-D Gaussian of sigma 1 over 5 taps has a centre weight of 0.4026.
    assertEquals(0.4026 * 0.4026, out[10 * n + 10], 1e-4);
  }

  @Test
  void blurKernelIsAboutATenthOfTheSideAndOdd() {
    assertEquals(23, Augmenter.blurKernelSize(224, 0.1));
    assertEquals(3, Augmenter.blurKernelSize(16, 0.1));
    assertEquals(3, Augmenter.blurKernelSize(32, 0.1));
    assertEquals(7, Augmenter.blurKernelSize(64, 0.1));
    assertEquals(9, Augmenter.blurKernelSize(96, 0.1));
    assertEquals(21, Augmenter.blurKernelSize(200, 0.1));
  }

  @Test
  void reflectPaddingMirrorsWithoutRepeatingTheEdge() {
    assertEquals(1, Augmenter.reflect(-1, 5));
    assertEquals(2, Augmenter.reflect(-2, 5));
    assertEquals(3, Augmenter.reflect(5, 5));
    assertEquals(0, Augmenter.reflect(8, 5));
    assertEquals(1, Augmenter.reflect(-7, 5));
    assertEquals(0, Augmenter.reflect(3, 1));
  }

  @Test
  void resizedCropFallsBackToACentreCrop() {
    // No box of area 1 with aspect 2..3 fits a square, so all ten attempts fail and the
    // fallback takes the full width and half the height, centred: rows 4..11 of 16. Output row y
    // reads crop row (y + 0.5) / 2 - 0.5, clamped.
    AugmentationSpec spec = AugmentationSpec.builder().aspectMin(2).aspectMax(3).build();
    int n = 16;
    float[] src = new float[3 * n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        src[y * n + x] = y / 16f;
      }
    }
    float[] out = run(new Augmenter(spec, Normalization.none()), src, n, 0);
    for (int x = 0; x < n; x++) {
      assertEquals(4 / 16f, out[x], 1e-6f, "first row reads row 4");
      assertEquals(11 / 16f, out[(n - 1) * n + x], 1e-6f, "last row reads row 11");
      assertEquals(4.75f / 16f, out[2 * n + x], 1e-6f, "row 2 reads source row 4 + 0.75");
    }
  }

  @Test
  void resizedCropOfAQuarterZoomsIn() {
    AugmentationSpec spec =
        AugmentationSpec.builder().scaleMin(0.25).scaleMax(0.25).aspectMin(1).aspectMax(1).build();
    int n = 16;
    // A vertical ramp; an 8-row crop resized to 16 rows has half the slope.
    float[] src = new float[3 * n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        src[y * n + x] = y / 16f;
      }
    }
    for (long seed = 0; seed < 10; seed++) {
      float[] out = run(new Augmenter(spec, Normalization.none()), src, n, seed);
      float step = out[9 * n] - out[8 * n];
      assertEquals(0.5f / 16f, step, 1e-6f);
      float top = out[0] * 16;
      assertTrue(top >= 0 && top <= 8 && Math.abs(top - Math.round(top)) < 1e-4, "top " + top);
    }
  }

  @Test
  void colourAdjustmentsFollowTorchvision() {
    // Hue: pure red shifted by a third of a turn becomes pure green.
    float[] red = {1f, 0f, 0f};
    Augmenter.adjustHue(red, 1, 1f / 3);
    assertArrayEquals(new float[] {0f, 1f, 0f}, red, 1e-5f);
    // Hue leaves greys alone.
    float[] grey = {0.3f, 0.3f, 0.3f};
    Augmenter.adjustHue(grey, 1, 0.25f);
    assertArrayEquals(new float[] {0.3f, 0.3f, 0.3f}, grey, 0f);
    // Saturation 0 gives the luma; 2 pushes away from it, clamped.
    float[] c = {0.8f, 0.4f, 0.2f};
    float luma = 0.299f * 0.8f + 0.587f * 0.4f + 0.114f * 0.2f;
    float[] s0 = c.clone();
    Augmenter.adjustSaturation(s0, 1, 0f);
    assertArrayEquals(new float[] {luma, luma, luma}, s0, 1e-6f);
    float[] s2 = c.clone();
    Augmenter.adjustSaturation(s2, 1, 2f);
    assertArrayEquals(
        new float[] {Math.min(1, 2 * 0.8f - luma), 2 * 0.4f - luma, Math.max(0, 2 * 0.2f - luma)},
        s2,
        1e-6f);
    // Contrast 0 gives the image's mean luma everywhere.
    float[] two = {0f, 1f, 0f, 1f, 0f, 1f};
    Augmenter.adjustContrast(two, 2, 0f);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, two, 1e-6f);
    // Brightness scales and clamps.
    float[] b = {0.2f, 0.6f};
    Augmenter.adjustBrightness(b, 2, 1.5f);
    assertArrayEquals(new float[] {0.3f, 0.9f}, b, 1e-6f);
    Augmenter.adjustBrightness(b, 2, 2f);
    assertArrayEquals(new float[] {0.6f, 1f}, b, 1e-6f);
  }

  @Test
  void colourJitterChangesColoursWithinRange() {
    AugmentationSpec spec =
        AugmentationSpec.builder()
            .jitterProbability(1)
            .brightness(0.4)
            .contrast(0.4)
            .saturation(0.2)
            .hue(0.1)
            .build();
    Augmenter aug = new Augmenter(spec, Normalization.none());
    float[] src = randomImage(8, 9);
    int changed = 0;
    for (long seed = 0; seed < 20; seed++) {
      float[] out = run(aug, src, 8, seed);
      if (!Arrays.equals(out, src)) {
        changed++;
      }
      for (float v : out) {
        assertTrue(v >= 0f && v <= 1f, "jitter must clamp to [0, 1]: " + v);
      }
    }
    assertEquals(20, changed);
  }

  @Test
  void sharedAcrossThreadsGivesTheSameResults() throws Exception {
    Augmenter aug = new Augmenter(AugmentationSpec.paperStrong(), Normalization.imagenet());
    int n = 24;
    float[] src = randomImage(n, 1);
    List<float[]> expected = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      expected.add(run(aug, src, n, i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<float[]>> futures = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        long seed = i;
        futures.add(pool.submit(() -> run(aug, src, n, seed)));
      }
      for (int i = 0; i < 16; i++) {
        assertArrayEquals(expected.get(i), futures.get(i).get(), 0f);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void allocatesNothingPerImageAfterWarmUp() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
    Augmenter aug = new Augmenter(AugmentationSpec.byolStrongB(), Normalization.imagenet());
    int n = 64;
    float[] src = randomImage(n, 2);
    float[] out = new float[src.length];
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < 50; i++) {
      aug.apply(src, n, out, 0, rng);
    }
    long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
    for (int i = 0; i < 200; i++) {
      aug.apply(src, n, out, 0, rng);
    }
    long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
    // One image is 48 KB; a few hundred bytes of slack covers the JVM's own bookkeeping.
    assertTrue(allocated < 4096, "allocated " + allocated + " bytes in 200 images");
  }
}
