-- Mentions are stored as fetched and analysed after (sentiment, entities, terms, near-copies, rollups) by the
-- analyze-mentions job: a source's run is only the store, and analysis scales out with workers.
--
-- Dedup keys become 16-byte uuids (md5) instead of text indexes: the same item from the same source, and the same
-- canonical URL from any source, are still stored once, and a key index insert no longer costs a text comparison
-- per tree level. source_key = md5(md5(source) || source_id): the inner digest has a fixed length, so no two
-- (source, source_id) pairs concatenate alike. db/mentions.ts computes the same keys in Node.
ALTER TABLE mentions ADD COLUMN source_key uuid, ADD COLUMN url_key uuid, ADD COLUMN analyzed_at timestamptz;
UPDATE mentions SET source_key = md5(md5(source) || source_id)::uuid, url_key = md5(canonical_url)::uuid,
  analyzed_at = fetched_at;
ALTER TABLE mentions ALTER COLUMN source_key SET NOT NULL;
ALTER TABLE mentions DROP CONSTRAINT mentions_source_source_id_key;
DROP INDEX mentions_canonical_url_key;
CREATE UNIQUE INDEX mentions_source_key ON mentions (source_key);
CREATE UNIQUE INDEX mentions_url_key ON mentions (url_key) WHERE url_key IS NOT NULL;

-- What the analyzer has still to do, oldest first; a row leaves it when analysed.
CREATE INDEX mentions_pending_idx ON mentions (id) WHERE analyzed_at IS NULL;

-- Near-copy candidates are analysed originals only: a mention just stored has no SimHash yet.
DROP INDEX mentions_original_sh0_idx, mentions_original_sh1_idx, mentions_original_sh2_idx, mentions_original_sh3_idx;
CREATE INDEX mentions_original_sh0_idx ON mentions (sh0, published_at) WHERE dup_of IS NULL AND simhash IS NOT NULL;
CREATE INDEX mentions_original_sh1_idx ON mentions (sh1, published_at) WHERE dup_of IS NULL AND simhash IS NOT NULL;
CREATE INDEX mentions_original_sh2_idx ON mentions (sh2, published_at) WHERE dup_of IS NULL AND simhash IS NOT NULL;
CREATE INDEX mentions_original_sh3_idx ON mentions (sh3, published_at) WHERE dup_of IS NULL AND simhash IS NOT NULL;
