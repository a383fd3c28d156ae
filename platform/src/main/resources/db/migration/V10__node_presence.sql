-- Nodes that are alive say so every few seconds. What a node holds open (participants' page sockets, room waiting
-- pages' sockets) is counted per node, so when a node stops beating (kill -9, a lost machine) the others take back
-- what it held: its participants are no longer online, its waiting people no longer count as there.
CREATE TABLE node_heartbeat (
    node     text PRIMARY KEY,
    beat_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE node_presence (
    node     text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('participant', 'seat')),
    target   text NOT NULL,
    sockets  int NOT NULL CHECK (sockets > 0),
    PRIMARY KEY (node, kind, target)
);
CREATE INDEX node_presence_target ON node_presence (kind, target);
