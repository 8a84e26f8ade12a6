-- Issue 12: tune's pick by a backtest before the test split (core/study/rerank.ts), kept with its
-- study so `study show`, the API and the Studies page show it beside the best trial by the
-- objective (validation). JSON: { trial, runId, by, candidates } (core/study-schemas.ts Selection);
-- NULL for every study tune did not re-rank.
ALTER TABLE studies ADD COLUMN selection TEXT;
