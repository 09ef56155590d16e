package org.picilab.platform.db;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.io.TempDir;

/** The record store's contract on the embedded SQLite file. */
class SqliteRecordStoreTest extends RecordStoreContract {

  @TempDir Path dir;
  private int n;

  @Override
  Database database() throws Exception {
    Path home = Files.createDirectories(dir.resolve("home" + n++));
    return Database.open(DatabaseSettings.embedded(home));
  }

  @Override
  String explain(Database db, String sql) throws Exception {
    StringBuilder out = new StringBuilder();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
      while (rs.next()) {
        out.append(rs.getString("detail")).append('\n');
      }
    }
    return out.toString();
  }

  @Override
  void assertPageQueryUsesTheIndex(String plan) {
    assertTrue(plan.contains("runs_by_sweep_nmi"), plan);
    assertFalse(plan.contains("TEMP B-TREE"), "no sort after the scan: " + plan);
  }
}
