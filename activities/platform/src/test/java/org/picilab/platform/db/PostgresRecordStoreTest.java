package org.picilab.platform.db;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The record store's contract on a real PostgreSQL server: the one {@code infra/postgres.sh} starts
 * on loopback, named by {@code PICI_TEST_PG_URL}. Each test gets a database of its own. Skipped
 * without the server, unless {@code PICI_REQUIRE_POSTGRES=1} (as in CI), which fails instead.
 */
class PostgresRecordStoreTest extends RecordStoreContract {

  private static final String URL = System.getenv("PICI_TEST_PG_URL");
  private static final String USER = System.getenv().getOrDefault("PICI_TEST_PG_USER", "postgres");
  private static final List<String> created = new ArrayList<>();

  @BeforeAll
  static void server() {
    boolean required = "1".equals(System.getenv("PICI_REQUIRE_POSTGRES"));
    if (URL == null || URL.isBlank()) {
      if (required) {
        throw new IllegalStateException(
            "PICI_REQUIRE_POSTGRES=1 but PICI_TEST_PG_URL is not set; run infra/postgres.sh");
      }
      Assumptions.abort("no PostgreSQL server (set PICI_TEST_PG_URL, see infra/postgres.sh)");
    }
  }

  @AfterAll
  static void dropDatabases() throws Exception {
    if (URL == null) {
      return;
    }
    try (Connection c = DriverManager.getConnection(URL, USER, null);
        Statement st = c.createStatement()) {
      for (String name : created) {
        st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    }
  }

  @Override
  Database database() throws Exception {
    String name = "pici_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(URL, USER, null);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    created.add(name);
    String url = URL.substring(0, URL.lastIndexOf('/') + 1) + name;
    return Database.open(new DatabaseSettings(url, USER, null));
  }

  @Override
  String explain(Database db, String sql) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("ANALYZE runs");
      try (ResultSet rs = st.executeQuery("EXPLAIN " + sql)) {
        while (rs.next()) {
          out.append(rs.getString(1)).append('\n');
        }
      }
    }
    return out.toString();
  }

  @Override
  void assertPageQueryUsesTheIndex(String plan) {
    assertTrue(plan.contains("runs_by_sweep_nmi"), plan);
    assertFalse(plan.toLowerCase(Locale.ROOT).contains("sort"), "no sort after the scan: " + plan);
  }
}
