-- Core schema of the host. Plugins own schemas of their own (plugin_<name>).

-- An admin's login. The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE admin_session (
    token_hash  text PRIMARY KEY,
    username    text NOT NULL,
    csrf        text NOT NULL,
    ip          text,
    user_agent  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    revoked_by  text
);
CREATE INDEX admin_session_active ON admin_session (last_seen) WHERE revoked_at IS NULL;

-- Every admin action, whoever and wherever it came from (page, API, CLI).
CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    action  text NOT NULL,
    target  text,
    detail  jsonb,
    node    text
);
CREATE INDEX audit_log_at ON audit_log (at);
