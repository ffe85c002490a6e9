-- Mention ingest at bulk speed (issue 4). Forward-only: never edit once landed.
--
-- 1. Term rollups become one row per (term, day). The hourly counts move from term_hourly (a row per term and
--    hour) into term_daily.hourly (24 counts, UTC hours), and the distinct authors from term_authors (a row per
--    term, day and author) into term_daily.author_sketch: the distinct 32-bit author hashes, exact below 256 of
--    them, and above that the 256 smallest (a k-minimum-values sketch, ~6 % relative error). Merging two
--    sketches is a set union, so adding an author twice changes nothing. `authors` is derived from the sketch.
--    An ingest batch then writes ~4 rollup rows per mention instead of ~24.
-- 2. Near-duplicate lookup only ever looks for originals (dup_of IS NULL) near a mention's publication time, so
--    the band indexes hold originals only, with the time: candidates no longer grow with reposts or history.

-- The author hash, identical to `authorHash` in db/mentions.ts: the first 32 bits of md5(author), signed.
CREATE FUNCTION mr_author_hash(author text) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT ('x' || left(md5(author), 8))::bit(32)::integer $$;

-- Distinct count of a sketch: exact below 256 hashes; above, (k - 1) / (k-th smallest hash as a fraction of 2^32).
-- Not STRICT, so that the planner inlines it (a STRICT SQL function with a non-strict body is called instead,
-- which tripled the cost of the generated column).
CREATE FUNCTION mr_sketch_count(sketch integer[]) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN cardinality(sketch) < 256 THEN cardinality(sketch)
                    ELSE round(255 * 4294967296.0 / (sketch[256]::bigint + 2147483649))::integer END $$;

-- Union of two sketches. A sketch with 256 hashes is sorted (the 256 smallest); a shorter one is in any order.
CREATE FUNCTION mr_sketch_union(a integer[], b integer[]) RETURNS integer[]
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
DECLARE
  out integer[] := a;
  x integer;
BEGIN
  IF a @> b THEN
    RETURN a;
  END IF;
  FOREACH x IN ARRAY b LOOP
    IF cardinality(a) >= 256 AND x > a[256] THEN
      CONTINUE; -- a holds the 256 smallest, sorted: x cannot be among them
    END IF;
    IF x <> ALL (out) THEN
      out := out || x;
    END IF;
  END LOOP;
  IF cardinality(out) >= 256 THEN
    out := ARRAY(SELECT h FROM unnest(out) h ORDER BY h LIMIT 256);
  END IF;
  RETURN out;
END $$;

-- Element-wise sum of two 24-hour count arrays (not STRICT: inlined by the planner).
CREATE FUNCTION mr_add_hours(a integer[], b integer[]) RETURNS integer[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ARRAY[a[1] + b[1], a[2] + b[2], a[3] + b[3], a[4] + b[4], a[5] + b[5], a[6] + b[6], a[7] + b[7],
    a[8] + b[8], a[9] + b[9], a[10] + b[10], a[11] + b[11], a[12] + b[12], a[13] + b[13], a[14] + b[14],
    a[15] + b[15], a[16] + b[16], a[17] + b[17], a[18] + b[18], a[19] + b[19], a[20] + b[20], a[21] + b[21],
    a[22] + b[22], a[23] + b[23], a[24] + b[24]] $$;

-- Room on each page for updated row versions (HOT updates: no index writes when a rollup row is bumped).
ALTER TABLE term_daily SET (fillfactor = 75);
ALTER TABLE mention_daily SET (fillfactor = 50);
ALTER TABLE entity_daily SET (fillfactor = 75);

ALTER TABLE term_daily
  ADD COLUMN hourly integer[] NOT NULL DEFAULT array_fill(0, ARRAY[24]),
  ADD COLUMN author_sketch integer[] NOT NULL DEFAULT '{}';

UPDATE term_daily d SET hourly = h.hourly
FROM (
  SELECT k.term, k.day, array_agg(coalesce(t.mentions, 0) ORDER BY g.h) AS hourly
  FROM (SELECT DISTINCT term, (hour AT TIME ZONE 'UTC')::date AS day FROM term_hourly) k
  CROSS JOIN generate_series(0, 23) g(h)
  LEFT JOIN term_hourly t ON t.term = k.term AND t.hour = (k.day + make_interval(hours => g.h)) AT TIME ZONE 'UTC'
  GROUP BY k.term, k.day
) h
WHERE d.term = h.term AND d.day = h.day;

UPDATE term_daily d SET author_sketch = s.sketch
FROM (
  SELECT term, day, (array_agg(DISTINCT mr_author_hash(author) ORDER BY mr_author_hash(author)))[1:256] AS sketch
  FROM term_authors GROUP BY term, day
) s
WHERE d.term = s.term AND d.day = s.day;

ALTER TABLE term_daily DROP COLUMN authors;
ALTER TABLE term_daily ADD COLUMN authors integer GENERATED ALWAYS AS (mr_sketch_count(author_sketch)) STORED;

DROP TABLE term_hourly;
DROP TABLE term_authors;

DROP INDEX mentions_sh0_idx, mentions_sh1_idx, mentions_sh2_idx, mentions_sh3_idx;
CREATE INDEX mentions_original_sh0_idx ON mentions (sh0, published_at) WHERE dup_of IS NULL;
CREATE INDEX mentions_original_sh1_idx ON mentions (sh1, published_at) WHERE dup_of IS NULL;
CREATE INDEX mentions_original_sh2_idx ON mentions (sh2, published_at) WHERE dup_of IS NULL;
CREATE INDEX mentions_original_sh3_idx ON mentions (sh3, published_at) WHERE dup_of IS NULL;
