-- Near-duplicate lookup: four 16-bit bands of the 64-bit SimHash. Two texts within Hamming distance 3 share at
-- least one band exactly (pigeonhole), so candidates come from four index lookups instead of a scan.
ALTER TABLE mentions ADD COLUMN sh0 integer GENERATED ALWAYS AS ((simhash & 65535)::integer) STORED;
ALTER TABLE mentions ADD COLUMN sh1 integer GENERATED ALWAYS AS (((simhash >> 16) & 65535)::integer) STORED;
ALTER TABLE mentions ADD COLUMN sh2 integer GENERATED ALWAYS AS (((simhash >> 32) & 65535)::integer) STORED;
ALTER TABLE mentions ADD COLUMN sh3 integer GENERATED ALWAYS AS (((simhash >> 48) & 65535)::integer) STORED;
CREATE INDEX mentions_sh0_idx ON mentions (sh0);
CREATE INDEX mentions_sh1_idx ON mentions (sh1);
CREATE INDEX mentions_sh2_idx ON mentions (sh2);
CREATE INDEX mentions_sh3_idx ON mentions (sh3);
CREATE INDEX mentions_dup_of_idx ON mentions (dup_of) WHERE dup_of IS NOT NULL;
