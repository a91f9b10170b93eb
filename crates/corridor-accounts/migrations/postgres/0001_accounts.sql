-- corridor's accounts: users, browser sessions and API tokens. They share the store's database
-- but are migrated by their own list, recorded in `_corridor_accounts_migrations`.

-- One row per user. A user holds exactly one role, bound to one party (`state:RWA`,
-- `court:ID`, `monitoring_body:ID`, `clients` or `none`). `password_phc` is an Argon2id PHC
-- string: the password itself is never stored.
CREATE TABLE accounts_users (
    name            TEXT    PRIMARY KEY,
    role            TEXT    NOT NULL,
    party           TEXT    NOT NULL,
    password_phc    TEXT    NOT NULL,
    disabled        BIGINT  NOT NULL DEFAULT 0,   -- 0 or 1
    created_at_ms   BIGINT  NOT NULL
);

-- Browser sessions. Only the SHA-256 of the session id is kept, so a copy of this table does not
-- let anyone act as a user. Times are milliseconds since the Unix epoch.
CREATE TABLE accounts_sessions (
    id_sha256       TEXT    PRIMARY KEY,
    user_name       TEXT    NOT NULL REFERENCES accounts_users (name) ON DELETE CASCADE,
    created_at_ms   BIGINT  NOT NULL,
    last_seen_at_ms BIGINT  NOT NULL
);
CREATE INDEX accounts_sessions_by_user ON accounts_sessions (user_name, created_at_ms);

-- API tokens for machines. The token text is shown once; only its SHA-256 is kept. `scopes` is
-- the space-separated, sorted list of action names the token may perform. `revoked_at_ms` is 0
-- while the token is live.
CREATE TABLE accounts_tokens (
    token_id        TEXT    PRIMARY KEY,
    secret_sha256   TEXT    NOT NULL UNIQUE,
    user_name       TEXT    NOT NULL REFERENCES accounts_users (name) ON DELETE CASCADE,
    scopes          TEXT    NOT NULL,
    created_at_ms   BIGINT  NOT NULL,
    expires_at_ms   BIGINT  NOT NULL,
    revoked_at_ms   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX accounts_tokens_by_user ON accounts_tokens (user_name);
