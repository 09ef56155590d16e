package org.picilab.model.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, in-memory set of square RGB images of one size, optionally labeled.
 *
 * <p>Each image is kept as {@code 3 * S * S} bytes in channel-major order (CHW), one byte per value
 * 0..255, so that ten thousand 224 px images take 1.5 GB rather than four times that as floats.
 * {@link #pixels(int, float[], int)} expands an image to floats in [0, 1]; values are therefore
 * quantised to multiples of 1/255.
 *
 * <p>Images are held one array each, so data sets are not limited by the maximum Java array length,
 * and {@link #subset(int[])} shares them instead of copying.
 */
public final class ImageDataset {

  /** Byte value to float in [0, 1], exact division rather than a multiplication by 1/255. */
  private static final float[] TO_FLOAT = new float[256];

  static {
    for (int v = 0; v < 256; v++) {
      TO_FLOAT[v] = v / 255f;
    }
  }

  private final String name;
  private final int imageSize;
  private final List<String> ids;
  private final byte[][] images;
  private final int[] labels;
  private final List<String> classNames;
  private volatile double[][] meanStd;

  /**
   * Takes ownership of the arrays without copying; callers in this package only pass arrays they
   * will not touch again.
   */
  ImageDataset(
      String name,
      int imageSize,
      List<String> ids,
      byte[][] images,
      int[] labels,
      List<String> classNames) {
    this.name = Objects.requireNonNull(name, "name");
    if (imageSize < 1) {
      throw new IllegalArgumentException("imageSize must be at least 1, got " + imageSize);
    }
    this.imageSize = imageSize;
    Objects.requireNonNull(ids, "ids");
    Objects.requireNonNull(images, "images");
    if (ids.size() != images.length) {
      throw new IllegalArgumentException(
          "ids and images differ in length: " + ids.size() + " ids, " + images.length + " images");
    }
    int length = 3 * imageSize * imageSize;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < images.length; i++) {
      String id = Objects.requireNonNull(ids.get(i), "id of image " + i);
      if (!seen.add(id)) {
        throw new IllegalArgumentException("duplicate image id '" + id + "' at index " + i);
      }
      if (images[i] == null || images[i].length != length) {
        throw new IllegalArgumentException(
            "image "
                + i
                + " ('"
                + id
                + "') must have 3*"
                + imageSize
                + "*"
                + imageSize
                + " = "
                + length
                + " values, got "
                + (images[i] == null ? "null" : images[i].length));
      }
    }
    List<String> classes = classNames == null ? List.of() : List.copyOf(classNames);
    if (labels == null) {
      if (!classes.isEmpty()) {
        throw new IllegalArgumentException("class names given for a data set without labels");
      }
    } else {
      if (labels.length != images.length) {
        throw new IllegalArgumentException(
            "labels and images differ in length: "
                + labels.length
                + " labels, "
                + images.length
                + " images");
      }
      if (classes.isEmpty()) {
        throw new IllegalArgumentException("a labeled data set needs its class names");
      }
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] < 0 || labels[i] >= classes.size()) {
          throw new IllegalArgumentException(
              "label "
                  + labels[i]
                  + " of image "
                  + i
                  + " is outside 0.."
                  + (classes.size() - 1)
                  + " (the class names)");
        }
      }
    }
    this.ids = List.copyOf(ids);
    this.images = images;
    this.labels = labels;
    this.classNames = classes;
  }

  /**
   * Builds a data set from byte images, copying them.
   *
   * @param name a short name for logs and reports
   * @param imageSize the side S of every image
   * @param ids one unique id per image
   * @param images one array of {@code 3*S*S} bytes (CHW, unsigned 0..255) per image
   * @param labels one label per image in {@code 0..classNames.size()-1}, or null when unlabeled
   * @param classNames the class names, empty or null when unlabeled
   * @return the data set
   * @throws IllegalArgumentException when sizes, labels or ids are inconsistent
   */
  public static ImageDataset ofBytes(
      String name,
      int imageSize,
      List<String> ids,
      List<byte[]> images,
      int[] labels,
      List<String> classNames) {
    byte[][] copy = new byte[images.size()][];
    for (int i = 0; i < copy.length; i++) {
      byte[] image = images.get(i);
      copy[i] = image == null ? null : image.clone();
    }
    return new ImageDataset(
        name, imageSize, ids, copy, labels == null ? null : labels.clone(), classNames);
  }

  /**
   * Builds a data set from float images in [0, 1], quantising them to bytes; values outside [0, 1]
   * are clamped.
   *
   * @param name a short name for logs and reports
   * @param imageSize the side S of every image
   * @param ids one unique id per image
   * @param images one array of {@code 3*S*S} floats (CHW) per image
   * @param labels one label per image in {@code 0..classNames.size()-1}, or null when unlabeled
   * @param classNames the class names, empty or null when unlabeled
   * @return the data set
   * @throws IllegalArgumentException when sizes, labels or ids are inconsistent, or a value is NaN
   */
  public static ImageDataset ofFloats(
      String name,
      int imageSize,
      List<String> ids,
      List<float[]> images,
      int[] labels,
      List<String> classNames) {
    byte[][] bytes = new byte[images.size()][];
    for (int i = 0; i < bytes.length; i++) {
      float[] image = images.get(i);
      if (image != null) {
        bytes[i] = new byte[image.length];
        quantise(image, 0, bytes[i]);
      }
    }
    return new ImageDataset(
        name, imageSize, ids, bytes, labels == null ? null : labels.clone(), classNames);
  }

  /**
   * Converts floats in [0, 1] to unsigned bytes with rounding, clamping out-of-range values.
   *
   * @throws IllegalArgumentException on NaN, which would otherwise become a silent 0
   */
  static void quantise(float[] src, int srcOffset, byte[] dst) {
    for (int j = 0; j < dst.length; j++) {
      float v = src[srcOffset + j];
      if (Float.isNaN(v)) {
        throw new IllegalArgumentException("pixel value " + (srcOffset + j) + " is NaN");
      }
      int q = v <= 0f ? 0 : v >= 1f ? 255 : (int) (v * 255f + 0.5f);
      dst[j] = (byte) q;
    }
  }

  /**
   * Returns the data set's short name, e.g. {@code digits} or the folder name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the number of images.
   *
   * @return the number of images
   */
  public int size() {
    return images.length;
  }

  /**
   * Returns the side S of every image in pixels.
   *
   * @return the image side
   */
  public int imageSize() {
    return imageSize;
  }

  /**
   * Returns the stable id of an image: its path relative to the data set folder with {@code /}
   * separators, or a generated id such as {@code digits/0042}.
   *
   * @param i the image index
   * @return the id
   */
  public String id(int i) {
    return ids.get(i);
  }

  /**
   * Returns whether the images carry class labels.
   *
   * @return true when labeled
   */
  public boolean hasLabels() {
    return labels != null;
  }

  /**
   * Returns the class label of an image.
   *
   * @param i the image index
   * @return the label in {@code 0..numClasses()-1}, or -1 when the data set is unlabeled
   */
  public int label(int i) {
    Objects.checkIndex(i, images.length);
    return labels == null ? -1 : labels[i];
  }

  /**
   * Returns all labels in image order.
   *
   * @return a fresh copy of the labels, or null when the data set is unlabeled
   */
  public int[] labels() {
    return labels == null ? null : labels.clone();
  }

  /**
   * Returns the class names, indexed by label.
   *
   * @return an unmodifiable list, empty when unlabeled
   */
  public List<String> classNames() {
    return classNames;
  }

  /**
   * Returns the number of classes.
   *
   * @return the number of class names, 0 when unlabeled
   */
  public int numClasses() {
    return classNames.size();
  }

  /**
   * Writes one image as {@code 3*S*S} floats in [0, 1], channel-major (CHW), from {@code offset}.
   *
   * @param i the image index
   * @param dst the destination array
   * @param offset the first index written
   */
  public void pixels(int i, float[] dst, int offset) {
    byte[] image = images[i];
    Objects.checkFromIndexSize(offset, image.length, dst.length);
    for (int j = 0; j < image.length; j++) {
      dst[offset + j] = TO_FLOAT[image[j] & 0xFF];
    }
  }

  /**
   * Returns the per-channel mean and population standard deviation over every pixel of every image,
   * in the [0, 1] scale; computed on first use and cached.
   *
   * @return {@code {mean[3], std[3]}}, a fresh copy
   * @throws IllegalStateException when the data set is empty
   */
  public double[][] channelMeanStd() {
    double[][] result = meanStd;
    if (result == null) {
      result = computeMeanStd();
      meanStd = result;
    }
    return new double[][] {result[0].clone(), result[1].clone()};
  }

  private double[][] computeMeanStd() {
    if (images.length == 0) {
      throw new IllegalStateException("data set '" + name + "' is empty: no mean or std");
    }
    int plane = imageSize * imageSize;
    // Integer sums are exact: at most 2^31 images * 2^16 pixels * 255^2 stays below 2^63.
    long[] sum = new long[3];
    long[] sumSq = new long[3];
    for (byte[] image : images) {
      for (int c = 0; c < 3; c++) {
        long s = 0;
        long sq = 0;
        for (int j = c * plane, end = j + plane; j < end; j++) {
          int v = image[j] & 0xFF;
          s += v;
          sq += v * v;
        }
        sum[c] += s;
        sumSq[c] += sq;
      }
    }
    double count = (double) images.length * plane;
    double[] mean = new double[3];
    double[] std = new double[3];
    for (int c = 0; c < 3; c++) {
      double m = sum[c] / count;
      double variance = Math.max(0.0, sumSq[c] / count - m * m);
      mean[c] = m / 255.0;
      std[c] = Math.sqrt(variance) / 255.0;
    }
    return new double[][] {mean, std};
  }

  /**
   * Returns the images at the given indices, in that order, sharing their pixel data. The name and
   * class names are kept, so labels keep their meaning.
   *
   * @param indices distinct indices into this data set
   * @return the subset
   * @throws IllegalArgumentException when an index repeats (ids must stay unique)
   * @throws IndexOutOfBoundsException when an index is out of range
   */
  public ImageDataset subset(int[] indices) {
    byte[][] picked = new byte[indices.length][];
    List<String> pickedIds = new ArrayList<>(indices.length);
    int[] pickedLabels = labels == null ? null : new int[indices.length];
    boolean[] used = new boolean[images.length];
    for (int k = 0; k < indices.length; k++) {
      int i = Objects.checkIndex(indices[k], images.length);
      if (used[i]) {
        throw new IllegalArgumentException("index " + i + " appears twice in the subset");
      }
      used[i] = true;
      picked[k] = images[i];
      pickedIds.add(ids.get(i));
      if (pickedLabels != null) {
        pickedLabels[k] = labels[i];
      }
    }
    return new ImageDataset(name, imageSize, pickedIds, picked, pickedLabels, classNames);
  }

  @Override
  public String toString() {
    return "ImageDataset["
        + name
        + ", "
        + images.length
        + " images of "
        + imageSize
        + " px, "
        + (labels == null ? "unlabeled" : classNames.size() + " classes")
        + "]";
  }

  /** Per-class image counts, for logs. */
  int[] classCounts() {
    int[] counts = new int[classNames.size()];
    if (labels != null) {
      for (int label : labels) {
        counts[label]++;
      }
    }
    return counts;
  }
}
