-- The database of record: sweeps and runs (a sweep's trials are runs with a sweep id).
-- One schema for SQLite (embedded) and PostgreSQL (distributed): portable types only, times in
-- epoch milliseconds, JSON kept as text.

CREATE TABLE sweeps (
  id              VARCHAR(128)  NOT NULL PRIMARY KEY,
  name            VARCHAR(64)   NOT NULL,
  spec            TEXT          NOT NULL,
  phase           VARCHAR(16)   NOT NULL,
  total_trials    INTEGER       NOT NULL,
  max_concurrent  INTEGER       NOT NULL,
  tracking_run_id VARCHAR(128),
  git_commit      VARCHAR(64),
  error           TEXT,
  created_at      BIGINT        NOT NULL,
  updated_at      BIGINT        NOT NULL,
  ended_at        BIGINT
);

CREATE INDEX sweeps_by_created ON sweeps (created_at DESC, id);
CREATE INDEX sweeps_by_phase ON sweeps (phase);

CREATE TABLE runs (
  id                 VARCHAR(128)     NOT NULL PRIMARY KEY,
  sweep_id           VARCHAR(128)     REFERENCES sweeps (id),
  trial_index        INTEGER,
  config_key         TEXT,
  parameters         TEXT             NOT NULL,
  seed               BIGINT           NOT NULL,
  request            TEXT             NOT NULL,
  status             VARCHAR(16)      NOT NULL,
  stage              VARCHAR(16),
  epoch              INTEGER          NOT NULL DEFAULT 0,
  total_epochs       INTEGER          NOT NULL DEFAULT 0,
  attempts           INTEGER          NOT NULL DEFAULT 0,
  retries            INTEGER          NOT NULL DEFAULT 0,
  resumed_from_epoch INTEGER,
  nmi                DOUBLE PRECISION,
  acc                DOUBLE PRECISION,
  ari                DOUBLE PRECISION,
  fmi                DOUBLE PRECISION,
  error              TEXT,
  checkpoint_key     TEXT,
  result_key         TEXT,
  tracking_run_id    VARCHAR(128),
  worker             VARCHAR(256),
  git_commit         VARCHAR(64),
  created_at         BIGINT           NOT NULL,
  started_at         BIGINT,
  updated_at         BIGINT           NOT NULL,
  ended_at           BIGINT
);

-- A sweep's trials in order, by status, and by each score (best first, unscored last), each
-- with the id as tie-breaker so that pages are stable.
CREATE INDEX runs_by_sweep_index ON runs (sweep_id, trial_index);
CREATE INDEX runs_by_sweep_status ON runs (sweep_id, status);
CREATE INDEX runs_by_sweep_nmi ON runs (sweep_id, (COALESCE(nmi, -2.0)) DESC, id);
CREATE INDEX runs_by_sweep_acc ON runs (sweep_id, (COALESCE(acc, -2.0)) DESC, id);
CREATE INDEX runs_by_sweep_ari ON runs (sweep_id, (COALESCE(ari, -2.0)) DESC, id);
CREATE INDEX runs_by_sweep_fmi ON runs (sweep_id, (COALESCE(fmi, -2.0)) DESC, id);
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_created ON runs (created_at DESC, id);

-- Facts about the database itself, e.g. that the S3 registry was imported.
CREATE TABLE meta (
  name  VARCHAR(64) NOT NULL PRIMARY KEY,
  value TEXT        NOT NULL
);
