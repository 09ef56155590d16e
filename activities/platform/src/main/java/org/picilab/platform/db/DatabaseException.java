package org.picilab.platform.db;

import java.sql.SQLException;

/** The database of record failed a statement; retried by Temporal when thrown in an activity. */
public final class DatabaseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Wraps a driver error.
   *
   * @param cause the error
   */
  public DatabaseException(SQLException cause) {
    super("database: " + cause.getMessage(), cause);
  }
}
