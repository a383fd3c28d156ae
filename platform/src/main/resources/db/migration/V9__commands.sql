-- An admin's command to a participant's open page (advance, reload, message, redirect), kept until the page says it
-- has it: a page whose socket is on another node, or on none for the moment (a reconnect, a node that left), gets it
-- when it connects.
CREATE TABLE participant_command (
    id              bigserial PRIMARY KEY,
    participant_id  text NOT NULL REFERENCES participant (id),
    payload         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);
CREATE INDEX participant_command_pending ON participant_command (participant_id, id) WHERE delivered_at IS NULL;
