-- The witness's state: the latest checkpoint it cosigned for each log it follows.
--
-- A row only ever moves forward: the witness advances it with a compare-and-swap on the stored
-- size and root, and the trigger below refuses any update that would roll a log back or
-- replace a checkpoint with another of the same size, whatever code runs the UPDATE.
CREATE TABLE latest_checkpoints (
    origin               TEXT    PRIMARY KEY,   -- the log's origin, the checkpoint's first line
    tree_size            BIGINT  NOT NULL CHECK (tree_size >= 0),
    root_hash            TEXT    NOT NULL,      -- base64, as written in the checkpoint
    signed_checkpoint    TEXT    NOT NULL,      -- the signed checkpoint as the log sent it
    cosignature          TEXT    NOT NULL,      -- the witness's cosignature line on it
    cosigned_at_seconds  BIGINT  NOT NULL CHECK (cosigned_at_seconds >= 0)
);

CREATE FUNCTION latest_checkpoints_forward_only() RETURNS trigger AS $$
BEGIN
    IF NEW.origin <> OLD.origin
       OR NEW.tree_size < OLD.tree_size
       OR (NEW.tree_size = OLD.tree_size AND NEW.root_hash <> OLD.root_hash) THEN
        RAISE EXCEPTION 'a witness never rolls a log back nor accepts a fork';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER latest_checkpoints_forward_only BEFORE UPDATE ON latest_checkpoints
FOR EACH ROW EXECUTE FUNCTION latest_checkpoints_forward_only();
