-- Schema version 3: identifier columns compare byte by byte (collation "C"), as on SQLite.
--
-- The store loads holds as the range of stream names `hold-` <= stream < `hold.`, and pages cases
-- and agreements by id. Under a locale collation that ignores punctuation at the first level
-- (glibc's en_US.UTF-8, a common server default) `hold.` sorts before `hold-0…`, the range is
-- empty, and every hold would be silently missed. Byte order makes those queries mean the same
-- on every server, and the indexes that serve them are rebuilt in that order.
ALTER TABLE events ALTER COLUMN stream TYPE TEXT COLLATE "C";
ALTER TABLE cases ALTER COLUMN case_id TYPE TEXT COLLATE "C";
ALTER TABLE cases ALTER COLUMN agreement TYPE TEXT COLLATE "C";
ALTER TABLE holds ALTER COLUMN hold_id TYPE TEXT COLLATE "C";
ALTER TABLE agreements ALTER COLUMN agreement_id TYPE TEXT COLLATE "C";
ALTER TABLE agreement_counts ALTER COLUMN agreement_id TYPE TEXT COLLATE "C";
ALTER TABLE case_keys ALTER COLUMN case_id TYPE TEXT COLLATE "C";
