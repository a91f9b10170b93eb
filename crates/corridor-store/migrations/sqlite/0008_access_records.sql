-- Schema version 8: access records in a compact form (docs/log.md, "How access records are
-- stored").
--
-- An access record is still one event and one leaf of the public log, with the same leaf and the
-- same commitment to its JSON. It is stored here instead of in `events`: `record` is its compact
-- encoding (format 1, crates/corridor-store/src/access_codec.rs), every string in it the number
-- of its row in `access_names`. Its leaf entry is not stored (leaf `seq - 1` is derived from the
-- record when read); its leaf hash stays in `log_nodes` and is what every read checks the record
-- against. Access records written before this version stay in `events` and `log_leaves`: both
-- tables are append-only, and every reader reads both layouts.
CREATE TABLE access_records (
    seq     INTEGER PRIMARY KEY,   -- the event's global sequence number, shared with `events`
    record  BLOB    NOT NULL       -- the compact encoding
);

CREATE TABLE access_names (
    id    INTEGER PRIMARY KEY,     -- 1, 2, 3, ... numbered by the writer, under its lock
    name  TEXT    NOT NULL UNIQUE  -- a user, role, action, resource, agreement or policy id
);

CREATE TRIGGER access_records_no_update BEFORE UPDATE ON access_records
BEGIN SELECT RAISE(ABORT, 'access records are append-only'); END;
CREATE TRIGGER access_records_no_delete BEFORE DELETE ON access_records
BEGIN SELECT RAISE(ABORT, 'access records are append-only'); END;
CREATE TRIGGER access_names_no_update BEFORE UPDATE ON access_names
BEGIN SELECT RAISE(ABORT, 'access names are append-only'); END;
CREATE TRIGGER access_names_no_delete BEFORE DELETE ON access_names
BEGIN SELECT RAISE(ABORT, 'access names are append-only'); END;
