-- Market Radar schema, version 1. Forward-only: never edit once landed; add 0002_... instead.

CREATE TABLE competitors (
  id          bigserial PRIMARY KEY,
  key         text NOT NULL UNIQUE,
  name        text NOT NULL,
  brand       text,
  homepage    text,
  currency    text,
  locale      text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- What we crawl. kind decides the crawler; options hold per-target hints (selectors, needs_js, currency, locale, query).
CREATE TABLE targets (
  id                    bigserial PRIMARY KEY,
  competitor_id         bigint REFERENCES competitors(id) ON DELETE SET NULL,
  kind                  text NOT NULL CHECK (kind IN ('product', 'catalog', 'sitemap', 'feed', 'social', 'page')),
  url                   text NOT NULL,
  label                 text,
  options               jsonb NOT NULL DEFAULT '{}'::jsonb,
  interval_seconds      integer NOT NULL DEFAULT 3600 CHECK (interval_seconds >= 1),
  enabled               boolean NOT NULL DEFAULT true,
  discovered_from       bigint REFERENCES targets(id) ON DELETE SET NULL,
  last_run_at           timestamptz,
  last_success_at       timestamptz,
  last_outcome          text,
  consecutive_failures  integer NOT NULL DEFAULT 0,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, url)
);
CREATE INDEX targets_competitor_idx ON targets (competitor_id);

CREATE TABLE products (
  id             bigserial PRIMARY KEY,
  competitor_id  bigint REFERENCES competitors(id) ON DELETE CASCADE,
  url            text NOT NULL UNIQUE,
  name           text,
  sku            text,
  brand          text,
  category       text,
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  -- true when found after the competitor's catalog baseline: its first price is a launch.
  is_launch      boolean NOT NULL DEFAULT false
);
CREATE INDEX products_competitor_idx ON products (competitor_id);
CREATE INDEX products_category_idx ON products (category);

-- One row per (target, schedule window): a re-delivered job finds its run and never doubles the work.
CREATE TABLE crawl_runs (
  id            bigserial PRIMARY KEY,
  target_id     bigint NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  window_start  timestamptz NOT NULL,
  job_id        text,
  -- which worker process ran the last attempt (host:pid)
  worker        text,
  attempts      integer NOT NULL DEFAULT 1,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  outcome       text CHECK (outcome IN ('ok', 'unchanged', 'blocked', 'robots_disallowed', 'failed', 'timeout', 'too_large')),
  reason        text,
  http_status   integer,
  url           text,
  items         integer NOT NULL DEFAULT 0,
  UNIQUE (target_id, window_start)
);
CREATE INDEX crawl_runs_target_time_idx ON crawl_runs (target_id, started_at DESC);

-- The price time series. One observation per product per crawl run.
CREATE TABLE price_observations (
  id             bigserial PRIMARY KEY,
  product_id     bigint NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  crawl_run_id   bigint NOT NULL REFERENCES crawl_runs(id) ON DELETE CASCADE,
  observed_at    timestamptz NOT NULL,
  price          numeric(18, 4),
  list_price     numeric(18, 4),
  currency       text,
  currency_raw   text,
  availability   text,
  source         text,
  confidence     real,
  evidence       text,
  reason         text,
  promotions     jsonb NOT NULL DEFAULT '[]'::jsonb,
  url            text NOT NULL,
  UNIQUE (product_id, crawl_run_id)
);
CREATE INDEX price_observations_product_time_idx ON price_observations (product_id, observed_at DESC);

-- Typed events. dedup_key makes every derivation idempotent.
CREATE TABLE events (
  id             bigserial PRIMARY KEY,
  type           text NOT NULL CHECK (type IN ('price_changed', 'launched', 'promotion_started', 'promotion_ended',
                   'stock_out', 'back_in_stock', 'trend_emerging', 'sentiment_shift', 'target_failing')),
  dedup_key      text NOT NULL UNIQUE,
  occurred_at    timestamptz NOT NULL,
  competitor_id  bigint REFERENCES competitors(id) ON DELETE CASCADE,
  product_id     bigint REFERENCES products(id) ON DELETE CASCADE,
  target_id      bigint REFERENCES targets(id) ON DELETE SET NULL,
  observation_id bigint REFERENCES price_observations(id) ON DELETE SET NULL,
  subject        text NOT NULL,
  payload        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_type_time_idx ON events (type, occurred_at DESC);
CREATE INDEX events_product_idx ON events (product_id, occurred_at DESC);

CREATE TABLE channels (
  id          bigserial PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('slack', 'webhook', 'log')),
  name        text NOT NULL,
  config      jsonb NOT NULL DEFAULT '{}'::jsonb,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'failing')),
  last_error  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE alert_rules (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL,
  event_type   text NOT NULL,
  params       jsonb NOT NULL DEFAULT '{}'::jsonb,
  scope        jsonb NOT NULL DEFAULT '{}'::jsonb,
  channel_ids  bigint[] NOT NULL DEFAULT '{}',
  mode         text NOT NULL DEFAULT 'immediate' CHECK (mode IN ('immediate', 'digest')),
  digest       jsonb,
  cooldown_seconds integer NOT NULL DEFAULT 86400,
  enabled      boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);

-- One alert per (rule, subject, window): retries and re-deliveries never double an alert.
CREATE TABLE alerts (
  id            bigserial PRIMARY KEY,
  rule_id       bigint NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
  event_id      bigint NOT NULL REFERENCES events(id) ON DELETE CASCADE,
  subject       text NOT NULL,
  window_start  timestamptz NOT NULL,
  title         text NOT NULL,
  body          text NOT NULL,
  severity      text NOT NULL DEFAULT 'info',
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at    timestamptz NOT NULL DEFAULT now(),
  acked_at      timestamptz,
  UNIQUE (rule_id, subject, window_start)
);
CREATE INDEX alerts_created_idx ON alerts (created_at DESC);

CREATE TABLE deliveries (
  id           bigserial PRIMARY KEY,
  alert_id     bigint REFERENCES alerts(id) ON DELETE CASCADE,
  channel_id   bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  message_id   text NOT NULL,
  attempt      integer NOT NULL,
  status       text NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'dead')),
  http_status  integer,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  UNIQUE (message_id, attempt)
);
CREATE INDEX deliveries_alert_idx ON deliveries (alert_id);

-- What people say: one row per item, however many sources carried it.
CREATE TABLE mentions (
  id               bigserial PRIMARY KEY,
  source           text NOT NULL,
  source_id        text NOT NULL,
  target_id        bigint REFERENCES targets(id) ON DELETE SET NULL,
  url              text,
  canonical_url    text,
  author           text,
  title            text,
  body             text NOT NULL DEFAULT '',
  lang             text,
  published_at     timestamptz NOT NULL,
  fetched_at       timestamptz NOT NULL DEFAULT now(),
  entities         jsonb NOT NULL DEFAULT '[]'::jsonb,
  sentiment        real,
  sentiment_label  text,
  aspects          jsonb NOT NULL DEFAULT '[]'::jsonb,
  simhash          bigint,
  dup_of           bigint REFERENCES mentions(id) ON DELETE SET NULL,
  UNIQUE (source, source_id)
);
CREATE UNIQUE INDEX mentions_canonical_url_key ON mentions (canonical_url) WHERE canonical_url IS NOT NULL;
CREATE INDEX mentions_published_idx ON mentions (published_at DESC);

-- Dated FX rates: a converted figure stores the date of the rate it used.
CREATE TABLE fx_rates (
  day    date NOT NULL,
  base   text NOT NULL,
  quote  text NOT NULL,
  rate   numeric(20, 10) NOT NULL CHECK (rate > 0),
  PRIMARY KEY (day, base, quote)
);
