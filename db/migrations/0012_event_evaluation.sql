-- Alert evaluation as an outbox: an event is stored unevaluated (evaluated_at NULL) in the same transaction as the
-- rows it comes from, and evaluate-alerts marks it once its alerts and messages are stored. A request to evaluate
-- lost between the commit and the enqueue (a crash, Redis failing) leaves the event unevaluated, and the periodic
-- sweep (check-freshness) queues it again: no alert is lost silently.
--
-- Events stored before this migration count as evaluated, as of the migration. A non-volatile default makes the
-- column's addition a catalogue change (no table rewrite on a large events table); dropping it right after makes
-- every event stored from now on start unevaluated.
ALTER TABLE events ADD COLUMN evaluated_at timestamptz DEFAULT now();
ALTER TABLE events ALTER COLUMN evaluated_at DROP DEFAULT;

-- What the sweep looks at, oldest first; an event leaves it once evaluated, so the index stays the size of the
-- evaluations in flight.
CREATE INDEX events_unevaluated_idx ON events (id) WHERE evaluated_at IS NULL;
