-- Runs in the plugin's own schema (plugin_resultsimport). An import keeps its parameters and checked rows, and the
-- ledger batch of each kind once committed, so a restart resumes the steps left instead of forgetting them.
CREATE TABLE results_import (
    id                   bigserial   PRIMARY KEY,
    name                 text        NOT NULL,
    parameters           text        NOT NULL,
    state                text        NOT NULL CHECK (state IN ('LOADED', 'REFUSED', 'RUNNING', 'DONE')),
    problems             text        NOT NULL DEFAULT '',
    already_done         text        NOT NULL DEFAULT '',
    rooms                text        NOT NULL DEFAULT '',
    summary              text        NOT NULL DEFAULT '',
    balance_before_cents bigint,
    balance_after_cents  bigint,
    created_by           text        NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE import_row (
    import_id           bigint  NOT NULL REFERENCES results_import (id),
    seq                 integer NOT NULL,
    file                text    NOT NULL,
    line                integer NOT NULL,
    worker_id           text    NOT NULL,
    assignment_id       text    NOT NULL,
    hit_id              text    NOT NULL,
    decision            text    NOT NULL CHECK (decision IN ('', 'APPROVE', 'REJECT')),
    bonus_cents         bigint  NOT NULL CHECK (bonus_cents >= 0),
    exit_code           text    NOT NULL,
    qualification       text,
    qualification_value integer,
    feedback            text    NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- One ledger batch per kind (APPROVE, REJECT, BONUS, QUALIFY), written right after the ledger committed it.
CREATE TABLE import_batch (
    import_id bigint NOT NULL REFERENCES results_import (id),
    kind      text   NOT NULL,
    batch_id  bigint NOT NULL,
    PRIMARY KEY (import_id, kind)
);
