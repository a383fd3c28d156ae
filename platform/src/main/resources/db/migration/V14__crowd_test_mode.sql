-- api.crowd 2.0: a market's TEST mode (Prolific pointed at a test set-up) beside SANDBOX and LIVE; no real money,
-- but its participants are recorded like the others.
ALTER TABLE cohort.participant DROP CONSTRAINT participant_mode_check;
ALTER TABLE cohort.participant ADD CONSTRAINT participant_mode_check CHECK (mode IN ('SANDBOX', 'TEST', 'LIVE'));
