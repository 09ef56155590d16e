package org.picilab.model.train;

import java.io.IOException;

/** A checkpoint that is truncated, altered or not a checkpoint at all. */
public class CorruptCheckpointException extends IOException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong
   */
  public CorruptCheckpointException(String message) {
    super(message);
  }
}
