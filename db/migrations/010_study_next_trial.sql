-- Issue 12: the next trial number a study hands out, kept with the study. Trial numbers were the
-- first ones without a run, so deleting a trial's run while its study ran made the study create
-- that trial again. Now a number is used once: it grows in the transaction that inserts the
-- trial's run, and a deleted trial stays deleted (counted as removed).
ALTER TABLE studies ADD COLUMN next_trial INTEGER NOT NULL DEFAULT 0;
UPDATE studies SET next_trial = COALESCE((SELECT MAX(trial) + 1 FROM runs WHERE runs.study_id = studies.id), 0);
