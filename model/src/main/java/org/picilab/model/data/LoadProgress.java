package org.picilab.model.data;

/**
 * Receives progress while a large image folder is decoded.
 *
 * <p>Calls come from the decoding threads but never at the same time, and {@code done} never
 * decreases; the last call has {@code done == total}. A listener may throw an unchecked exception
 * to abort the load (for example when the run is cancelled): decoding stops and the exception
 * propagates from {@link Datasets#load(String, int, LoadProgress)}.
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
