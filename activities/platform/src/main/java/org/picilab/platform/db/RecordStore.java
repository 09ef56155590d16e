package org.picilab.platform.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import javax.sql.DataSource;
import org.picilab.workflows.RunProgress;
import org.picilab.workflows.RunRequest;
import org.picilab.workflows.RunStatus;
import org.picilab.workflows.Scores;
import org.picilab.workflows.sweep.ConfigSummary;
import org.picilab.workflows.sweep.SweepPhase;
import org.picilab.workflows.sweep.SweepSpec;
import org.picilab.workflows.sweep.SweepStatus;
import org.picilab.workflows.sweep.TrialPlan;
import org.picilab.workflows.sweep.TrialState;

/**
 * Reads and writes sweeps and runs in the database of record. Every statement is portable between
 * SQLite and PostgreSQL. Writes are idempotent (a retried control activity changes nothing twice);
 * lists are read a page at a time, in an order an index of the schema serves.
 */
public final class RecordStore {

  /** Trials inserted per batch when a sweep is created. */
  private static final int BATCH = 1000;

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private static final String RUN_COLUMNS =
      "id, sweep_id, trial_index, config_key, parameters, seed, request, status, stage, epoch,"
          + " total_epochs, attempts, retries, resumed_from_epoch, nmi, acc, ari, fmi, error,"
          + " checkpoint_key, result_key, tracking_run_id, worker, git_commit, created_at,"
          + " started_at, updated_at, ended_at";

  private static final String SWEEP_COLUMNS =
      "id, name, spec, phase, total_trials, max_concurrent, tracking_run_id, git_commit, error,"
          + " created_at, updated_at, ended_at";

  private final DataSource db;

  /**
   * Wraps an open database.
   *
   * @param database the database, migrated
   */
  public RecordStore(Database database) {
    this(database.dataSource());
  }

  /**
   * Wraps a data source whose schema is migrated.
   *
   * @param db the data source
   */
  public RecordStore(DataSource db) {
    this.db = db;
  }

  // ---------------------------------------------------------------- sweeps

  /**
   * Records a new sweep and all its trials as PENDING, in one transaction. Idempotent: a sweep or
   * trial already recorded is left as it is.
   *
   * @param sweep the sweep
   * @param trials its trials, in order
   * @param now the time (epoch ms)
   * @throws DatabaseException when the database fails
   */
  public void createSweep(SweepRecord sweep, Iterable<TrialPlan> trials, long now) {
    inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO sweeps ("
                      + SWEEP_COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            bindSweep(ps, sweep);
            ps.executeUpdate();
          }
          try (PreparedStatement ps = c.prepareStatement(insertRunSql(true))) {
            int n = 0;
            for (TrialPlan p : trials) {
              RunRequest r = p.request(sweep.id(), sweep.spec(), sweep.trackingRunId());
              bindNewRun(ps, r, RunStatus.PENDING, null, sweep.gitCommit(), now);
              ps.addBatch();
              if (++n % BATCH == 0) {
                ps.executeBatch();
              }
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /**
   * Records where a sweep stands.
   *
   * @param sweepId the sweep
   * @param phase its phase
   * @param trackingRunId its tracked run, or null to keep the recorded one
   * @param error why it stopped, or null
   * @param now the time (epoch ms)
   * @return whether the sweep exists
   */
  public boolean saveSweepPhase(
      String sweepId, SweepPhase phase, String trackingRunId, String error, long now) {
    return update(
            "UPDATE sweeps SET phase = ?, tracking_run_id = COALESCE(?, tracking_run_id),"
                + " error = ?, updated_at = ?, ended_at = ? WHERE id = ?",
            phase.name(),
            trackingRunId,
            error,
            now,
            ended(phase) ? now : null,
            sweepId)
        > 0;
  }

  /**
   * Records a sweep and every trial from a whole-sweep status (the form the registry and sweeps
   * started by earlier versions carry). Trials already recorded with more recent news from their
   * own runs keep it: a trial's row is only created here, or moved from PENDING.
   *
   * @param status the status
   * @param gitCommit the controller's commit, or null
   * @param now the time (epoch ms)
   */
  public void saveSweepStatus(SweepStatus status, String gitCommit, long now) {
    SweepSpec spec = status.spec();
    SweepRecord sweep =
        new SweepRecord(
            status.sweepId(),
            spec.name(),
            spec,
            status.phase(),
            status.trials().size(),
            spec.maxConcurrent(),
            status.trackingRunId(),
            gitCommit,
            null,
            now,
            now,
            ended(status.phase()) ? now : null);
    inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO sweeps ("
                      + SWEEP_COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE"
                      + " SET phase = excluded.phase, total_trials = excluded.total_trials,"
                      + " tracking_run_id = COALESCE(excluded.tracking_run_id,"
                      + " sweeps.tracking_run_id), updated_at = excluded.updated_at,"
                      + " ended_at = excluded.ended_at")) {
            bindSweep(ps, sweep);
            ps.executeUpdate();
          }
          try (PreparedStatement insert = c.prepareStatement(insertRunSql(true));
              PreparedStatement fromPending =
                  c.prepareStatement(
                      "UPDATE runs SET status = ?, nmi = ?, acc = ?, ari = ?, fmi = ?, error = ?,"
                          + " updated_at = ?, ended_at = ? WHERE id = ? AND status = 'PENDING'")) {
            for (TrialState t : status.trials()) {
              RunRequest r =
                  new TrialPlan(t.index(), 0, t.configKey(), t.parameters(), t.seed())
                      .request(status.sweepId(), spec, status.trackingRunId());
              bindNewRun(insert, r, t.status(), t.error(), gitCommit, now);
              bindScores(insert, 15, t.scores());
              insert.addBatch();
              if (t.status() != RunStatus.PENDING) {
                fromPending.setString(1, t.status().name());
                bindScores(fromPending, 2, t.scores());
                fromPending.setString(6, t.error());
                fromPending.setLong(7, now);
                setLong(fromPending, 8, t.status().ended() ? now : null);
                fromPending.setString(9, t.runId());
                fromPending.addBatch();
              }
            }
            insert.executeBatch();
            fromPending.executeBatch();
          }
          return null;
        });
  }

  /**
   * A sweep.
   *
   * @param sweepId the sweep
   * @return its record, or empty
   */
  public Optional<SweepRecord> sweep(String sweepId) {
    List<SweepRecord> found =
        query(
            "SELECT " + SWEEP_COLUMNS + " FROM sweeps WHERE id = ?",
            RecordStore::readSweep,
            sweepId);
    return found.stream().findFirst();
  }

  /**
   * Whether a sweep id is taken.
   *
   * @param sweepId the id
   * @return true when a sweep with it is recorded
   */
  public boolean sweepExists(String sweepId) {
    return !query("SELECT id FROM sweeps WHERE id = ?", rs -> rs.getString(1), sweepId).isEmpty();
  }

  /**
   * Sweeps, newest first, a page at a time.
   *
   * @param offset how many to skip
   * @param limit the page size
   * @return the page
   */
  public Page<SweepRecord> sweeps(int offset, int limit) {
    checkPage(offset, limit);
    long total = count("SELECT COUNT(*) FROM sweeps");
    List<SweepRecord> items =
        query(
            "SELECT "
                + SWEEP_COLUMNS
                + " FROM sweeps ORDER BY created_at DESC, id ASC LIMIT ? OFFSET ?",
            RecordStore::readSweep,
            limit,
            offset);
    return new Page<>(items, total, offset, limit);
  }

  /**
   * Sweeps that were running, paused or cancelling when last recorded.
   *
   * @return their records, oldest first
   */
  public List<SweepRecord> activeSweeps() {
    return query(
        "SELECT "
            + SWEEP_COLUMNS
            + " FROM sweeps WHERE phase IN ('RUNNING', 'PAUSED', 'CANCELLING')"
            + " ORDER BY created_at ASC, id ASC",
        RecordStore::readSweep);
  }

  /**
   * How many of a sweep's trials are in each status.
   *
   * @param sweepId the sweep
   * @return a count per status, zeros included
   */
  public Map<RunStatus, Long> counts(String sweepId) {
    return counts(List.of(sweepId)).get(sweepId);
  }

  /**
   * How many of each sweep's trials are in each status, in one query.
   *
   * @param sweepIds the sweeps (at most a page of them)
   * @return per sweep id, a count per status, zeros included
   */
  public Map<String, Map<RunStatus, Long>> counts(Collection<String> sweepIds) {
    Map<String, Map<RunStatus, Long>> out = new LinkedHashMap<>();
    for (String id : sweepIds) {
      Map<RunStatus, Long> zeros = new EnumMap<>(RunStatus.class);
      for (RunStatus s : RunStatus.values()) {
        zeros.put(s, 0L);
      }
      out.put(id, zeros);
    }
    if (out.isEmpty()) {
      return out;
    }
    String marks = String.join(", ", Collections.nCopies(out.size(), "?"));
    query(
        "SELECT sweep_id, status, COUNT(*) FROM runs WHERE sweep_id IN ("
            + marks
            + ") GROUP BY sweep_id, status",
        rs -> {
          out.get(rs.getString(1)).put(RunStatus.valueOf(rs.getString(2)), rs.getLong(3));
          return null;
        },
        out.keySet().toArray());
    return out;
  }

  /**
   * Mean and sample standard deviation of the scores of completed trials, per configuration, in the
   * order of the configurations' first trials.
   *
   * @param sweepId the sweep
   * @return one summary per configuration
   */
  public List<ConfigSummary> summary(String sweepId) {
    Map<String, List<Scores>> done = new LinkedHashMap<>();
    Map<String, Integer> trials = new LinkedHashMap<>();
    query(
        "SELECT config_key, status, nmi, acc, ari, fmi FROM runs WHERE sweep_id = ?"
            + " ORDER BY trial_index ASC, id ASC",
        rs -> {
          String key = rs.getString(1);
          trials.merge(key, 1, Integer::sum);
          List<Scores> list = done.computeIfAbsent(key, k -> new ArrayList<>());
          Scores s = readScores(rs, 3);
          if (RunStatus.COMPLETED.name().equals(rs.getString(2)) && s != null) {
            list.add(s);
          }
          return key;
        },
        sweepId);
    List<ConfigSummary> out = new ArrayList<>();
    for (Map.Entry<String, List<Scores>> e : done.entrySet()) {
      out.add(ConfigSummary.of(e.getKey(), trials.get(e.getKey()), e.getValue()));
    }
    return out;
  }

  // ---------------------------------------------------------------- runs

  /**
   * Records a run's request and where it stands: creates the row, or updates it. Idempotent.
   *
   * @param request the run
   * @param progress where it stands
   * @param resultKey where its result is, or null to keep the recorded one
   * @param gitCommit the controller's commit, or null
   * @param now the time (epoch ms)
   */
  public void saveRun(
      RunRequest request, RunProgress progress, String resultKey, String gitCommit, long now) {
    inTransaction(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(insertRunSql(true))) {
            bindNewRun(ps, request, RunStatus.PENDING, null, gitCommit, now);
            ps.executeUpdate();
          }
          RunStatus s = progress.status();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE runs SET request = ?, status = ?, stage = ?, epoch = ?, total_epochs = ?,"
                      + " attempts = ?, retries = ?, resumed_from_epoch = ?, nmi = ?, acc = ?,"
                      + " ari = ?, fmi = ?, error = ?, checkpoint_key = COALESCE(?,"
                      + " checkpoint_key), result_key = COALESCE(?, result_key),"
                      + " tracking_run_id = COALESCE(?, tracking_run_id), worker = COALESCE(?,"
                      + " worker), git_commit = COALESCE(?, git_commit), started_at ="
                      + " COALESCE(started_at, ?), updated_at = ?, ended_at = ? WHERE id = ?")) {
            ps.setString(1, json(request));
            ps.setString(2, s.name());
            ps.setString(3, progress.stage());
            ps.setInt(4, progress.epoch());
            ps.setInt(5, progress.totalEpochs());
            ps.setInt(6, progress.attempts());
            ps.setInt(7, progress.retries());
            setInt(ps, 8, progress.resumedFromEpoch());
            bindScores(ps, 9, progress.scores());
            ps.setString(13, progress.error());
            ps.setString(14, progress.lastCheckpoint());
            ps.setString(15, resultKey);
            ps.setString(16, progress.trackingRunId());
            ps.setString(17, progress.worker());
            ps.setString(18, gitCommit);
            setLong(ps, 19, s == RunStatus.PENDING ? null : now);
            ps.setLong(20, now);
            setLong(ps, 21, s.ended() ? now : null);
            ps.setString(22, request.runId());
            ps.executeUpdate();
          }
          return null;
        });
  }

  /**
   * Ends a run that cannot report its own end (lost with its workflow, or never started), unless it
   * has ended already.
   *
   * @param runId the run
   * @param status the end status
   * @param error why, or null
   * @param now the time (epoch ms)
   * @return whether the run was changed
   */
  public boolean endRun(String runId, RunStatus status, String error, long now) {
    return update(
            "UPDATE runs SET status = ?, error = ?, updated_at = ?, ended_at = ?"
                + " WHERE id = ? AND status IN ('PENDING', 'RUNNING')",
            status.name(),
            error,
            now,
            now,
            runId)
        > 0;
  }

  /**
   * The next pending trials of a sweep, in index order.
   *
   * @param sweepId the sweep
   * @param afterIndex only trials with a higher index
   * @param limit at most this many
   * @return what to start for each
   */
  public List<RunRequest> pendingTrials(String sweepId, int afterIndex, int limit) {
    checkPage(0, limit);
    return query(
        "SELECT request FROM runs WHERE sweep_id = ? AND trial_index > ? AND status = 'PENDING'"
            + " ORDER BY trial_index ASC LIMIT ?",
        rs -> parse(rs.getString(1), RunRequest.class),
        sweepId,
        afterIndex,
        limit);
  }

  /**
   * Puts trials back to pending so that their sweep starts them again (from their newest
   * checkpoints): trials whose runs were lost with their workflows.
   *
   * @param runIds the trials' run ids
   * @param now the time (epoch ms)
   * @return how many were put back
   */
  public int requeue(List<String> runIds, long now) {
    int n = 0;
    for (String id : runIds) {
      n +=
          update(
              "UPDATE runs SET status = 'PENDING', updated_at = ?, ended_at = NULL"
                  + " WHERE id = ? AND sweep_id IS NOT NULL AND status IN ('RUNNING', 'LOST')",
              now,
              id);
    }
    return n;
  }

  /**
   * Runs recorded as running, oldest first.
   *
   * @return their records
   */
  public List<RunRecord> runningRuns() {
    return query(
        "SELECT " + RUN_COLUMNS + " FROM runs WHERE status = 'RUNNING' ORDER BY created_at, id",
        RecordStore::readRun);
  }

  /**
   * Marks a sweep's trials that never started as cancelled.
   *
   * @param sweepId the sweep
   * @param reason the error text to record
   * @param now the time (epoch ms)
   * @return how many trials were skipped
   */
  public int cancelPending(String sweepId, String reason, long now) {
    return update(
        "UPDATE runs SET status = 'CANCELLED', error = ?, updated_at = ?, ended_at = ?"
            + " WHERE sweep_id = ? AND status = 'PENDING'",
        reason,
        now,
        now,
        sweepId);
  }

  /**
   * A run.
   *
   * @param runId the run
   * @return its record, or empty
   */
  public Optional<RunRecord> run(String runId) {
    return query("SELECT " + RUN_COLUMNS + " FROM runs WHERE id = ?", RecordStore::readRun, runId)
        .stream()
        .findFirst();
  }

  /**
   * Runs, a page at a time.
   *
   * @param sweepId only this sweep's trials, or null for every run
   * @param statuses only runs in these statuses, or empty for all
   * @param sort the order
   * @param offset how many to skip
   * @param limit the page size
   * @return the page
   */
  public Page<RunRecord> runs(
      String sweepId, Set<RunStatus> statuses, RunSort sort, int offset, int limit) {
    checkPage(offset, limit);
    List<Object> args = new ArrayList<>();
    StringBuilder where = new StringBuilder();
    if (sweepId != null) {
      where.append(" WHERE sweep_id = ?");
      args.add(sweepId);
    }
    if (statuses != null && !statuses.isEmpty()) {
      StringJoiner in = new StringJoiner(", ", " status IN (", ")");
      for (RunStatus s : statuses) {
        in.add("?");
        args.add(s.name());
      }
      where.append(where.length() == 0 ? " WHERE" : " AND").append(in);
    }
    long total = count("SELECT COUNT(*) FROM runs" + where, args.toArray());
    args.add(limit);
    args.add(offset);
    List<RunRecord> items =
        query(
            "SELECT "
                + RUN_COLUMNS
                + " FROM runs"
                + where
                + " ORDER BY "
                + sort.orderBy()
                + " LIMIT ? OFFSET ?",
            RecordStore::readRun,
            args.toArray());
    return new Page<>(items, total, offset, limit);
  }

  // ---------------------------------------------------------------- meta

  /**
   * A fact about the database.
   *
   * @param name its name
   * @return its value, or empty
   */
  public Optional<String> meta(String name) {
    return query("SELECT value FROM meta WHERE name = ?", rs -> rs.getString(1), name).stream()
        .findFirst();
  }

  /**
   * Records a fact about the database.
   *
   * @param name its name
   * @param value its value
   */
  public void putMeta(String name, String value) {
    update(
        "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE"
            + " SET value = excluded.value",
        name,
        value);
  }

  // ---------------------------------------------------------------- plumbing

  private static String insertRunSql(boolean ignoreExisting) {
    return "INSERT INTO runs ("
        + RUN_COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        + " ?, ?)"
        + (ignoreExisting ? " ON CONFLICT (id) DO NOTHING" : "");
  }

  private static void bindNewRun(
      PreparedStatement ps,
      RunRequest r,
      RunStatus status,
      String error,
      String gitCommit,
      long now)
      throws SQLException {
    ps.setString(1, r.runId());
    ps.setString(2, r.sweepId());
    setInt(ps, 3, r.sweepId() == null ? null : r.trialIndex());
    ps.setString(4, r.configKey());
    ps.setString(5, json(r.parameters() == null ? Map.of() : r.parameters()));
    ps.setLong(6, r.seed());
    ps.setString(7, json(r));
    ps.setString(8, status.name());
    ps.setString(9, null);
    ps.setInt(10, 0);
    ps.setInt(11, 0);
    ps.setInt(12, 0);
    ps.setInt(13, 0);
    setInt(ps, 14, null);
    bindScores(ps, 15, null);
    ps.setString(19, error);
    ps.setString(20, null);
    ps.setString(21, null);
    ps.setString(22, null);
    ps.setString(23, null);
    ps.setString(24, gitCommit);
    ps.setLong(25, now);
    setLong(ps, 26, status == RunStatus.PENDING ? null : now);
    ps.setLong(27, now);
    setLong(ps, 28, status.ended() ? now : null);
  }

  private static void bindSweep(PreparedStatement ps, SweepRecord s) throws SQLException {
    ps.setString(1, s.id());
    ps.setString(2, s.name());
    ps.setString(3, json(s.spec()));
    ps.setString(4, s.phase().name());
    ps.setInt(5, s.totalTrials());
    ps.setInt(6, s.maxConcurrent());
    ps.setString(7, s.trackingRunId());
    ps.setString(8, s.gitCommit());
    ps.setString(9, s.error());
    ps.setLong(10, s.createdAt());
    ps.setLong(11, s.updatedAt());
    setLong(ps, 12, s.endedAt());
  }

  private static void bindScores(PreparedStatement ps, int first, Scores s) throws SQLException {
    for (int i = 0; i < 4; i++) {
      if (s == null) {
        ps.setNull(first + i, Types.DOUBLE);
      }
    }
    if (s != null) {
      ps.setDouble(first, s.nmi());
      ps.setDouble(first + 1, s.acc());
      ps.setDouble(first + 2, s.ari());
      ps.setDouble(first + 3, s.fmi());
    }
  }

  private static Scores readScores(ResultSet rs, int first) throws SQLException {
    double nmi = rs.getDouble(first);
    if (rs.wasNull()) {
      return null;
    }
    return new Scores(
        nmi, rs.getDouble(first + 1), rs.getDouble(first + 2), rs.getDouble(first + 3));
  }

  private static SweepRecord readSweep(ResultSet rs) throws SQLException {
    return new SweepRecord(
        rs.getString(1),
        rs.getString(2),
        parse(rs.getString(3), SweepSpec.class),
        SweepPhase.valueOf(rs.getString(4)),
        rs.getInt(5),
        rs.getInt(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        rs.getLong(10),
        rs.getLong(11),
        getLong(rs, 12));
  }

  private static RunRecord readRun(ResultSet rs) throws SQLException {
    return new RunRecord(
        rs.getString(1),
        rs.getString(2),
        getInt(rs, 3),
        rs.getString(4),
        parseMap(rs.getString(5)),
        rs.getLong(6),
        parse(rs.getString(7), RunRequest.class),
        RunStatus.valueOf(rs.getString(8)),
        rs.getString(9),
        rs.getInt(10),
        rs.getInt(11),
        rs.getInt(12),
        rs.getInt(13),
        getInt(rs, 14),
        readScores(rs, 15),
        rs.getString(19),
        rs.getString(20),
        rs.getString(21),
        rs.getString(22),
        rs.getString(23),
        rs.getString(24),
        rs.getLong(25),
        getLong(rs, 26),
        rs.getLong(27),
        getLong(rs, 28));
  }

  private static boolean ended(SweepPhase phase) {
    return phase == SweepPhase.COMPLETED || phase == SweepPhase.CANCELLED;
  }

  private static void checkPage(int offset, int limit) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be 0 or more, got " + offset);
    }
    if (limit < 1 || limit > 10_000) {
      throw new IllegalArgumentException("page size must be between 1 and 10000, got " + limit);
    }
  }

  private static void setInt(PreparedStatement ps, int i, Integer v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, v);
    }
  }

  private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
    if (v == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, v);
    }
  }

  private static Integer getInt(ResultSet rs, int i) throws SQLException {
    int v = rs.getInt(i);
    return rs.wasNull() ? null : v;
  }

  private static Long getLong(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T parse(String text, Class<T> type) throws SQLException {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable " + type.getSimpleName() + " in the database", e);
    }
  }

  private static Map<String, String> parseMap(String text) throws SQLException {
    try {
      return JSON.readValue(text, STRING_MAP);
    } catch (JsonProcessingException e) {
      throw new SQLException("unreadable parameters in the database", e);
    }
  }

  @FunctionalInterface
  private interface Row<T> {
    T read(ResultSet rs) throws SQLException;
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inTransaction(Work<T> work) {
    try (Connection c = db.getConnection()) {
      boolean auto = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        T out = work.run(c);
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(auto);
      }
    } catch (SQLException e) {
      throw new DatabaseException(e);
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        // Untyped: PostgreSQL infers the column's type.
        ps.setNull(i + 1, Types.NULL);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else if (a instanceof Long n) {
        ps.setLong(i + 1, n);
      } else {
        ps.setString(i + 1, a.toString());
      }
    }
  }

  private <T> List<T> query(String sql, Row<T> row, Object... args) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(row.read(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new DatabaseException(e);
    }
  }

  private long count(String sql, Object... args) {
    return query(sql, rs -> rs.getLong(1), args).get(0);
  }

  private int update(String sql, Object... args) {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, args);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new DatabaseException(e);
    }
  }
}
