-- corridor's first schema: the append-only event log and the projections folded from it.

-- Every event, in one global order. Rows are only ever inserted: no UPDATE or DELETE touches
-- this table (triggers below refuse them), so history cannot be rewritten through SQL by mistake.
CREATE TABLE events (
    seq          BIGINT PRIMARY KEY,      -- global sequence, 1, 2, 3, ... with no gaps
    stream       TEXT    NOT NULL,        -- `case-…`, `hold-…` or `agreement:…`
    version      BIGINT  NOT NULL,        -- per-stream version, 1, 2, 3, ...
    kind         TEXT    NOT NULL,        -- the event's `type`
    occurred_at  TEXT    NOT NULL,        -- when it happened (RFC 3339, UTC)
    recorded_at  TEXT    NOT NULL,        -- when it was appended
    schema       BIGINT  NOT NULL,        -- event schema version
    body         TEXT    NOT NULL,        -- the event as JSON
    body_sha256  TEXT    NOT NULL,        -- checked on every read
    UNIQUE (stream, version)
);
-- UNIQUE (stream, version) above is also the index that loads a stream in order.

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'events are append-only'; END; $$;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION events_append_only();

-- Per-case data keys, wrapped by the master key. Deleting a row is erasure.
CREATE TABLE case_keys (
    case_id      TEXT PRIMARY KEY,
    wrapped_key  BYTEA NOT NULL
);

-- Projections: rebuilt from the events by `corridor check` and compared.
CREATE TABLE cases (
    case_id            TEXT PRIMARY KEY,
    agreement          TEXT    NOT NULL,
    terms_version      BIGINT  NOT NULL,
    status             TEXT    NOT NULL,
    version            BIGINT  NOT NULL,
    nationality        TEXT    NOT NULL,
    legal_basis        TEXT    NOT NULL,
    designation        TEXT,
    detention_place    TEXT,
    removal_ordered_on TEXT    NOT NULL,
    proposed_at        TEXT    NOT NULL,
    counsel            TEXT,
    next_deadline_ms   BIGINT
);
-- The hold index over cases: a class order finds its members through these.
CREATE INDEX cases_by_status_nationality ON cases (status, nationality);
CREATE INDEX cases_by_status_legal_basis ON cases (status, legal_basis);
CREATE INDEX cases_by_status_agreement ON cases (status, agreement);
CREATE INDEX cases_by_deadline ON cases (next_deadline_ms) WHERE next_deadline_ms IS NOT NULL;

CREATE TABLE holds (
    hold_id     TEXT PRIMARY KEY,
    court       TEXT    NOT NULL,
    reference   TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    scope       TEXT    NOT NULL,         -- JSON, as in the events
    depends_on  TEXT,
    version     BIGINT  NOT NULL
);

CREATE TABLE agreements (
    agreement_id   TEXT PRIMARY KEY,
    terms_version  BIGINT  NOT NULL,
    version        BIGINT  NOT NULL,
    sending        TEXT    NOT NULL,
    receiving      TEXT    NOT NULL,
    title          TEXT    NOT NULL
);

CREATE TABLE agreement_counts (
    agreement_id  TEXT PRIMARY KEY,
    transferred   BIGINT  NOT NULL,
    present       BIGINT  NOT NULL,
    scheduled     BIGINT  NOT NULL
);
