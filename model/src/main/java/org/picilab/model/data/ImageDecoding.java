package org.picilab.model.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Decodes image files into RGB floats in [0, 1], whatever their colour model.
 *
 * <p>Samples are read from the raster rather than through {@link BufferedImage#getRGB}, because
 * Java treats grey images as linear light and {@code getRGB} would brighten them by a gamma
 * conversion; PIL and torchvision use the stored values as they are. For the same reason alpha is
 * dropped, not composited: PIL's {@code convert("RGB")}, which torchvision's ImageFolder uses,
 * drops it too.
 */
final class ImageDecoding {

  private ImageDecoding() {}

  /** A decoded image: CHW floats, three channels. */
  record Decoded(float[] chw, int height, int width) {}

  /**
   * Reads and decodes one image file.
   *
   * @throws DataException when the file cannot be read or is not an image Java can decode
   */
  static Decoded read(Path file) {
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new DataException(
          file,
          "Cannot decode image "
              + file
              + " ("
              + e.getMessage()
              + "). The file is corrupt or not really an image: replace it or delete it.",
          e);
    }
    if (image == null) {
      throw new DataException(
          file,
          "Cannot decode image "
              + file
              + ": no PNG, JPEG or BMP decoder recognises its content. Replace the file with a"
              + " valid image or delete it.");
    }
    try {
      return toRgb(image);
    } catch (RuntimeException e) {
      throw new DataException(
          file,
          "Cannot convert image " + file + " to RGB (" + e + "). Re-save it as an 8-bit RGB PNG.",
          e);
    }
  }

  /** Converts any decoded image to three-channel CHW floats in [0, 1]. */
  static Decoded toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int plane = w * h;
    float[] out = new float[3 * plane];
    ColorModel cm = image.getColorModel();
    Raster raster = image.getRaster();
    int colourComponents = cm.getNumColorComponents();
    int csType = cm.getColorSpace().getType();

    if (!(cm instanceof IndexColorModel) && csType == ColorSpace.TYPE_GRAY) {
      // Grey, 1 to 16 bits, with or without alpha: band 0 is the grey value.
      float scale = 1f / ((1 << cm.getComponentSize(0)) - 1);
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          float v = row[x] * scale;
          int j = y * w + x;
          out[j] = v;
          out[plane + j] = v;
          out[2 * plane + j] = v;
        }
      }
    } else if (!(cm instanceof IndexColorModel)
        && csType == ColorSpace.TYPE_RGB
        && colourComponents == 3
        && raster.getNumBands() >= 3) {
      // Direct RGB of 8 or 16 bits per sample; bands follow the colour space order R, G, B.
      int[] row = new int[w];
      for (int c = 0; c < 3; c++) {
        float scale = 1f / ((1L << cm.getComponentSize(c)) - 1);
        for (int y = 0; y < h; y++) {
          raster.getSamples(0, y, w, 1, c, row);
          int base = c * plane + y * w;
          for (int x = 0; x < w; x++) {
            out[base + x] = row[x] * scale;
          }
        }
      }
    } else {
      // Palettes (exact sRGB entries) and anything rarer go through Java's own conversion.
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        image.getRGB(0, y, w, 1, row, 0, w);
        for (int x = 0; x < w; x++) {
          int argb = row[x];
          int j = y * w + x;
          out[j] = ((argb >> 16) & 0xFF) / 255f;
          out[plane + j] = ((argb >> 8) & 0xFF) / 255f;
          out[2 * plane + j] = (argb & 0xFF) / 255f;
        }
      }
    }
    return new Decoded(out, h, w);
  }
}
