-- The witness's state: the latest checkpoint it cosigned for each log it follows.
--
-- A row only ever moves forward: the witness advances it with a compare-and-swap on the stored
-- size and root, and the trigger below refuses any update that would roll a log back or
-- replace a checkpoint with another of the same size, whatever code runs the UPDATE.
CREATE TABLE latest_checkpoints (
    origin               TEXT    PRIMARY KEY,   -- the log's origin, the checkpoint's first line
    tree_size            INTEGER NOT NULL CHECK (tree_size >= 0),
    root_hash            TEXT    NOT NULL,      -- base64, as written in the checkpoint
    signed_checkpoint    TEXT    NOT NULL,      -- the signed checkpoint as the log sent it
    cosignature          TEXT    NOT NULL,      -- the witness's cosignature line on it
    cosigned_at_seconds  INTEGER NOT NULL CHECK (cosigned_at_seconds >= 0)
);

CREATE TRIGGER latest_checkpoints_forward_only BEFORE UPDATE ON latest_checkpoints
WHEN NEW.origin <> OLD.origin
  OR NEW.tree_size < OLD.tree_size
  OR (NEW.tree_size = OLD.tree_size AND NEW.root_hash <> OLD.root_hash)
BEGIN SELECT RAISE(ABORT, 'a witness never rolls a log back nor accepts a fork'); END;
