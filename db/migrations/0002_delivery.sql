-- Alert delivery, version 2. Forward-only: never edit once landed.
--
-- A message is one thing to send to one channel (an alert, a digest, a test), rendered once so every retry
-- sends the same body under the same message id. `deliveries` (from 0001) holds one row per attempt, inserted
-- as `sending` and committed before the request leaves, updated after it: a crash in between is visible and the
-- message is retried with the same id.

ALTER TABLE channels
  ADD COLUMN updated_at    timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN last_error_at timestamptz,
  -- One sender per channel at a time, across processes: rate limits and Retry-After hold with many workers.
  ADD COLUMN lease_owner   text,
  ADD COLUMN lease_until   timestamptz,
  -- No request goes to this channel before this instant (rate limit, Retry-After).
  ADD COLUMN next_send_at  timestamptz;

CREATE TABLE delivery_messages (
  id               bigserial PRIMARY KEY,
  message_id       text NOT NULL UNIQUE,
  channel_id       bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  kind             text NOT NULL CHECK (kind IN ('alert', 'digest', 'test')),
  alert_id         bigint REFERENCES alerts(id) ON DELETE CASCADE,
  body             jsonb NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  -- One message per alert per channel, whatever the re-deliveries of the evaluating job.
  UNIQUE (alert_id, channel_id)
);
CREATE INDEX delivery_messages_due_idx ON delivery_messages (channel_id, next_attempt_at, id)
  WHERE status IN ('pending', 'sending');

-- Which digest carried an alert to a channel: an alert is in at most one digest per channel.
CREATE TABLE digest_items (
  channel_id  bigint NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  alert_id    bigint NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  message_id  text NOT NULL REFERENCES delivery_messages(message_id) ON DELETE CASCADE,
  PRIMARY KEY (channel_id, alert_id)
);

ALTER TABLE deliveries ADD COLUMN duration_ms integer;
CREATE INDEX deliveries_channel_idx ON deliveries (channel_id, id DESC);
CREATE INDEX deliveries_message_idx ON deliveries (message_id, attempt);

-- The cool-down looks up the latest alert of a rule for a subject.
CREATE INDEX alerts_rule_subject_idx ON alerts (rule_id, subject, window_start DESC);
