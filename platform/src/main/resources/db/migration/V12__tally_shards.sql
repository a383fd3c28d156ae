-- The participant tally (V4) kept one row per (session, mode, condition, code version, status), and every change of
-- status in a session updated the same two rows: a burst of arrivals (a HIT just posted, hundreds in a minute) made
-- each transaction wait for the one before it to commit, and page loads queued for seconds behind that row lock.
-- The tally is now split into 16 shards by participant: concurrent participants rarely share a row, and every
-- reader already sums. A participant always counts in the same shard, so each shard's counts stay exact.
ALTER TABLE participant_tally ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE participant_tally DROP CONSTRAINT participant_tally_key;
ALTER TABLE participant_tally ADD CONSTRAINT participant_tally_key
    UNIQUE NULLS NOT DISTINCT (session_id, mode, condition, code_version, status, shard);

CREATE OR REPLACE FUNCTION participant_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Upserts only (never UPDATE ... WHERE col IS NOT DISTINCT FROM ...), so the unique index finds the row.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO cohort.participant_tally AS t (session_id, mode, condition, code_version, status, shard, n)
            VALUES (OLD.session_id, OLD.mode, OLD.condition, OLD.code_version, OLD.status, hashtext(OLD.id) & 15, -1)
            ON CONFLICT ON CONSTRAINT participant_tally_key DO UPDATE SET n = t.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO cohort.participant_tally AS t (session_id, mode, condition, code_version, status, shard, n)
            VALUES (NEW.session_id, NEW.mode, NEW.condition, NEW.code_version, NEW.status, hashtext(NEW.id) & 15, 1)
            ON CONFLICT ON CONSTRAINT participant_tally_key DO UPDATE SET n = t.n + 1;
    END IF;
    RETURN NULL;
END
$$;

-- Recounted into the shards, in this migration's transaction (the table is locked meanwhile).
LOCK TABLE participant IN SHARE MODE;
DELETE FROM participant_tally;
INSERT INTO participant_tally (session_id, mode, condition, code_version, status, shard, n)
    SELECT session_id, mode, condition, code_version, status, hashtext(id) & 15, count(*)
    FROM participant GROUP BY 1, 2, 3, 4, 5, 6;
