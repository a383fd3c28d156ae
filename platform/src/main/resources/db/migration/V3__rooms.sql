-- Rooms: where participants wait until a session takes them (docs/architecture.md, "Data").

CREATE TABLE room (
    name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
    experiment  text NOT NULL,
    labels      text[] NOT NULL DEFAULT '{}',
    capacity    int NOT NULL CHECK (capacity > 0),
    open        boolean NOT NULL,
    closed      boolean NOT NULL DEFAULT false,
    session_id  text REFERENCES session (id),
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One seat per person who came in. seat is the token in their cookie; participant_id is set when a session
-- took them. Rows go when the room forgets its session, so the room can fill again with the same labels.
CREATE TABLE room_waiting (
    seat            text PRIMARY KEY,
    room            text NOT NULL REFERENCES room (name),
    label           text NOT NULL,
    arrived_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    sockets         int NOT NULL DEFAULT 0,
    last_seen       timestamptz NOT NULL DEFAULT clock_timestamp(),
    participant_id  text REFERENCES participant (id),
    UNIQUE (room, label)
);
CREATE INDEX room_waiting_room ON room_waiting (room, arrived_at);
