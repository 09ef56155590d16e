package org.picilab.platform.service;

/** A sweep or run that the platform has no record of; the message says how to list what exists. */
public final class NotFoundException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was not found and what to do
   */
  public NotFoundException(String message) {
    super(message);
  }
}
