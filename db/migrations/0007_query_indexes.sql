-- Indexes so that the analyst's and the report's queries cost what their window holds, not all history.
CREATE INDEX entity_daily_aspect_day_idx ON entity_daily (aspect, day);
CREATE INDEX events_type_competitor_time_idx ON events (type, competitor_id, occurred_at DESC);
