package org.picilab.model.train;

/** Training stopped between two batches because the caller asked it to. */
public class TrainingCancelledException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message where training stopped
   */
  public TrainingCancelledException(String message) {
    super(message);
  }
}
