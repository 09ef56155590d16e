package org.picilab.platform.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * A connection pool to the database of record, migrated to the newest schema on open.
 *
 * <p>SQLite runs in WAL mode with a busy timeout, so the controller writes while command-line
 * processes read the same file. Its pool has a single connection: SQLite allows one writer, and one
 * connection serialises the controller's writes without lock errors.
 */
public final class Database implements AutoCloseable {

  private final DatabaseSettings settings;
  private final HikariDataSource pool;

  private Database(DatabaseSettings settings, HikariDataSource pool) {
    this.settings = settings;
    this.pool = pool;
  }

  /**
   * Connects and migrates the schema.
   *
   * @param settings where the database is
   * @return the open database
   * @throws IOException naming the database when it cannot be reached or migrated
   */
  public static Database open(DatabaseSettings settings) throws IOException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.url());
    config.setPoolName("pici-db");
    if (settings.sqlite()) {
      Path file = Path.of(settings.url().substring("jdbc:sqlite:".length()));
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      config.setMaximumPoolSize(1);
      config.setConnectionInitSql("PRAGMA foreign_keys = ON");
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("synchronous", "NORMAL");
      config.addDataSourceProperty("busy_timeout", "30000");
    } else {
      config.setMaximumPoolSize(8);
      if (settings.user() != null) {
        config.setUsername(settings.user());
      }
      if (settings.password() != null) {
        config.setPassword(settings.password());
      }
    }
    config.setInitializationFailTimeout(-1);
    HikariDataSource pool = new HikariDataSource(config);
    try {
      try (Connection c = pool.getConnection()) {
        c.isValid(5);
      }
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (SQLException | FlywayException e) {
      pool.close();
      throw new IOException(
          "could not open the database "
              + settings.describe()
              + " (set "
              + DatabaseSettings.URL_ENV
              + ", "
              + DatabaseSettings.USER_ENV
              + " and "
              + DatabaseSettings.PASSWORD_ENV
              + "): "
              + e.getMessage(),
          e);
    }
    return new Database(settings, pool);
  }

  /**
   * The pool.
   *
   * @return the data source
   */
  public DataSource dataSource() {
    return pool;
  }

  /**
   * Where the database is.
   *
   * @return the settings
   */
  public DatabaseSettings settings() {
    return settings;
  }

  @Override
  public void close() {
    pool.close();
  }
}
