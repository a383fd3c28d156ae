-- Sessions, participants and their data (docs/architecture.md, "Data").

CREATE TABLE session (
    id            text PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    experiment    text NOT NULL,
    code_version  text NOT NULL,
    size          int  NOT NULL,
    active        boolean NOT NULL DEFAULT true,
    testing       boolean NOT NULL DEFAULT false,
    simulate      boolean NOT NULL DEFAULT false,
    description   text NOT NULL DEFAULT '',
    settings      jsonb NOT NULL DEFAULT '{}',
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- One person (or bot). token is the unguessable part of the URL; mode is NULL for who came by URL or room.
CREATE TABLE participant (
    id             text PRIMARY KEY,
    session_id     text NOT NULL REFERENCES session (id),
    name           text NOT NULL,
    token          text NOT NULL UNIQUE,
    provider       text,
    worker_id      text,
    assignment_id  text,
    hit_id         text,
    mode           text CHECK (mode IN ('SANDBOX', 'LIVE')),
    experiment     text NOT NULL,
    code_version   text NOT NULL,
    condition      text,
    status         text NOT NULL DEFAULT 'ALLOCATED',
    bonus_cents    bigint NOT NULL DEFAULT 0,
    page_index     int NOT NULL DEFAULT 0,
    group_name     text,
    label          text,
    online         boolean NOT NULL DEFAULT false,
    last_seen      timestamptz,
    started_at     timestamptz,
    completed_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, name)
);
CREATE INDEX participant_session ON participant (session_id, created_at, id);
-- Condition assignment counts these (docs/architecture.md, "Data": statuses and conditions).
CREATE INDEX participant_condition_count ON participant (experiment, code_version, mode, condition)
    WHERE condition IS NOT NULL;
CREATE INDEX participant_worker ON participant (worker_id) WHERE worker_id IS NOT NULL;

-- Append-only history of every field a participant has; the latest row per key is the current value.
CREATE TABLE field_value (
    id              bigserial PRIMARY KEY,
    participant_id  text NOT NULL REFERENCES participant (id),
    key             text NOT NULL,
    value           jsonb NOT NULL,
    set_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    set_by          text NOT NULL
);
CREATE INDEX field_value_participant ON field_value (participant_id, key, id);

-- When a participant entered each page. Rows are only added on the way through (a page submit writes no old row):
-- a visit ends when the next one starts; left_at is set only where no next visit follows (the participant quit, or
-- finished). page_visit_times gives every visit its end.
CREATE TABLE page_visit (
    id              bigserial PRIMARY KEY,
    participant_id  text NOT NULL REFERENCES participant (id),
    page_index      int NOT NULL,
    page            text NOT NULL,
    entered_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    left_at         timestamptz
);
CREATE INDEX page_visit_participant ON page_visit (participant_id, id);

CREATE VIEW page_visit_times AS
    SELECT v.id, v.participant_id, v.page_index, v.page, v.entered_at,
           coalesce(v.left_at, lead(v.entered_at) OVER (PARTITION BY v.participant_id ORDER BY v.id)) AS left_at
    FROM page_visit v;

-- Who has reached a wait page; the group moves on when every present member has.
CREATE TABLE wait_arrival (
    session_id      text NOT NULL REFERENCES session (id),
    group_name      text NOT NULL,
    page_index      int NOT NULL,
    participant_id  text NOT NULL REFERENCES participant (id),
    arrived_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    released_at     timestamptz,
    PRIMARY KEY (page_index, participant_id)
);
CREATE INDEX wait_arrival_group ON wait_arrival (session_id, group_name, page_index);
