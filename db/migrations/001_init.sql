-- Recurrent Workbench schema v1. Learned from MLflow's tracking store: best values beside the
-- last, tags, a flattened params table for filters and diffs. Columns are stored columnar: one
-- typed-array BLOB per dataset column, so loading a column is a single read.

CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  source_name   TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  imported_at   TEXT NOT NULL,
  row_count     INTEGER NOT NULL,
  time_column   TEXT,
  series_column TEXT,
  notes         TEXT NOT NULL DEFAULT '',
  meta          TEXT NOT NULL DEFAULT '{}'   -- json: delimiter, warnings, parse stats
);

CREATE TABLE dataset_columns (
  dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  idx         INTEGER NOT NULL,
  name        TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('numeric', 'datetime', 'categorical')),
  stats       TEXT NOT NULL DEFAULT '{}',   -- json ColumnStats
  missing     INTEGER NOT NULL DEFAULT 0,
  dtype       TEXT NOT NULL,                -- 'f64' (numeric, datetime ms; NaN = missing) | 'i32' (category codes; -1 = missing)
  labels      TEXT,                         -- json string[] for categorical columns
  data        BLOB NOT NULL,
  PRIMARY KEY (dataset_id, idx)
);

CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  dataset_id  INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'stopped', 'interrupted')),
  spec        TEXT NOT NULL,               -- json RunSpec with defaults filled in
  seed        INTEGER NOT NULL,
  backend     TEXT,
  device      TEXT,
  impl        TEXT,
  param_count INTEGER,
  created_at  TEXT NOT NULL,
  started_at  TEXT,
  ended_at    TEXT,
  error       TEXT,
  parent_id   INTEGER REFERENCES runs(id) ON DELETE SET NULL,
  notes       TEXT NOT NULL DEFAULT '',
  worker_pid  INTEGER,                     -- the trainer process while running; used to detect a vanished worker
  heartbeat   REAL,                        -- unix ms of the trainer's last sign of life
  test_metrics TEXT NOT NULL DEFAULT '{}'  -- json: test.rmse, naive.mase, ...
);
CREATE INDEX runs_dataset ON runs(dataset_id);
CREATE INDEX runs_status ON runs(status);

CREATE TABLE run_tags (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  tag    TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
);

CREATE TABLE params (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key    TEXT NOT NULL,
  value  TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE metrics (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key       TEXT NOT NULL,
  epoch     INTEGER NOT NULL,
  step      INTEGER NOT NULL,
  value     REAL NOT NULL,
  wall_time REAL NOT NULL
);
CREATE INDEX metrics_run_key_step ON metrics(run_id, key, step);

CREATE TABLE run_summary (
  run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  last       REAL NOT NULL,
  best       REAL NOT NULL,
  best_epoch INTEGER NOT NULL,
  min        REAL NOT NULL,
  max        REAL NOT NULL,
  PRIMARY KEY (run_id, key)
);

CREATE TABLE checkpoints (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('best', 'last')),
  epoch         INTEGER NOT NULL,
  val_loss      REAL,
  topology      TEXT NOT NULL,             -- json tf.js model topology
  weight_specs  TEXT NOT NULL,             -- json tf.io.WeightsManifestEntry weights
  weights       BLOB NOT NULL,
  optimizer     BLOB,                      -- optimizer state tensors, concatenated f32
  optimizer_meta TEXT,                     -- json: names, shapes, iterations
  preprocessing TEXT NOT NULL,             -- json: scalers, columns, window, classes
  trainer_state TEXT NOT NULL DEFAULT '{}',-- json: best val, patience counter, rng position
  created_at    TEXT NOT NULL,
  UNIQUE (run_id, kind)
);

CREATE TABLE predictions (
  run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split     TEXT NOT NULL,
  outputs   TEXT NOT NULL,                 -- json string[]
  actual    BLOB NOT NULL,                 -- f64 [n, outputs]
  predicted BLOB NOT NULL,
  naive     BLOB,
  seasonal  BLOB,
  time      BLOB NOT NULL,                 -- f64 [n]
  classes   TEXT,
  PRIMARY KEY (run_id, split)
);

CREATE TABLE exports (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  checkpoint  TEXT NOT NULL,
  path        TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
