-- Runs in the plugin's own schema (plugin_simulation). One row per server-side bot: which participant it plays,
-- when it started and finished, how many pages it got through, and why it stopped if it failed.
CREATE TABLE bot_run (
    id             bigserial   PRIMARY KEY,
    session_id     text        NOT NULL,
    participant_id text        NOT NULL,
    bot            text        NOT NULL,
    started        timestamptz NOT NULL DEFAULT now(),
    finished       timestamptz,
    pages          integer     NOT NULL DEFAULT 0,
    error          text
);
CREATE INDEX bot_run_session ON bot_run (session_id, id);
