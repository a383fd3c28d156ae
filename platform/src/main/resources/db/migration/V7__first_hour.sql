-- A lab's first hour (issue 12).

-- The admin password chosen through the one-time start-up link, bcrypt-hashed. Accounts in cohort.properties come
-- first; this one lets the next login (another browser, another day) work with no restart and no config edit.
CREATE TABLE admin_account (
    name           text PRIMARY KEY,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- An error a participant's page or an experiment's hook raised while serving that participant. The participant saw
-- a calm page; the admin sees this on the session page at the participant's row.
CREATE TABLE participant_error (
    id              bigserial PRIMARY KEY,
    participant_id  text NOT NULL REFERENCES participant (id),
    page            text NOT NULL,
    message         text NOT NULL,
    location        text NOT NULL,
    at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX participant_error_participant ON participant_error (participant_id, id);

-- A bonus the admin deliberately adds to one already paid ("additional bonus", with its own reason): its sequence
-- number keeps it apart from the first. Approvals, rejections and the automatic bonus stay once per assignment.
ALTER TABLE payment ADD COLUMN sequence int NOT NULL DEFAULT 0 CHECK (sequence >= 0);
DROP INDEX payment_once;
CREATE UNIQUE INDEX payment_once ON payment (provider, assignment_id, kind, sequence) WHERE state <> 'FAILED';

-- A value appended as one more record of a list (cohort.append("trials", {...})), not set as the field's new value:
-- the records of a key are downloadable as a table, one row each, and the Data page counts them.
ALTER TABLE field_value ADD COLUMN record boolean NOT NULL DEFAULT false;
CREATE INDEX field_value_records ON field_value (key, participant_id, id) WHERE record;

-- A session the admin put away: off the dashboard, still listed (and exported) on the Sessions tab.
ALTER TABLE session ADD COLUMN archived boolean NOT NULL DEFAULT false;

-- OVERRIDE: an assignment approved after it was rejected (MTurk's OverrideRejection), once, through the ledger.
ALTER TABLE payment_batch DROP CONSTRAINT payment_batch_kind_check;
ALTER TABLE payment_batch ADD CONSTRAINT payment_batch_kind_check
    CHECK (kind IN ('APPROVE', 'REJECT', 'BONUS', 'QUALIFY', 'OVERRIDE'));
ALTER TABLE payment DROP CONSTRAINT payment_kind_check;
ALTER TABLE payment ADD CONSTRAINT payment_kind_check
    CHECK (kind IN ('APPROVE', 'REJECT', 'BONUS', 'QUALIFY', 'OVERRIDE'));
