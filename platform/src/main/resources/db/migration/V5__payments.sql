-- The payment ledger (docs/architecture.md, "Walk: a bonus"): rows first, provider calls second.

-- A committed plan. balance_after_cents is read from the provider when the last row is settled.
CREATE TABLE payment_batch (
    id                    bigserial PRIMARY KEY,
    provider              text NOT NULL,
    kind                  text NOT NULL CHECK (kind IN ('APPROVE', 'REJECT', 'BONUS', 'QUALIFY')),
    label                 text NOT NULL,
    total_cents           bigint NOT NULL,
    balance_before_cents  bigint NOT NULL,
    balance_after_cents   bigint,
    created_by            text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    finished_at           timestamptz
);
CREATE INDEX payment_batch_open ON payment_batch (id) WHERE finished_at IS NULL;

-- One approval, rejection or bonus. token is the provider's idempotency token (UniqueRequestToken), fixed when the
-- row is written so a resend after a crash is recognised as the same request.
-- PLANNED: not sent yet. SENT: handed to the provider, answer not recorded (ask before sending again).
CREATE TABLE payment (
    id              bigserial PRIMARY KEY,
    batch_id        bigint NOT NULL REFERENCES payment_batch (id),
    provider        text NOT NULL,
    participant_id  text REFERENCES participant (id),
    worker_id       text NOT NULL,
    assignment_id   text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('APPROVE', 'REJECT', 'BONUS', 'QUALIFY')),
    amount_cents    bigint NOT NULL CHECK (amount_cents >= 0),
    reason          text NOT NULL DEFAULT '',
    token           text NOT NULL UNIQUE,
    state           text NOT NULL CHECK (state IN ('PLANNED', 'SENT', 'CONFIRMED', 'FAILED')),
    response        text,
    attempts        int NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payment_batch_rows ON payment (batch_id, id);
CREATE INDEX payment_open ON payment (batch_id, id) WHERE state IN ('PLANNED', 'SENT');
-- An assignment is approved (or rejected) once and bonused once, whatever batches ask for it; a failed row may be
-- planned again.
CREATE UNIQUE INDEX payment_once ON payment (provider, assignment_id, kind) WHERE state <> 'FAILED';
