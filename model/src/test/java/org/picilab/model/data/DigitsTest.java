package org.picilab.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DigitsTest {

  /** The csv rows, parsed here independently of the loader. */
  private static List<int[]> rows;

  @BeforeAll
  static void readCsv() throws IOException {
    rows = new ArrayList<>();
    try (InputStream in =
        DigitsTest.class.getResourceAsStream("/org/picilab/model/data/digits/digits.csv.gz")) {
      assertNotNull(in, "the digits resource must be on the classpath");
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII));
      String line;
      while ((line = r.readLine()) != null) {
        String[] f = line.split(",");
        int[] row = new int[f.length];
        for (int j = 0; j < f.length; j++) {
          row[j] = Integer.parseInt(f[j]);
        }
        rows.add(row);
      }
    }
  }

  @Test
  void attributionShipsNextToTheData() {
    assertNotNull(
        DigitsTest.class.getResource("/org/picilab/model/data/digits/README.md"),
        "the README with the attribution must stay next to digits.csv.gz");
  }

  @Test
  void hasAllImagesClassesAndKnownCounts() {
    ImageDataset ds = Datasets.load("digits", 16);
    assertEquals("digits", ds.name());
    assertEquals(1797, ds.size());
    assertEquals(16, ds.imageSize());
    assertEquals(10, ds.numClasses());
    assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), ds.classNames());

    int[] fromCsv = new int[10];
    for (int[] row : rows) {
      fromCsv[row[64]]++;
    }
    // The counts of scikit-learn's load_digits(), the same file.
    assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, fromCsv);
    int[] loaded = new int[10];
    for (int label : ds.labels()) {
      loaded[label]++;
    }
    assertArrayEquals(fromCsv, loaded);
    for (int i = 0; i < ds.size(); i += 97) {
      assertEquals(rows.get(i)[64], ds.label(i), "label of image " + i);
    }
  }

  @Test
  void idsAreNumberedFromZero() {
    ImageDataset ds = Datasets.digits(8);
    assertEquals("digits/0000", ds.id(0));
    assertEquals("digits/0042", ds.id(42));
    assertEquals("digits/1796", ds.id(1796));
  }

  @Test
  void atEightPixelsValuesAreTheCsvOverSixteen() {
    ImageDataset ds = Datasets.digits(8);
    float[] px = new float[3 * 64];
    for (int i : new int[] {0, 1, 1000, 1796}) {
      ds.pixels(i, px, 0);
      for (int j = 0; j < 64; j++) {
        float expected = rows.get(i)[j] / 16f;
        // Stored as bytes: within half a step of 1/255.
        assertEquals(expected, px[j], 0.5f / 255 + 1e-6f, "image " + i + " pixel " + j);
        assertEquals(px[j], px[64 + j], 0f);
        assertEquals(px[j], px[128 + j], 0f);
      }
    }
  }

  @Test
  void bilinearEnlargementToSixteenMatchesAReference() {
    ImageDataset ds = Datasets.digits(16);
    float[] px = new float[3 * 256];
    int i = 0;
    ds.pixels(i, px, 0);
    int[] row = rows.get(i);
    // The first image's top-left 2x2 block is 0: its enlarged 3x3 corner must stay 0.
    assertEquals(0, row[0] + row[1] + row[8] + row[9]);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 3; x++) {
        assertEquals(0f, px[y * 16 + x], 0f, "corner pixel " + x + "," + y);
      }
    }
    // Independent half-pixel bilinear reference for every output pixel.
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        double sy = Math.max(0, (y + 0.5) / 2 - 0.5);
        double sx = Math.max(0, (x + 0.5) / 2 - 0.5);
        int y0 = (int) sy;
        int x0 = (int) sx;
        int y1 = Math.min(y0 + 1, 7);
        int x1 = Math.min(x0 + 1, 7);
        double fy = sy - y0;
        double fx = sx - x0;
        double v =
            (1 - fy) * ((1 - fx) * row[y0 * 8 + x0] + fx * row[y0 * 8 + x1])
                + fy * ((1 - fx) * row[y1 * 8 + x0] + fx * row[y1 * 8 + x1]);
        assertEquals(v / 16, px[y * 16 + x], 0.5 / 255 + 1e-6, "pixel " + x + "," + y);
      }
    }
    // A hand-checked value: output (4, 0) reads source x 1.75 between 0 and 5/16.
    assertEquals(0.75 * 5 / 16, px[4], 0.5 / 255);
    assertEquals(px[4], px[256 + 4], 0f);
  }

  @Test
  void meanAndStdAreThoseOfTheStoredPixels() {
    ImageDataset ds = Datasets.digits(8);
    double[][] ms = ds.channelMeanStd();
    double sum = 0;
    double sumSq = 0;
    for (int[] row : rows) {
      for (int j = 0; j < 64; j++) {
        double v = Math.round(row[j] / 16.0 * 255) / 255.0;
        sum += v;
        sumSq += v * v;
      }
    }
    double n = rows.size() * 64.0;
    double mean = sum / n;
    double std = Math.sqrt(sumSq / n - mean * mean);
    for (int c = 0; c < 3; c++) {
      assertEquals(mean, ms[0][c], 1e-9);
      assertEquals(std, ms[1][c], 1e-9);
    }
    assertTrue(mean > 0.25 && mean < 0.35, "digits are mostly dark: " + mean);
  }
}
