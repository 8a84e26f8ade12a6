-- What the test evaluation found besides its numbers, for the run view, the CLI and compare:
-- how the season behind seasonal naive and MASE was chosen (one line, e.g. "monthly time column
-- ... → season 12, confirmed on the train split") and the run-log notes of the evaluation (the
-- ETS variant fitted per target). test_metrics holds numbers only, so these are columns.
ALTER TABLE runs ADD COLUMN season_how TEXT;
ALTER TABLE runs ADD COLUMN test_notes TEXT NOT NULL DEFAULT '[]';

-- Runs evaluated before this version: their best checkpoint recorded how the season was found
-- (json_valid: a damaged checkpoint must not stop the database from opening).
UPDATE runs SET season_how = (
  SELECT CASE WHEN json_valid(c.preprocessing) THEN json_extract(c.preprocessing, '$.seasonHow') END
  FROM checkpoints c WHERE c.run_id = runs.id AND c.kind = 'best'
) WHERE test_metrics LIKE '%"season_length"%';
