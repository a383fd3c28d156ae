-- Runs in the plugin's own schema (plugin_campaigns). A round is written (PLANNED, with its HITs' idempotency
-- tokens) before anything is posted, so a round that crashed after posting is finished with the same tokens
-- instead of posting again.
CREATE TABLE campaign (
    id                     bigserial   PRIMARY KEY,
    provider               text        NOT NULL,
    experiment             text        NOT NULL,
    code_version           text,
    session_id             text        NOT NULL,
    mode                   text        NOT NULL CHECK (mode IN ('SANDBOX', 'LIVE')),
    goal                   integer     NOT NULL CHECK (goal >= 1),
    reward_cents           bigint      NOT NULL CHECK (reward_cents >= 0),
    duration_seconds       bigint      NOT NULL CHECK (duration_seconds > 0),
    lifetime_seconds       bigint      NOT NULL CHECK (lifetime_seconds > 0),
    per_round              integer     NOT NULL CHECK (per_round >= 1),
    minutes_between_rounds integer     NOT NULL CHECK (minutes_between_rounds >= 1),
    batch_size             integer     NOT NULL CHECK (batch_size BETWEEN 1 AND 100),
    title                  text        NOT NULL,
    description            text        NOT NULL,
    keywords               text,
    state                  text        NOT NULL DEFAULT 'ACTIVE' CHECK (state IN ('ACTIVE', 'MET', 'CANCELLED')),
    created_by             text        NOT NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    ended_at               timestamptz
);

CREATE TABLE round (
    campaign_id bigint      NOT NULL REFERENCES campaign (id),
    number      integer     NOT NULL,
    planned     integer     NOT NULL CHECK (planned > 0),
    state       text        NOT NULL DEFAULT 'PLANNED' CHECK (state IN ('PLANNED', 'RECORDED')),
    created     timestamptz NOT NULL DEFAULT now(),
    recorded    timestamptz,
    PRIMARY KEY (campaign_id, number)
);

CREATE TABLE round_hit (
    campaign_id bigint  NOT NULL,
    round       integer NOT NULL,
    index       integer NOT NULL,
    token       text    NOT NULL UNIQUE,
    assignments integer NOT NULL CHECK (assignments > 0),
    hit_id      text,
    expired_at  timestamptz,
    PRIMARY KEY (campaign_id, round, index),
    FOREIGN KEY (campaign_id, round) REFERENCES round (campaign_id, number)
);

-- One row per round, for the chart: completed and goal over time, and the money spent so far.
CREATE TABLE progress (
    campaign_id bigint      NOT NULL REFERENCES campaign (id),
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    completed   integer     NOT NULL,
    in_flight   integer     NOT NULL,
    goal        integer     NOT NULL,
    spent_cents bigint      NOT NULL
);
CREATE INDEX progress_campaign ON progress (campaign_id, at);
