-- api.crowd 2.1: simulated participants (the simulation plugin's bots) carry mode BOT; they come from no market.
ALTER TABLE cohort.participant DROP CONSTRAINT participant_mode_check;
ALTER TABLE cohort.participant ADD CONSTRAINT participant_mode_check CHECK (mode IN ('SANDBOX', 'TEST', 'LIVE', 'BOT'));
