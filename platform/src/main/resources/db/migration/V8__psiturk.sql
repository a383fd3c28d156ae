-- psiTurk experiments run unmodified (issue 15).

-- A participant as psiTurk knows them: uniqueId is "workerId:assignmentId", the id psiturk.js sends back on every
-- call. The datastring is the last one the page saved, kept verbatim (psiTurk's own shape, for its exports); its
-- trials and events are also appended to field_value as records, one row each, as they arrive, so the history is
-- append-only even though psiTurk overwrites its blob. trials_saved and events_saved say how many are in already.
CREATE TABLE psiturk_participant (
    unique_id       text PRIMARY KEY,
    participant_id  text NOT NULL UNIQUE REFERENCES participant (id),
    worker_id       text NOT NULL,
    assignment_id   text NOT NULL,
    hit_id          text NOT NULL,
    mode            text NOT NULL CHECK (mode IN ('debug', 'sandbox', 'live')),
    datastring      text,
    trials_saved    int NOT NULL DEFAULT 0,
    events_saved    int NOT NULL DEFAULT 0,
    saved_at        timestamptz
);
CREATE INDEX psiturk_participant_worker ON psiturk_participant (worker_id);

-- The psiTurk session served at the site root (/ad, /exp, /static/...), as psiTurk serves one experiment per
-- server. One row at most; with none, the newest active psiTurk session is served.
CREATE TABLE psiturk_root (
    one         boolean PRIMARY KEY DEFAULT true CHECK (one),
    session_id  text NOT NULL REFERENCES session (id),
    chosen_by   text NOT NULL,
    chosen_at   timestamptz NOT NULL DEFAULT now()
);
