-- Scheduled tasks (docs/architecture.md, "Data"). db-scheduler runs them: its table, from its repository's
-- postgresql_tables.sql (not shipped in its jar), decides which node fires each due time, once.
CREATE TABLE scheduled_tasks (
    task_name             text NOT NULL,
    task_instance         text NOT NULL,
    task_data             bytea,
    execution_time        timestamptz NOT NULL,
    picked                boolean NOT NULL,
    picked_by             text,
    last_success          timestamptz,
    last_failure          timestamptz,
    consecutive_failures  int,
    last_heartbeat        timestamptz,
    version               bigint NOT NULL,
    priority              smallint,
    PRIMARY KEY (task_name, task_instance)
);
CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC);

-- What an admin or a plugin asked for. Exactly one of cron and interval_seconds.
CREATE TABLE task (
    name              text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    type              text NOT NULL,
    cron              text,
    interval_seconds  bigint CHECK (interval_seconds >= 1),
    data              jsonb NOT NULL DEFAULT '{}',
    paused            boolean NOT NULL DEFAULT false,
    created_by        text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((cron IS NULL) <> (interval_seconds IS NULL))
);

-- Each firing: due is the time it was scheduled for. A due time ends OK at most once; a run taken over from a dead
-- node keeps its due, beside that node's FAILED run.
-- WAITING: no handler for the task's type (its plugin is stopped).
CREATE TABLE task_run (
    id        bigserial PRIMARY KEY,
    task      text NOT NULL,
    due       timestamptz NOT NULL,
    started   timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended     timestamptz,
    node      text NOT NULL,
    outcome   text NOT NULL CHECK (outcome IN ('RUNNING', 'OK', 'FAILED', 'WAITING')),
    message   text
);
CREATE INDEX task_run_task ON task_run (task, id DESC);
