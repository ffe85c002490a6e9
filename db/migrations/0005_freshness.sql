-- Freshness: a target whose last success is older than twice its interval raises `target_stale`.
ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check CHECK (type IN ('price_changed', 'launched', 'promotion_started',
  'promotion_ended', 'stock_out', 'back_in_stock', 'trend_emerging', 'sentiment_shift', 'target_failing',
  'target_stale'));
CREATE INDEX targets_freshness_idx ON targets (enabled, last_success_at);
