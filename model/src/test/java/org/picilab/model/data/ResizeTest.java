package org.picilab.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResizeTest {

  @Test
  void knownTwoByTwoToFourByFourValues() {
    float[] src = {0, 1, 2, 3};
    float[] out = Resize.resize(src, 1, 2, 2, 4, 4);
    // PyTorch interpolate(mode="bilinear", align_corners=False) gives these values.
    float[] expected = {
      0.0f, 0.25f, 0.75f, 1.0f,
      0.5f, 0.75f, 1.25f, 1.5f,
      1.5f, 1.75f, 2.25f, 2.5f,
      2.0f, 2.25f, 2.75f, 3.0f
    };
    assertArrayEquals(expected, out, 1e-6f);
  }

  @Test
  void constantImageStaysConstant() {
    int[][] sizes = {{8, 8, 16, 16}, {16, 16, 8, 8}, {600, 450, 32, 32}, {7, 13, 20, 3}};
    for (int[] s : sizes) {
      float[] src = new float[2 * s[0] * s[1]];
      Arrays.fill(src, 0, s[0] * s[1], 0.3f);
      Arrays.fill(src, s[0] * s[1], src.length, 0.8f);
      float[] out = Resize.resize(src, 2, s[0], s[1], s[2], s[3]);
      for (int j = 0; j < out.length; j++) {
        float expected = j < s[2] * s[3] ? 0.3f : 0.8f;
        assertEquals(expected, out[j], 1e-5f, Arrays.toString(s) + " value " + j);
      }
    }
  }

  @Test
  void upThenDownRoughlyRecoversASmoothImage() {
    int n = 16;
    float[] src = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        src[y * n + x] = (float) (0.5 + 0.4 * Math.sin(x * 0.4) * Math.cos(y * 0.3));
      }
    }
    float[] up = Resize.resize(src, 1, n, n, 64, 64);
    float[] back = Resize.resize(up, 1, 64, 64, n, n);
    double maxErr = 0;
    double meanErr = 0;
    for (int j = 0; j < src.length; j++) {
      double e = Math.abs(back[j] - src[j]);
      maxErr = Math.max(maxErr, e);
      meanErr += e / src.length;
    }
    assertTrue(maxErr < 0.06, "max error " + maxErr);
    assertTrue(meanErr < 0.02, "mean error " + meanErr);
  }

  @Test
  void shrinkingAntialiasesFineDetail() {
    // A one-pixel checkerboard: point sampling would give only 0 or 1, an antialiased filter grey.
    int n = 64;
    float[] src = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        src[y * n + x] = (x + y) % 2;
      }
    }
    float[] out = Resize.resize(src, 1, n, n, 8, 8);
    for (float v : out) {
      assertEquals(0.5f, v, 0.03f);
    }
  }

  @Test
  void shrinkingByAnIntegerFactorAveragesNeighbours() {
    // A horizontal ramp keeps its mean per block under a symmetric filter.
    float[] src = new float[4 * 16];
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 16; x++) {
        src[y * 16 + x] = x;
      }
    }
    float[] out = Resize.resize(src, 1, 4, 16, 4, 4);
    // Interior blocks of 4 are centred on 1.5, 5.5, 9.5, 13.5; the edges are biased inwards.
    assertEquals(5.5f, out[1], 1e-4f);
    assertEquals(9.5f, out[2], 1e-4f);
  }

  @Test
  void sameSizeIsACopy() {
    SplittableRandom rng = new SplittableRandom(1);
    float[] src = new float[3 * 5 * 7];
    for (int j = 0; j < src.length; j++) {
      src[j] = (float) rng.nextDouble();
    }
    assertArrayEquals(src, Resize.resize(src, 3, 5, 7, 5, 7), 0f);
  }

  @Test
  void regionReadsOnlyInsideTheRegion() {
    int n = 10;
    float[] src = new float[n * n];
    Arrays.fill(src, 1f);
    for (int y = 3; y < 7; y++) {
      for (int x = 2; x < 6; x++) {
        src[y * n + x] = 0f;
      }
    }
    float[] out = new float[2 + 9 * 9];
    Resize.Workspace ws = new Resize.Workspace();
    Resize.resizeRegion(src, 0, 1, n, n, 3, 2, 4, 4, out, 2, 9, 9, ws);
    for (int j = 2; j < out.length; j++) {
      assertEquals(0f, out[j], 0f, "value " + j);
    }
    // The workspace can be reused for another size.
    Resize.resizeRegion(src, 0, 1, n, n, 0, 0, n, n, out, 2, 5, 5, ws);
    assertEquals(1f, out[2], 1e-6f);
  }

  @Test
  void rejectsRegionsOutsideTheImage() {
    float[] src = new float[16];
    float[] out = new float[16];
    assertThrows(
        IllegalArgumentException.class,
        () -> Resize.resizeRegion(src, 0, 1, 4, 4, 2, 2, 3, 2, out, 0, 4, 4, null));
  }
}
