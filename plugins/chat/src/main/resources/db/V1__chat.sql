-- Runs in the plugin's own schema (plugin_chat). A channel is a participant's private conversation with the
-- experimenters, opened by an admin's first message. A message is stored before anyone is told of it.
CREATE TABLE channel (
    participant_id text        PRIMARY KEY,
    session_id     text        NOT NULL,
    -- null: the session's default (session_default, else on)
    replies        boolean,
    opened_by      text        NOT NULL,
    opened_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX channel_session ON channel (session_id);

CREATE TABLE message (
    id             bigserial   PRIMARY KEY,
    session_id     text        NOT NULL,
    participant_id text        NOT NULL REFERENCES channel (participant_id),
    -- the admin user who wrote it; null for the participant's own
    admin          text,
    body           text        NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
    sent_at        timestamptz NOT NULL DEFAULT now(),
    -- when the other side read it: an admin for a participant's message, the participant for an admin's
    read_at        timestamptz
);
CREATE INDEX message_channel ON message (participant_id, id);
CREATE INDEX message_session ON message (session_id, id);
-- The rate limit counts a participant's last minute of messages.
CREATE INDEX message_participant_sent ON message (participant_id, sent_at) WHERE admin IS NULL;

CREATE TABLE session_default (
    session_id text    PRIMARY KEY,
    replies    boolean NOT NULL,
    set_by     text    NOT NULL,
    set_at     timestamptz NOT NULL DEFAULT now()
);
