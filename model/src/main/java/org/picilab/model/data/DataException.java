package org.picilab.model.data;

import java.nio.file.Path;

/**
 * A data set that cannot be read: a missing folder, a folder without images, a layout that is
 * neither labeled nor flat, or an image file that cannot be decoded.
 *
 * <p>The message names the file or folder and says what to change, so that it can be shown to a
 * person as it is. Retrying does not help: the data on disk has to be fixed first.
 */
public final class DataException extends RuntimeException {

  private final transient Path path;

  /**
   * Creates an exception about one file or folder.
   *
   * @param path the file or folder at fault
   * @param message what is wrong and what to do, naming the path
   */
  public DataException(Path path, String message) {
    super(message);
    this.path = path;
  }

  /**
   * Creates an exception about one file or folder, with the underlying cause.
   *
   * @param path the file or folder at fault
   * @param message what is wrong and what to do, naming the path
   * @param cause the error that revealed the problem
   */
  public DataException(Path path, String message, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /**
   * Returns the file or folder at fault.
   *
   * @return the path named in the message
   */
  public Path path() {
    return path;
  }
}
