-- The ETS baseline's test forecasts beside the naive and seasonal-naive ones (NULL for classifiers
-- and for runs evaluated before this version).
ALTER TABLE predictions ADD COLUMN ets BLOB;
