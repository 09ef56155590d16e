package org.picilab.platform.db;

import java.nio.file.Path;
import java.util.Map;
import org.picilab.platform.security.Redact;

/**
 * Where the database of record is and how to log in.
 *
 * @param url a JDBC URL: {@code jdbc:sqlite:<file>} or {@code jdbc:postgresql://host:port/db}
 * @param user the user, or null (SQLite needs none)
 * @param password the password, or null
 */
public record DatabaseSettings(String url, String user, String password) {

  /** Environment variable of the JDBC URL. */
  public static final String URL_ENV = "PICI_DB_URL";

  /** Environment variable of the user. */
  public static final String USER_ENV = "PICI_DB_USER";

  /** Environment variable of the password. */
  public static final String PASSWORD_ENV = "PICI_DB_PASSWORD";

  /** The file name of the embedded database under {@code PICI_HOME}. */
  public static final String EMBEDDED_FILE = "pici.db";

  /**
   * Checks the URL.
   *
   * @throws IllegalArgumentException naming {@code PICI_DB_URL} when it is not a supported URL
   */
  public DatabaseSettings {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          URL_ENV + " is empty; give a jdbc:sqlite: or jdbc:postgresql: URL");
    }
    if (!url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          URL_ENV + " must start with jdbc:sqlite: or jdbc:postgresql:, got " + Redact.uri(url));
    }
  }

  /**
   * The embedded database: a SQLite file under the platform's home.
   *
   * @param home {@code PICI_HOME}
   * @return the settings
   */
  public static DatabaseSettings embedded(Path home) {
    return new DatabaseSettings(
        "jdbc:sqlite:" + home.resolve(EMBEDDED_FILE).toAbsolutePath(), null, null);
  }

  /**
   * The settings from the environment, else the embedded database under {@code home}.
   *
   * @param env the environment
   * @param home {@code PICI_HOME}
   * @return the settings
   */
  public static DatabaseSettings fromEnv(Map<String, String> env, Path home) {
    String url = env.get(URL_ENV);
    if (url == null || url.isBlank()) {
      return embedded(home);
    }
    return new DatabaseSettings(url.trim(), env.get(USER_ENV), env.get(PASSWORD_ENV));
  }

  /**
   * Whether this is the embedded SQLite database.
   *
   * @return true for SQLite
   */
  public boolean sqlite() {
    return url.startsWith("jdbc:sqlite:");
  }

  /**
   * The URL without credentials, for messages and banners.
   *
   * @return e.g. {@code jdbc:postgresql://db:5432/pici}
   */
  public String describe() {
    return Redact.uri(url);
  }

  @Override
  public String toString() {
    return "DatabaseSettings[" + describe() + (user == null ? "" : ", user=" + user) + "]";
  }
}
