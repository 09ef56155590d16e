package org.picilab.platform.service;

/**
 * An action that does not fit the state of its sweep or run (resuming a run that is running, say);
 * the message says what state it is in and what to do instead.
 */
public final class ConflictException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the state and what to do
   */
  public ConflictException(String message) {
    super(message);
  }
}
