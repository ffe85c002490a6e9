-- Mentions, entities, and the rollups sentiment and trend analysis read (kept up to date at ingest).

CREATE TABLE entities (
  key         text PRIMARY KEY,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('brand', 'competitor', 'product')),
  aliases     text[] NOT NULL DEFAULT '{}',
  exclude     text[] NOT NULL DEFAULT '{}',
  required    text[] NOT NULL DEFAULT '{}',
  any_terms   text[] NOT NULL DEFAULT '{}',
  languages   text[] NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Which entities a mention is about, ordered for "mentions of X in a time range" by index range.
CREATE TABLE mention_entities (
  entity_key    text NOT NULL,
  published_at  timestamptz NOT NULL,
  mention_id    bigint NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
  sentiment     real,
  PRIMARY KEY (entity_key, published_at, mention_id)
);
CREATE INDEX mention_entities_mention_idx ON mention_entities (mention_id);

-- Per entity, per day, per aspect ('' = the whole mention): volume and sentiment sums.
CREATE TABLE entity_daily (
  entity_key     text NOT NULL,
  aspect         text NOT NULL DEFAULT '',
  day            date NOT NULL,
  mentions       integer NOT NULL DEFAULT 0,
  sentiment_sum  double precision NOT NULL DEFAULT 0,
  sentiment_n    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (entity_key, aspect, day)
);

CREATE TABLE mention_daily (
  day       date PRIMARY KEY,
  mentions  integer NOT NULL DEFAULT 0
);

-- Candidate terms per day: mentions, distinct authors (via term_authors), sentiment sums.
CREATE TABLE term_daily (
  term           text NOT NULL,
  day            date NOT NULL,
  display        text NOT NULL,
  mentions       integer NOT NULL DEFAULT 0,
  authors        integer NOT NULL DEFAULT 0,
  sentiment_sum  double precision NOT NULL DEFAULT 0,
  sentiment_n    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (term, day)
);
CREATE INDEX term_daily_day_idx ON term_daily (day);

CREATE TABLE term_hourly (
  term      text NOT NULL,
  hour      timestamptz NOT NULL,
  mentions  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (term, hour)
);

-- Distinct (term, day, author): an insert that conflicts is an author already counted that day.
CREATE TABLE term_authors (
  term    text NOT NULL,
  day     date NOT NULL,
  author  text NOT NULL,
  PRIMARY KEY (term, day, author)
);

-- Emerging trends, one row per term (reported once, at first detection), with their evidence.
CREATE TABLE trends (
  term               text PRIMARY KEY,
  display            text NOT NULL,
  detected_at        date NOT NULL,
  first_seen         date NOT NULL,
  score              double precision NOT NULL,
  growth             double precision NOT NULL,
  count              integer NOT NULL,
  baseline           double precision NOT NULL,
  window_days        integer NOT NULL,
  distinct_authors   integer NOT NULL,
  distinct_sources   integer NOT NULL,
  sentiment          double precision,
  sample_mention_ids bigint[] NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trends_detected_idx ON trends (detected_at DESC, score DESC);

-- Source coverage (feeds, social): where a source is, so "Reddit: failing since …" is visible.
ALTER TABLE targets ADD COLUMN state jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE targets ADD COLUMN items_fetched bigint NOT NULL DEFAULT 0;
ALTER TABLE targets ADD COLUMN last_error text;
ALTER TABLE targets ADD COLUMN last_error_at timestamptz;
ALTER TABLE targets ADD COLUMN failing_since timestamptz;
