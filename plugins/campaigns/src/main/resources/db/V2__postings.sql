-- api.crowd 2.0. A market's TEST mode (no real money, like SANDBOX). A market without a limit per posting
-- (Prolific) keeps one posting a campaign: a round adds its places to it, as a row with adds (hit_id the posting,
-- its token the one addPlaces is called with, so a round finished after a crash adds once).
ALTER TABLE campaign DROP CONSTRAINT campaign_mode_check;
ALTER TABLE campaign ADD CONSTRAINT campaign_mode_check CHECK (mode IN ('SANDBOX', 'TEST', 'LIVE'));
ALTER TABLE round_hit ADD COLUMN adds boolean NOT NULL DEFAULT false;
