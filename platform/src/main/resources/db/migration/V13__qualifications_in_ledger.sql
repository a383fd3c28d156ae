-- Qualifications are ledger rows too (results imports give approve + bonus + qualification per worker in one plan).
-- A QUALIFY row keeps the qualification type id in reason and the integer score, which may be negative, in
-- amount_cents; only money must be >= 0.
ALTER TABLE cohort.payment DROP CONSTRAINT payment_amount_cents_check;
ALTER TABLE cohort.payment ADD CONSTRAINT payment_amount_cents_check CHECK (amount_cents >= 0 OR kind = 'QUALIFY');
