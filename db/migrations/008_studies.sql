-- Issue 12, studies: a hyperparameter search whose trials are ordinary runs (runs.study_id,
-- runs.trial). The study row holds what to search (base spec, space, strategy, budget, seeds,
-- objective, pruning) and its state. Like a trainer, the host driving a study records its pid,
-- the pid's start time and a heartbeat, so the next host to start can tell a study whose host
-- died (marked interrupted, resumable) from one another live process is driving.
CREATE TABLE studies (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid           TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  dataset_id     INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  base           TEXT NOT NULL,          -- json: the RunSpec (as written) every trial starts from
  space          TEXT NOT NULL,          -- json: RunSpec path → domain (list, {float}, {int})
  strategy       TEXT NOT NULL CHECK (strategy IN ('grid', 'random', 'tpe')),
  budget_trials  INTEGER,                -- configurations to try (× seeds = trials); NULL: time budget only
  budget_seconds REAL,                   -- wall-clock budget over every host session; NULL: none
  seeds          INTEGER NOT NULL DEFAULT 1,
  sampler_seed   INTEGER NOT NULL DEFAULT 0,
  objective      TEXT NOT NULL,          -- json: { metric, direction }
  prune          TEXT NOT NULL,          -- json: { kind: 'none' } | { kind: 'asha', minEpochs, reduction }
  concurrency    INTEGER NOT NULL,
  first_configs  TEXT NOT NULL DEFAULT '[]', -- json: configurations tried first, before the strategy's
  state          TEXT NOT NULL CHECK (state IN ('running', 'stopped', 'completed', 'interrupted')),
  error          TEXT,
  created_at     TEXT NOT NULL,
  ended_at       TEXT,
  elapsed_ms     REAL NOT NULL DEFAULT 0, -- running time summed over host sessions (the time budget)
  host_pid       INTEGER,                -- the host driving the study while running
  host_started   INTEGER,                -- that host's start time (/proc/<pid>/stat field 22), against pid reuse
  heartbeat      REAL                    -- unix ms of the driving host's last beat
);

ALTER TABLE runs ADD COLUMN study_id INTEGER REFERENCES studies(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN trial INTEGER;            -- 0-based trial number within its study
ALTER TABLE runs ADD COLUMN trial_params TEXT;        -- json: the sampled value per space path
ALTER TABLE runs ADD COLUMN config_hash TEXT;         -- same configuration (any seed) → same hash
ALTER TABLE runs ADD COLUMN rung INTEGER;             -- highest ASHA rung passed (0-based)
ALTER TABLE runs ADD COLUMN prune_requested INTEGER NOT NULL DEFAULT 0; -- the scheduler stopped it to prune it
-- One run per trial number: a host that dies between sampling and starting never makes a duplicate.
CREATE UNIQUE INDEX runs_study_trial ON runs(study_id, trial) WHERE study_id IS NOT NULL;
