package org.picilab.model.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in handwritten digits: 1 797 grey 8x8 images of 10 classes, read from the classpath.
 *
 * <p>The file is the test part of the UCI "Optical Recognition of Handwritten Digits" data set as
 * shipped with scikit-learn; its attribution lies next to it ({@code digits/README.md}). Each row
 * holds 64 values 0..16 (row-major) and the label.
 */
final class Digits {

  private static final Logger LOG = LoggerFactory.getLogger(Digits.class);

  /** The classpath resource, relative to this class. */
  static final String RESOURCE = "digits/digits.csv.gz";

  static final int COUNT = 1797;
  static final int SIDE = 8;

  private static volatile Raw raw;

  private Digits() {}

  /** The parsed file: grey values in [0, 1] (v / 16) and labels. */
  record Raw(float[][] grey, int[] labels) {}

  /** Parses the resource once per JVM; it takes a few milliseconds but is needed often in tests. */
  static Raw raw() {
    Raw r = raw;
    if (r == null) {
      synchronized (Digits.class) {
        r = raw;
        if (r == null) {
          r = parse();
          raw = r;
        }
      }
    }
    return r;
  }

  private static Raw parse() {
    float[][] grey = new float[COUNT][];
    int[] labels = new int[COUNT];
    try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the built-in digits resource " + RESOURCE + " is missing from the classpath");
      }
      BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII));
      int row = 0;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        if (row >= COUNT) {
          throw new IllegalStateException("the built-in digits have more than " + COUNT + " rows");
        }
        String[] fields = line.split(",");
        if (fields.length != SIDE * SIDE + 1) {
          throw new IllegalStateException(
              "digits row " + row + " has " + fields.length + " fields, expected 65");
        }
        float[] g = new float[SIDE * SIDE];
        for (int j = 0; j < g.length; j++) {
          int v = Integer.parseInt(fields[j].trim());
          if (v < 0 || v > 16) {
            throw new IllegalStateException("digits row " + row + " has pixel value " + v);
          }
          g[j] = v / 16f;
        }
        grey[row] = g;
        labels[row] = Integer.parseInt(fields[SIDE * SIDE].trim());
        row++;
      }
      if (row != COUNT) {
        throw new IllegalStateException("the built-in digits have " + row + " rows, not " + COUNT);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in digits", e);
    }
    return new Raw(grey, labels);
  }

  /** The digits at side S: bilinear from 8 px, grey replicated to three channels. */
  static ImageDataset load(int imageSize) {
    long t0 = System.nanoTime();
    Raw r = raw();
    int plane = imageSize * imageSize;
    byte[][] images = new byte[COUNT][];
    List<String> ids = new ArrayList<>(COUNT);
    float[] grey = new float[plane];
    byte[] greyBytes = new byte[plane];
    Resize.Workspace ws = new Resize.Workspace();
    for (int i = 0; i < COUNT; i++) {
      Resize.resize(r.grey()[i], 0, 1, SIDE, SIDE, grey, 0, imageSize, imageSize, ws);
      ImageDataset.quantise(grey, 0, greyBytes);
      byte[] image = new byte[3 * plane];
      for (int c = 0; c < 3; c++) {
        System.arraycopy(greyBytes, 0, image, c * plane, plane);
      }
      images[i] = image;
      ids.add(String.format(Locale.ROOT, "digits/%04d", i));
    }
    List<String> classNames = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    ImageDataset dataset =
        new ImageDataset("digits", imageSize, ids, images, r.labels().clone(), classNames);
    LOG.info(
        "Loaded the built-in digits ({} images) at {} px in {} ms",
        COUNT,
        imageSize,
        (System.nanoTime() - t0) / 1_000_000);
    return dataset;
  }
}
