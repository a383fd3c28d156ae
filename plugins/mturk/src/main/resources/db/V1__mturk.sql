-- Runs in the plugin's own schema (plugin_mturk). HITs and qualification types are stored when created, so the
-- plugin never has to list a whole account to find its own.
CREATE TABLE hit (
    hit_id                      text        PRIMARY KEY,
    session_id                  text        NOT NULL,
    title                       text        NOT NULL,
    description                 text        NOT NULL,
    reward_cents                bigint      NOT NULL CHECK (reward_cents >= 0),
    max_assignments             integer     NOT NULL CHECK (max_assignments > 0),
    assignment_duration_seconds bigint      NOT NULL,
    mode                        text        NOT NULL CHECK (mode IN ('SANDBOX', 'LIVE')),
    allow_repeats               boolean     NOT NULL,
    token                       text        NOT NULL UNIQUE,
    expires                     timestamptz NOT NULL,
    created                     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hit_session ON hit (session_id);

-- Extending a HIT's expiry with a token sets the same absolute time on a repeat, so a repeat extends once.
CREATE TABLE hit_extension (
    token     text        PRIMARY KEY,
    hit_id    text        NOT NULL REFERENCES hit (hit_id),
    expire_at timestamptz NOT NULL
);

CREATE TABLE qualification_type (
    type_id     text        PRIMARY KEY,
    name        text        NOT NULL,
    description text        NOT NULL,
    keywords    text,
    mode        text        NOT NULL CHECK (mode IN ('SANDBOX', 'LIVE')),
    active      boolean     NOT NULL DEFAULT true,
    created     timestamptz NOT NULL DEFAULT now()
);

-- A worker's accepted assignment and the participant it became; turk_submit_to is where the end page submits.
CREATE TABLE arrival (
    assignment_id  text        PRIMARY KEY,
    participant_id text        NOT NULL UNIQUE,
    worker_id      text        NOT NULL,
    hit_id         text        NOT NULL REFERENCES hit (hit_id),
    turk_submit_to text        NOT NULL,
    arrived        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX arrival_worker ON arrival (worker_id);
