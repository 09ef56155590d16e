package org.picilab.model.data;

/**
 * Receives progress while a large image folder is decoded.
 *
 * <p>Calls come from the decoding threads but never at the same time, and {@code done} never
 * decreases; the last call has {@code done == total}.
 */
@FunctionalInterface
public interface LoadProgress {

  /** A listener that ignores progress. */
  LoadProgress NONE = (done, total) -> {};

  /**
   * Reports that {@code done} of {@code total} images have been decoded.
   *
   * @param done images decoded so far
   * @param total images to decode
   */
  void update(int done, int total);
}
