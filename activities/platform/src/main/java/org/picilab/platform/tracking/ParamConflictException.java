package org.picilab.platform.tracking;

/**
 * Parameters logged again with other values than the tracked run already has. Retrying cannot fix
 * it: the run must be resumed with the same settings, or a new run started for new ones.
 */
public final class ParamConflictException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what conflicts and what to do
   */
  public ParamConflictException(String message) {
    super(message);
  }
}
