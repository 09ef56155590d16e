package org.picilab.model.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.picilab.model.data.Datasets;
import org.picilab.model.data.ImageDataset;

class NormalizationTest {

  @Test
  void imagenetAndNoneHaveTheirValues() {
    Normalization n = Normalization.imagenet();
    assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f}, n.mean(), 0f);
    assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, n.std(), 0f);
    assertArrayEquals(new float[] {0f, 0f, 0f}, Normalization.none().mean(), 0f);
    assertArrayEquals(new float[] {1f, 1f, 1f}, Normalization.none().std(), 0f);
  }

  @Test
  void ofUsesTheDataSetStatistics() {
    ImageDataset digits = Datasets.digits(8);
    Normalization n = Normalization.of(digits);
    double[][] ms = digits.channelMeanStd();
    for (int c = 0; c < 3; c++) {
      assertEquals((float) ms[0][c], n.mean()[c], 0f);
      assertEquals((float) ms[1][c], n.std()[c], 0f);
    }
  }

  @Test
  void constantChannelsKeepUnitStd() {
    float[] img = {0.1f, 0.5f, 0.9f};
    ImageDataset ds =
        ImageDataset.ofFloats("flat", 1, List.of("a", "b"), List.of(img, img), null, null);
    Normalization n = Normalization.of(ds);
    assertArrayEquals(new float[] {1f, 1f, 1f}, n.std(), 0f);
    assertEquals(0.5f, n.mean()[1], 1f / 255);
  }

  @Test
  void isImmutableAndComparesByValue() {
    float[] mean = {0.1f, 0.2f, 0.3f};
    Normalization n = new Normalization(mean, new float[] {1f, 2f, 3f});
    mean[0] = 9f;
    n.mean()[1] = 9f;
    assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, n.mean(), 0f);
    assertEquals(n, new Normalization(new float[] {0.1f, 0.2f, 0.3f}, new float[] {1f, 2f, 3f}));
    assertEquals(
        n.hashCode(),
        new Normalization(new float[] {0.1f, 0.2f, 0.3f}, new float[] {1f, 2f, 3f}).hashCode());
    assertNotEquals(n, Normalization.none());
    assertTrue(n.toString().contains("0.2"));
  }

  @Test
  void rejectsBadValues() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new Normalization(new float[] {0f, 0f}, new float[] {1f, 1f, 1f}));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Normalization(new float[] {0f, 0f, 0f}, new float[] {1f, 0f, 1f}));
    assertTrue(e.getMessage().contains("Normalization.std[1]"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new Normalization(new float[] {Float.NaN, 0f, 0f}, new float[] {1f, 1f, 1f}));
  }
}
