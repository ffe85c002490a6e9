-- Dead letters (RELIABILITY Q2). Forward-only: never edit once landed.
--
-- A job that failed for good — its attempts used up, an unrecoverable error (a payload that no longer validates),
-- or stalled past maxStalledCount (it blocked its worker's event loop longer than its lock, again and again) — is
-- copied here by the runner with what an operator needs to understand and replay it, and raises one
-- `job_dead_lettered` event, which the operator rule below turns into an alert.
CREATE TABLE dead_letters (
  id           bigserial PRIMARY KEY,
  queue        text NOT NULL,
  job_name     text NOT NULL,
  job_id       text NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'::jsonb,
  attempts     integer NOT NULL,
  stalls       integer NOT NULL DEFAULT 0,
  reason       text NOT NULL CHECK (reason IN ('attempts_exhausted', 'unrecoverable', 'stalled')),
  last_error   text NOT NULL,
  stack        text,
  enqueued_at  timestamptz NOT NULL,
  failed_at    timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  event_id     bigint REFERENCES events(id) ON DELETE SET NULL,
  -- Set when an operator re-enqueued it (POST /api/dead-letters/:id/retry).
  retried_at   timestamptz,
  -- One row per job instance, however many workers sweep the same failed job: a custom job id may be reused once
  -- the earlier job is gone, so the instance is (queue, id, when it was enqueued).
  UNIQUE (queue, job_id, enqueued_at)
);
CREATE INDEX dead_letters_failed_idx ON dead_letters (failed_at DESC, id DESC);
CREATE INDEX dead_letters_open_idx ON dead_letters (id DESC) WHERE retried_at IS NULL;

-- `job_dead_lettered` joins the event vocabulary. The CHECK is extended in place rather than re-listed, so event
-- types added by other migrations are kept whatever order they were written in.
DO $$
DECLARE
  def text;
BEGIN
  SELECT pg_get_constraintdef(oid) INTO def FROM pg_constraint
   WHERE conrelid = 'events'::regclass AND conname = 'events_type_check';
  IF def IS NOT NULL AND position('job_dead_lettered' IN def) = 0 THEN
    ALTER TABLE events DROP CONSTRAINT events_type_check;
    EXECUTE 'ALTER TABLE events ADD CONSTRAINT events_type_check '
      || replace(def, 'ARRAY[', 'ARRAY[''job_dead_lettered''::text, ');
  END IF;
END $$;

-- An installation that already has rules gets the operator rule now; a new one gets it with the default rules.
INSERT INTO alert_rules (name, event_type, params, scope, cooldown_seconds)
SELECT 'Job dead-lettered (failed for good or stalled)', 'job_dead_lettered', '{}'::jsonb, '{}'::jsonb, 3600
 WHERE EXISTS (SELECT 1 FROM alert_rules)
   AND NOT EXISTS (SELECT 1 FROM alert_rules WHERE event_type = 'job_dead_lettered');
