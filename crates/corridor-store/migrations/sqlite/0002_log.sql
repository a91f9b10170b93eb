-- The transparency log: one leaf per event, written in the event's transaction, and the stored
-- hashes of every perfect subtree so proofs and tiles never need a full recomputation.

CREATE TABLE log_meta (
    key    TEXT PRIMARY KEY,      -- `origin`, `salt_key`
    value  TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE log_leaves (
    leaf_index  INTEGER PRIMARY KEY,      -- 0, 1, 2, ... with no gaps
    seq         INTEGER NOT NULL UNIQUE,  -- the event this leaf records
    entry       BLOB    NOT NULL          -- the public leaf: kind, agreement, day, commitment
);

CREATE TABLE log_nodes (
    level       INTEGER NOT NULL,         -- 0 for leaf hashes
    node_index  INTEGER NOT NULL,
    hash        BLOB    NOT NULL,
    PRIMARY KEY (level, node_index)
) WITHOUT ROWID;

CREATE TABLE log_checkpoints (
    tree_size  INTEGER PRIMARY KEY,
    root       BLOB    NOT NULL,
    note       TEXT    NOT NULL,          -- the signed checkpoint, with any cosignatures
    made_at    TEXT    NOT NULL
);

CREATE TRIGGER log_leaves_no_update BEFORE UPDATE ON log_leaves
BEGIN SELECT RAISE(ABORT, 'log leaves are append-only'); END;
CREATE TRIGGER log_leaves_no_delete BEFORE DELETE ON log_leaves
BEGIN SELECT RAISE(ABORT, 'log leaves are append-only'); END;
CREATE TRIGGER log_nodes_no_update BEFORE UPDATE ON log_nodes
BEGIN SELECT RAISE(ABORT, 'log nodes are append-only'); END;
CREATE TRIGGER log_nodes_no_delete BEFORE DELETE ON log_nodes
BEGIN SELECT RAISE(ABORT, 'log nodes are append-only'); END;
