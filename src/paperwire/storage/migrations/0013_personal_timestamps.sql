-- The personal tables (0009) in the one stored timestamp format (see 0010_utc_timestamps.sql):
-- rows written before kept the text of datetime.isoformat(), without a fraction when it was
-- zero and with the offset the time came with, so that sorting them as text was not by time.

UPDATE follows
SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at)
    || CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE strftime('%s', created_at) IS NOT NULL
  AND (length(created_at) <> 32 OR substr(created_at, 27) <> '+00:00');

UPDATE mutes
SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at)
    || CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE strftime('%s', created_at) IS NOT NULL
  AND (length(created_at) <> 32 OR substr(created_at, 27) <> '+00:00');

UPDATE dismissals
SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at)
    || CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE strftime('%s', created_at) IS NOT NULL
  AND (length(created_at) <> 32 OR substr(created_at, 27) <> '+00:00');

UPDATE collections
SET created_at = strftime('%Y-%m-%dT%H:%M:%S', created_at)
    || CASE WHEN substr(created_at, 20, 1) = '.' THEN substr(created_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE strftime('%s', created_at) IS NOT NULL
  AND (length(created_at) <> 32 OR substr(created_at, 27) <> '+00:00');

UPDATE collection_items
SET added_at = strftime('%Y-%m-%dT%H:%M:%S', added_at)
    || CASE WHEN substr(added_at, 20, 1) = '.' THEN substr(added_at, 20, 7) ELSE '.000000' END
    || '+00:00'
WHERE strftime('%s', added_at) IS NOT NULL
  AND (length(added_at) <> 32 OR substr(added_at, 27) <> '+00:00');
