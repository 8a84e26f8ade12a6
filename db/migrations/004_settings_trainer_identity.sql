-- Issue 10, data safety 3 and 9.
--
-- A trainer is identified by more than its pid: `worker_started` is the process start time the
-- kernel reports (Linux: field 22 of /proc/<pid>/stat, clock ticks since boot). A pid that now
-- names another process (the trainer died, the pid was reused by a `sleep`) has another start
-- time, so `stop` never signals it. NULL where the platform has no /proc (the heartbeat decides).
ALTER TABLE runs ADD COLUMN worker_started INTEGER;

-- Why a queued run waits ("waiting: 1 of 1 trainer slots busy (run 7)"); NULL once it starts.
ALTER TABLE runs ADD COLUMN wait_reason TEXT;

-- Per-database settings the UI and the CLI share (max_trainers: concurrent trainers).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
