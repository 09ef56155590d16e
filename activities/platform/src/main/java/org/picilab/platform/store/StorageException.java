package org.picilab.platform.store;

import java.io.IOException;

/**
 * A storage failure that is worth retrying: the endpoint is unreachable, timed out or answered with
 * a server error. Activities let Temporal retry these with backoff.
 */
public class StorageException extends IOException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the endpoint and key
   * @param cause the underlying error
   */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
