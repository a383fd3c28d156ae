-- Runs in the plugin's own schema (plugin_prolific). Everything sent to Prolific that it would not recognise as a
-- repeat is written here first, so a crash and a retry find it instead of doing it twice.

-- A study we made. The row comes first (study_id still null) and the study is made with internal_name
-- 'cohort <token>', so a retry after a crash finds the study by that name instead of making a second one.
CREATE TABLE study (
    token             text        PRIMARY KEY,
    study_id          text        UNIQUE,
    session_id        text        NOT NULL,
    title             text        NOT NULL,
    reward_cents      bigint      NOT NULL CHECK (reward_cents >= 0),
    places            integer     NOT NULL CHECK (places > 0),
    estimated_seconds bigint      NOT NULL,
    duration_seconds  bigint      NOT NULL,
    mode              text        NOT NULL CHECK (mode IN ('TEST', 'LIVE')),
    allow_repeats     boolean     NOT NULL,
    completion_code   text        NOT NULL,
    screenout_code    text        NOT NULL,
    created           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX study_session ON study (session_id);

-- Adding places with a token sets the same absolute total on a repeat, so a repeat adds once.
CREATE TABLE place_addition (
    token        text    PRIMARY KEY,
    study_id     text    NOT NULL REFERENCES study (study_id),
    total_places integer NOT NULL
);

-- A participant who arrived from Prolific and the Cohort participant they became.
CREATE TABLE arrival (
    submission_id  text        PRIMARY KEY,
    participant_id text        NOT NULL UNIQUE,
    prolific_pid   text        NOT NULL,
    study_id       text        NOT NULL REFERENCES study (study_id),
    arrived        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX arrival_pid ON arrival (prolific_pid);

-- One bonus, one bulk bonus set-up on Prolific. Prolific's "pay" is not idempotent: the set-up's id is stored
-- before paying and the state says how far it got. PAY_SENT with no answer is settled by reading the submission's
-- bonus_payments on Prolific: more entries than paid_before (counted just before the call) means it was paid.
CREATE TABLE bonus (
    token          text        PRIMARY KEY,
    study_id       text        NOT NULL,
    submission_id  text        NOT NULL,
    prolific_pid   text        NOT NULL,
    amount_cents   bigint      NOT NULL CHECK (amount_cents > 0),
    reason         text        NOT NULL DEFAULT '',
    setup_id       text        UNIQUE,
    state          text        NOT NULL CHECK (state IN ('SET_UP', 'PAY_SENT', 'PAID')),
    paid_before    integer     NOT NULL DEFAULT 0,
    updated        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bonus_submission ON bonus (submission_id);

-- Our participant groups (Prolific's allow and block lists), so the plugin never lists a whole workspace.
-- purpose 'blocked' is the one group every study of ours excludes: block() adds to it.
CREATE TABLE participant_group (
    group_id    text        PRIMARY KEY,
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    mode        text        NOT NULL CHECK (mode IN ('TEST', 'LIVE')),
    purpose     text        NOT NULL DEFAULT 'qualification' CHECK (purpose IN ('qualification', 'blocked')),
    created     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX participant_group_blocked ON participant_group (mode) WHERE purpose = 'blocked';
