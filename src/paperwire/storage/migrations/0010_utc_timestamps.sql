-- One stored timestamp format: UTC, microseconds, fixed width ("2025-10-01T16:00:00.000000+00:00"),
-- so that sorting a column as text sorts it by time. Rows written before kept the offset they
-- came with (e.g. "-04:00"), or had no fraction: this rewrites them in the one format.
-- strftime converts a time with an offset to UTC; the fraction (if any) is kept as it was.
UPDATE daily_submissions
SET submitted_at = strftime('%Y-%m-%dT%H:%M:%S', submitted_at)
    || CASE WHEN substr(submitted_at, 20, 1) = '.' THEN substr(submitted_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE submitted_at IS NOT NULL AND strftime('%s', submitted_at) IS NOT NULL
  AND (length(submitted_at) <> 32 OR substr(submitted_at, 27) <> '+00:00');

UPDATE papers
SET published_at = strftime('%Y-%m-%dT%H:%M:%S', published_at)
    || CASE WHEN substr(published_at, 20, 1) = '.' THEN substr(published_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE published_at IS NOT NULL AND strftime('%s', published_at) IS NOT NULL
  AND (length(published_at) <> 32 OR substr(published_at, 27) <> '+00:00');

UPDATE papers
SET updated_at = strftime('%Y-%m-%dT%H:%M:%S', updated_at)
    || CASE WHEN substr(updated_at, 20, 1) = '.' THEN substr(updated_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE updated_at IS NOT NULL AND strftime('%s', updated_at) IS NOT NULL
  AND (length(updated_at) <> 32 OR substr(updated_at, 27) <> '+00:00');

UPDATE papers
SET withdrawn_at = strftime('%Y-%m-%dT%H:%M:%S', withdrawn_at)
    || CASE WHEN substr(withdrawn_at, 20, 1) = '.' THEN substr(withdrawn_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE withdrawn_at IS NOT NULL AND strftime('%s', withdrawn_at) IS NOT NULL
  AND (length(withdrawn_at) <> 32 OR substr(withdrawn_at, 27) <> '+00:00');
