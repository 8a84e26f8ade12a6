-- Issue 11: a run whose forecast is the mean of several networks (`normalize: ensemble`). The run's
-- own checkpoints hold the first network, trained and recorded epoch by epoch as always; each
-- further member is trained once before the run's first epoch and stored here whole (its best
-- weights and the preprocessing they need, shrinkage included), so resume, evaluation, predict and
-- both exports load it without training it again. It goes with its run.
CREATE TABLE run_members (
  run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  member        INTEGER NOT NULL,          -- 1, 2, ...: the run's own network is member 0
  normalize     TEXT NOT NULL,             -- the member's target normalisation (window, season)
  epoch         INTEGER NOT NULL,          -- the member's best epoch
  val_loss      REAL,
  val_mae       REAL,
  weight_specs  TEXT NOT NULL,             -- as checkpoints.weight_specs
  weights       BLOB NOT NULL,
  preprocessing TEXT NOT NULL,             -- as checkpoints.preprocessing
  weight        REAL,                      -- its share of the forecast, set by the run's test evaluation
                                           -- (the run's own network has 1 - the members' sum); NULL: equal shares
  created_at    TEXT NOT NULL,
  PRIMARY KEY (run_id, member)
);
