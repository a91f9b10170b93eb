-- The transparency log: one leaf per event, written in the event's transaction, and the stored
-- hashes of every perfect subtree so proofs and tiles never need a full recomputation.

CREATE TABLE log_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE log_leaves (
    leaf_index  BIGINT PRIMARY KEY,
    seq         BIGINT NOT NULL UNIQUE,
    entry       BYTEA  NOT NULL
);

CREATE TABLE log_nodes (
    level       INTEGER NOT NULL,
    node_index  BIGINT  NOT NULL,
    hash        BYTEA   NOT NULL,
    PRIMARY KEY (level, node_index)
);

CREATE TABLE log_checkpoints (
    tree_size  BIGINT PRIMARY KEY,
    root       BYTEA  NOT NULL,
    note       TEXT   NOT NULL,
    made_at    TEXT   NOT NULL
);

CREATE FUNCTION log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the log is append-only'; END; $$;
CREATE TRIGGER log_leaves_append_only BEFORE UPDATE OR DELETE ON log_leaves
FOR EACH ROW EXECUTE FUNCTION log_append_only();
CREATE TRIGGER log_nodes_append_only BEFORE UPDATE OR DELETE ON log_nodes
FOR EACH ROW EXECUTE FUNCTION log_append_only();
