-- The series of every stored prediction window (JSON string[], one key per window) for datasets of
-- several series (long format); NULL for a single series and for runs evaluated before this
-- version. Windows of different series share time stamps, so time alone cannot pair the windows of
-- two runs: tune's paired test (core/study/paired.ts) matches them by series and time.
ALTER TABLE predictions ADD COLUMN series TEXT;
