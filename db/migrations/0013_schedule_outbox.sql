-- Target schedules as an outbox: a target is stored with schedule_synced_at NULL (and a change to it sets NULL
-- again), and whoever writes its schedule to the job queue marks it afterwards. A schedule lost between the
-- commit and the queue write (a crash, the database going down as it answered, Redis failing) leaves the target
-- unsynced, and the periodic sweep (check-freshness) writes its schedule: no accepted target goes uncrawled.
--
-- Targets stored before this migration count as synced (every worker rebuilds all schedules when it starts). A
-- non-volatile default makes the addition a catalogue change; dropping it makes every new target start unsynced.
ALTER TABLE targets ADD COLUMN schedule_synced_at timestamptz DEFAULT now();
ALTER TABLE targets ALTER COLUMN schedule_synced_at DROP DEFAULT;

-- What the sweep looks at; a target leaves it once its schedule is written.
CREATE INDEX targets_schedule_pending_idx ON targets (id) WHERE schedule_synced_at IS NULL;
