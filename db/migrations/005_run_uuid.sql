-- Issue 13, run bundles: a run keeps one identity across databases. A bundle carries each run's
-- uuid; importing a bundle whose run is already here (same uuid) updates it or skips it instead
-- of storing a duplicate. Existing runs get a random (version 4 layout) uuid; new runs get one in
-- db/runs.ts insertRun.
ALTER TABLE runs ADD COLUMN uuid TEXT;

UPDATE runs SET uuid = lower(
  hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
  substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))
) WHERE uuid IS NULL;

CREATE UNIQUE INDEX runs_uuid ON runs(uuid);
