package org.picilab.model.train;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.picilab.model.data.ImageDataset;

/**
 * What a run was trained on, recorded in checkpoints and results so that a run is never resumed on
 * different data by mistake.
 *
 * @param spec the data argument as given ("digits", "shapes:10", a folder)
 * @param name the data set's name
 * @param size number of images
 * @param numClasses number of classes, 0 when unlabeled
 * @param imageSize side the images were resized to
 * @param fingerprint a hash of the ids, labels and pixels
 */
public record DatasetInfo(
    String spec, String name, int size, int numClasses, int imageSize, String fingerprint) {

  /**
   * Describes a loaded data set.
   *
   * @param spec the data argument as given
   * @param data the loaded images
   * @return the description
   */
  public static DatasetInfo of(String spec, ImageDataset data) {
    return new DatasetInfo(
        spec,
        data.name(),
        data.size(),
        data.hasLabels() ? data.numClasses() : 0,
        data.imageSize(),
        fingerprint(data));
  }

  /**
   * Whether the data is labeled.
   *
   * @return true when classes are known
   */
  public boolean labeled() {
    return numClasses > 0;
  }

  private static String fingerprint(ImageDataset data) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      int values = 3 * data.imageSize() * data.imageSize();
      float[] pixels = new float[values];
      ByteBuffer buf = ByteBuffer.allocate(values * 4);
      // Very large sets hash every 16th image's pixels (ids and labels always): it catches a
      // swapped data set at a fraction of the cost.
      int stride = (long) data.size() * values > 50_000_000L ? 16 : 1;
      for (int i = 0; i < data.size(); i++) {
        sha.update(data.id(i).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(ByteBuffer.allocate(4).putInt(data.hasLabels() ? data.label(i) : -1).array());
        if (i % stride == 0) {
          data.pixels(i, pixels, 0);
          buf.clear();
          buf.asFloatBuffer().put(pixels);
          sha.update(buf.array());
        }
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
