-- The run log, persisted: the trainer writes each line in its own transactions (start-up steps with
-- their timings, warnings, the test headline), so a reload or another process shows the whole log.
-- seq orders the lines of one run; a resumed run continues its numbering.
CREATE TABLE run_log (
  run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq     INTEGER NOT NULL,
  at      REAL NOT NULL,                 -- unix ms
  level   TEXT NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  message TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
);
