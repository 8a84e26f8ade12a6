-- Run ids are never reused (issue 10): a deleted run's id must not name a new run, or exports,
-- notes and links that cite "run 7" would silently point at another experiment. SQLite can only
-- add AUTOINCREMENT by rebuilding the table. The status CHECK gains 'pruned' (study trials stopped
-- early by a scheduler) while the table is rebuilt anyway.
--
-- open.ts applies migrations with foreign_keys OFF (SQLite's documented way to rebuild a table:
-- with it ON, dropping `runs` would cascade into every child table) and runs foreign_key_check
-- before it commits. The children's `REFERENCES runs(id)` name the table, so they follow the new
-- one once it takes the name.
CREATE TABLE runs_002 (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL,
  dataset_id  INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'stopped', 'interrupted', 'pruned')),
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

INSERT INTO runs_002 (id, name, dataset_id, status, spec, seed, backend, device, impl, param_count, created_at, started_at,
                  ended_at, error, parent_id, notes, worker_pid, heartbeat, test_metrics)
  SELECT id, name, dataset_id, status, spec, seed, backend, device, impl, param_count, created_at, started_at,
         ended_at, error, parent_id, notes, worker_pid, heartbeat, test_metrics
  FROM runs ORDER BY id;

DROP TABLE runs;
ALTER TABLE runs_002 RENAME TO runs;

CREATE INDEX runs_dataset ON runs(dataset_id);
CREATE INDEX runs_status ON runs(status);
