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
    seq     BIGINT PRIMARY KEY,    -- the event's global sequence number, shared with `events`
    record  BYTEA  NOT NULL        -- the compact encoding
);

CREATE TABLE access_names (
    id    BIGINT PRIMARY KEY,      -- 1, 2, 3, ... numbered by the writer, under its lock
    name  TEXT   NOT NULL UNIQUE   -- a user, role, action, resource, agreement or policy id
);

CREATE FUNCTION access_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'access records are append-only'; END; $$;
CREATE TRIGGER access_records_no_change BEFORE UPDATE OR DELETE ON access_records
FOR EACH ROW EXECUTE FUNCTION access_append_only();
CREATE TRIGGER access_names_no_change BEFORE UPDATE OR DELETE ON access_names
FOR EACH ROW EXECUTE FUNCTION access_append_only();
