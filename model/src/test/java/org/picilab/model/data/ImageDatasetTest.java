package org.picilab.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

  private static float[] constant(int size, float r, float g, float b) {
    int plane = size * size;
    float[] img = new float[3 * plane];
    Arrays.fill(img, 0, plane, r);
    Arrays.fill(img, plane, 2 * plane, g);
    Arrays.fill(img, 2 * plane, 3 * plane, b);
    return img;
  }

  private static ImageDataset threeImages() {
    return ImageDataset.ofFloats(
        "toy",
        2,
        List.of("a", "b", "c"),
        List.of(constant(2, 0f, 0.2f, 1f), constant(2, 1f, 0.2f, 1f), constant(2, 0.5f, 0.6f, 1f)),
        new int[] {0, 1, 1},
        List.of("dark", "bright"));
  }

  @Test
  void storesQuantisedPixelsAndMetadata() {
    ImageDataset ds = threeImages();
    assertEquals("toy", ds.name());
    assertEquals(3, ds.size());
    assertEquals(2, ds.imageSize());
    assertEquals("b", ds.id(1));
    assertEquals(2, ds.numClasses());
    float[] px = new float[1 + 12];
    ds.pixels(2, px, 1);
    assertEquals(0f, px[0]);
    assertEquals(128 / 255f, px[1], 0f); // 0.5 rounds to 128
    assertEquals(153 / 255f, px[5], 0f); // 0.6 -> 153
    assertEquals(1f, px[12], 0f);
  }

  @Test
  void meanAndStdArePerChannelPopulationStatistics() {
    ImageDataset ds = threeImages();
    double[][] ms = ds.channelMeanStd();
    double r0 = 0;
    double r1 = 1;
    double r2 = 128 / 255.0;
    double meanR = (r0 + r1 + r2) / 3;
    double varR =
        ((r0 - meanR) * (r0 - meanR) + (r1 - meanR) * (r1 - meanR) + (r2 - meanR) * (r2 - meanR))
            / 3;
    assertEquals(meanR, ms[0][0], 1e-12);
    assertEquals(Math.sqrt(varR), ms[1][0], 1e-12);
    assertEquals(1.0, ms[0][2], 1e-12);
    assertEquals(0.0, ms[1][2], 1e-12);
    // The result is a copy: changing it does not change the cache.
    ms[0][0] = 42;
    assertEquals(meanR, ds.channelMeanStd()[0][0], 1e-12);
  }

  @Test
  void subsetKeepsOrderLabelsAndClassNames() {
    ImageDataset ds = threeImages();
    ImageDataset sub = ds.subset(new int[] {2, 0});
    assertEquals(2, sub.size());
    assertEquals("c", sub.id(0));
    assertEquals("a", sub.id(1));
    assertArrayEquals(new int[] {1, 0}, sub.labels());
    assertEquals(ds.classNames(), sub.classNames());
    float[] a = new float[12];
    float[] b = new float[12];
    ds.pixels(2, a, 0);
    sub.pixels(0, b, 0);
    assertArrayEquals(a, b, 0f);
    assertThrows(IllegalArgumentException.class, () -> ds.subset(new int[] {1, 1}));
    assertThrows(IndexOutOfBoundsException.class, () -> ds.subset(new int[] {3}));
  }

  @Test
  void labelsAreCopiedOutAndIn() {
    int[] labels = {0, 1, 1};
    ImageDataset ds =
        ImageDataset.ofBytes(
            "toy",
            1,
            List.of("a", "b", "c"),
            List.of(new byte[3], new byte[3], new byte[3]),
            labels,
            List.of("x", "y"));
    labels[0] = 1;
    assertEquals(0, ds.label(0));
    ds.labels()[1] = 0;
    assertEquals(1, ds.label(1));
  }

  @Test
  void unlabeledDataSet() {
    ImageDataset ds =
        ImageDataset.ofBytes("u", 1, List.of("a"), List.of(new byte[] {1, 2, 3}), null, null);
    assertFalse(ds.hasLabels());
    assertEquals(-1, ds.label(0));
    assertEquals(null, ds.labels());
    assertTrue(ds.classNames().isEmpty());
  }

  @Test
  void rejectsInconsistentInput() {
    List<byte[]> two = List.of(new byte[3], new byte[3]);
    assertThrows(
        IllegalArgumentException.class,
        () -> ImageDataset.ofBytes("x", 1, List.of("a", "a"), two, null, null),
        "duplicate ids");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ImageDataset.ofBytes(
                "x", 1, List.of("a", "b"), two, new int[] {0, 2}, List.of("p", "q")),
        "label out of range");
    assertThrows(
        IllegalArgumentException.class,
        () -> ImageDataset.ofBytes("x", 2, List.of("a", "b"), two, null, null),
        "wrong image length");
    assertThrows(
        IllegalArgumentException.class,
        () -> ImageDataset.ofBytes("x", 1, List.of("a", "b"), two, new int[] {0, 0}, List.of()),
        "labels without class names");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ImageDataset.ofFloats(
                "x", 1, List.of("a"), List.of(new float[] {0f, Float.NaN, 1f}), null, null),
        "NaN pixel");
  }
}
