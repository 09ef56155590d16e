package org.picilab.model.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Turns a data set specification into an {@link ImageDataset}.
 *
 * <p>Specifications:
 *
 * <ul>
 *   <li>{@code digits}: the built-in 1 797 handwritten 8x8 digits, 10 classes, resized bilinearly;
 *   <li>{@code shapes:K}, {@code shapes:K:PER_CLASS} or {@code shapes:K:PER_CLASS:SEED}: K classes
 *       of generated grey shapes (see {@link ShapesGenerator}), 100 per class and seed 0 unless
 *       given;
 *   <li>{@code colorshapes:K[:PER_CLASS[:SEED]]}: the same shapes in random colours;
 *   <li>anything else: the path of an image folder, either one subfolder per class (labeled) or
 *       image files only (unlabeled). A folder literally named {@code digits} in the working
 *       directory is reached as {@code ./digits}.
 * </ul>
 */
public final class Datasets {

  /** Images per class of a generated data set when the specification does not say. */
  public static final int DEFAULT_PER_CLASS = 100;

  /** The largest image side accepted, far above any model here, to catch typing errors early. */
  public static final int MAX_IMAGE_SIZE = 4096;

  private Datasets() {}

  /**
   * Loads or generates a data set at the given image size.
   *
   * @param spec {@code digits}, {@code shapes:K[:PER_CLASS[:SEED]]}, {@code
   *     colorshapes:K[:PER_CLASS[:SEED]]} or a folder path
   * @param imageSize the side S every image is resized to
   * @return the data set
   * @throws IllegalArgumentException when the specification or the size is malformed
   * @throws DataException when a folder cannot be read
   */
  public static ImageDataset load(String spec, int imageSize) {
    return load(spec, imageSize, LoadProgress.NONE);
  }

  /**
   * Loads or generates a data set at the given image size, reporting progress while a folder is
   * decoded.
   *
   * @param spec {@code digits}, {@code shapes:K[:PER_CLASS[:SEED]]}, {@code
   *     colorshapes:K[:PER_CLASS[:SEED]]} or a folder path
   * @param imageSize the side S every image is resized to
   * @param progress receives {@code (done, total)} while images are decoded
   * @return the data set
   * @throws IllegalArgumentException when the specification or the size is malformed
   * @throws DataException when a folder cannot be read
   */
  public static ImageDataset load(String spec, int imageSize, LoadProgress progress) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(progress, "progress");
    checkImageSize(imageSize);
    String s = spec.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException(
          "the data set specification is empty: use 'digits', 'shapes:K' or a folder path");
    }
    if (s.equals("digits")) {
      return digits(imageSize);
    }
    if (s.startsWith("shapes:") || s.equals("shapes")) {
      return parseShapes(s, "shapes", false).generate(imageSize);
    }
    if (s.startsWith("colorshapes:") || s.equals("colorshapes")) {
      return parseShapes(s, "colorshapes", true).generate(imageSize);
    }
    return folder(Path.of(s), imageSize, progress);
  }

  /**
   * Returns the built-in handwritten digits at the given size.
   *
   * @param imageSize the side S, the 8 px originals are resized bilinearly
   * @return 1 797 labeled images of 10 classes named "0" to "9", ids {@code digits/0000} onwards
   */
  public static ImageDataset digits(int imageSize) {
    checkImageSize(imageSize);
    return Digits.load(imageSize);
  }

  /**
   * Reads an image folder.
   *
   * @param root a folder holding either one subfolder of images per class or image files only
   * @param imageSize the side S every image is resized to
   * @param progress receives {@code (done, total)} while images are decoded
   * @return the data set, in the order of class then relative path
   * @throws DataException when the folder is missing, empty, mixes both layouts, or holds an image
   *     that cannot be decoded
   */
  public static ImageDataset folder(Path root, int imageSize, LoadProgress progress) {
    checkImageSize(imageSize);
    return ImageFolderLoader.load(root, imageSize, progress);
  }

  /**
   * Parses a {@code shapes:K[:PER_CLASS[:SEED]]} specification.
   *
   * @param spec the specification, beginning with {@code shapes} or {@code colorshapes}
   * @return the configured generator
   * @throws IllegalArgumentException with a message quoting the specification when it is malformed
   */
  public static ShapesGenerator parseShapes(String spec) {
    String s = spec.trim();
    if (s.startsWith("colorshapes")) {
      return parseShapes(s, "colorshapes", true);
    }
    if (s.startsWith("shapes")) {
      return parseShapes(s, "shapes", false);
    }
    throw new IllegalArgumentException(
        "'" + spec + "' is not a shapes specification: use shapes:K[:PER_CLASS[:SEED]]");
  }

  private static ShapesGenerator parseShapes(String spec, String prefix, boolean colored) {
    String usage =
        " Use "
            + prefix
            + ":K, "
            + prefix
            + ":K:PER_CLASS or "
            + prefix
            + ":K:PER_CLASS:SEED, with K from "
            + ShapesGenerator.MIN_CLASSES
            + " to "
            + ShapesGenerator.MAX_CLASSES
            + ", e.g. "
            + prefix
            + ":10.";
    String[] parts = spec.split(":", -1);
    if (!parts[0].equals(prefix) || parts.length < 2 || parts.length > 4) {
      throw new IllegalArgumentException(
          "Malformed data set specification '" + spec + "'." + usage);
    }
    int k = parseInt(spec, "the number of classes K", parts[1], usage);
    if (k < ShapesGenerator.MIN_CLASSES || k > ShapesGenerator.MAX_CLASSES) {
      throw new IllegalArgumentException(
          "In '"
              + spec
              + "' the number of classes K is "
              + k
              + ", but it must be from "
              + ShapesGenerator.MIN_CLASSES
              + " to "
              + ShapesGenerator.MAX_CLASSES
              + "."
              + usage);
    }
    int perClass = DEFAULT_PER_CLASS;
    if (parts.length >= 3) {
      perClass = parseInt(spec, "the number of images per class", parts[2], usage);
      if (perClass < 1) {
        throw new IllegalArgumentException(
            "In '"
                + spec
                + "' the number of images per class is "
                + perClass
                + ", but it must be at least 1."
                + usage);
      }
    }
    long seed = 0;
    if (parts.length == 4) {
      try {
        seed = Long.parseLong(parts[3].trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "In '" + spec + "' the seed '" + parts[3] + "' is not an integer." + usage, e);
      }
    }
    return new ShapesGenerator(k, perClass, seed, colored);
  }

  private static int parseInt(String spec, String what, String text, String usage) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "In '" + spec + "' " + what + " '" + text + "' is not an integer." + usage, e);
    }
  }

  private static void checkImageSize(int imageSize) {
    if (imageSize < 1 || imageSize > MAX_IMAGE_SIZE) {
      throw new IllegalArgumentException(
          "the image size must be from 1 to " + MAX_IMAGE_SIZE + " px, got " + imageSize);
    }
  }
}
