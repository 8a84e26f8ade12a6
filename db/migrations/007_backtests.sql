-- Rolling-origin backtests: a backtest holds the spec and fold plan; its folds are ordinary runs
-- (runs.backtest_id, runs.fold), one run per fold at most.
CREATE TABLE backtests (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  name           TEXT NOT NULL,
  dataset_id     INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  spec           TEXT NOT NULL,          -- json: the RunSpec every fold derives from
  folds          INTEGER NOT NULL,
  step           INTEGER NOT NULL,
  warm_start     INTEGER NOT NULL DEFAULT 0,
  stop_requested INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL
);
ALTER TABLE runs ADD COLUMN backtest_id INTEGER REFERENCES backtests(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN fold INTEGER;
CREATE UNIQUE INDEX runs_backtest_fold ON runs(backtest_id, fold) WHERE backtest_id IS NOT NULL;
