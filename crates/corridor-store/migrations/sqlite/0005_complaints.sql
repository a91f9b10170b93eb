-- Schema version 5: confidential complaints to the monitoring body (docs/monitoring.md).
--
-- A complaint's events are in the `events` table, in its own stream (`complaint-…`), never
-- in a case's. These tables are what only the complaint door reads: its key (deleting the row
-- is erasure, as for a case) and a projection that finds a complaint by its receipt's keyed
-- hash or lists an agreement's complaints for its monitoring body. No government code path
-- reads either table (docs/monitoring.md, "Timing").
CREATE TABLE complaint_keys (
    complaint_id  TEXT PRIMARY KEY,
    wrapped_key   BLOB NOT NULL
);

-- Projection: rebuilt from the events by `corridor check` and compared.
CREATE TABLE complaints (
    complaint_id  TEXT PRIMARY KEY,
    agreement     TEXT    NOT NULL,
    receipt       TEXT    NOT NULL UNIQUE,  -- keyed hash (hex) of the receipt code
    status        TEXT    NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX complaints_by_agreement ON complaints (agreement);

-- The monitoring body's records get a neutral public leaf from here on (docs/log.md, "The
-- monitoring body's records"). Leaves already written are never rewritten, so `check` and
-- `log verify --against-db` rebuild each leaf by the rule in force when it was written: a
-- database that already holds events records the first sequence number written under the new
-- rule; one that holds none (a new database, or the target of a copy, which brings the source's
-- value) records nothing, and the rule holds from its first event.
INSERT INTO log_meta (key, value)
SELECT 'monitoring_leaves_from', CAST(MAX(seq) + 1 AS TEXT) FROM events HAVING COUNT(*) > 0;
