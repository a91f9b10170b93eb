-- Schema version 6: published statistics releases (docs/statistics.md).
--
-- A release is computed from the events below a log checkpoint and published once: its files
-- and the signed note over their hashes are kept exactly as published, so that anyone can be
-- given the same bytes again and a later release can be protected against differencing with
-- the earlier ones. A correction is a new release naming the one it corrects; nothing is ever
-- updated or deleted (trigger below), as for events.
CREATE TABLE statistics_releases (
    release_id       TEXT COLLATE "C" PRIMARY KEY,
    period           TEXT    NOT NULL,        -- the period's label: `2026-11`, `2026-Q4`, ...
    corrects         TEXT,                    -- the release this one corrects, if any
    checkpoint_size  BIGINT  NOT NULL,        -- the log size its counts were computed at
    published_at     TEXT    NOT NULL,        -- RFC 3339, UTC
    note             TEXT    NOT NULL         -- the signed note over its files' hashes
);

CREATE TABLE statistics_files (
    release_id  TEXT COLLATE "C" NOT NULL REFERENCES statistics_releases (release_id),
    file_name   TEXT COLLATE "C" NOT NULL,
    bytes       BYTEA NOT NULL,
    PRIMARY KEY (release_id, file_name)
);

CREATE FUNCTION statistics_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'statistics releases are append-only'; END; $$;
CREATE TRIGGER statistics_releases_no_change BEFORE UPDATE OR DELETE ON statistics_releases
FOR EACH ROW EXECUTE FUNCTION statistics_append_only();
CREATE TRIGGER statistics_files_no_change BEFORE UPDATE OR DELETE ON statistics_files
FOR EACH ROW EXECUTE FUNCTION statistics_append_only();
