-- The participant tally (V4, sharded by V12) also counts by market (the participant's crowd provider), so the
-- participants table groups a session recruiting from MTurk and Prolific at once by market, as it groups by
-- condition, without reading every participant.
ALTER TABLE participant_tally ADD COLUMN provider text;
ALTER TABLE participant_tally DROP CONSTRAINT participant_tally_key;
ALTER TABLE participant_tally ADD CONSTRAINT participant_tally_key
    UNIQUE NULLS NOT DISTINCT (session_id, mode, provider, condition, code_version, status, shard);

CREATE OR REPLACE FUNCTION participant_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Upserts only (never UPDATE ... WHERE col IS NOT DISTINCT FROM ...), so the unique index finds the row.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO cohort.participant_tally AS t
                (session_id, mode, provider, condition, code_version, status, shard, n)
            VALUES (OLD.session_id, OLD.mode, OLD.provider, OLD.condition, OLD.code_version, OLD.status,
                    hashtext(OLD.id) & 15, -1)
            ON CONFLICT ON CONSTRAINT participant_tally_key DO UPDATE SET n = t.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO cohort.participant_tally AS t
                (session_id, mode, provider, condition, code_version, status, shard, n)
            VALUES (NEW.session_id, NEW.mode, NEW.provider, NEW.condition, NEW.code_version, NEW.status,
                    hashtext(NEW.id) & 15, 1)
            ON CONFLICT ON CONSTRAINT participant_tally_key DO UPDATE SET n = t.n + 1;
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER participant_tally_update ON participant;
CREATE TRIGGER participant_tally_update AFTER UPDATE OF session_id, mode, provider, condition, code_version, status
    ON participant
    FOR EACH ROW WHEN ((OLD.session_id, OLD.mode, OLD.provider, OLD.condition, OLD.code_version, OLD.status)
                       IS DISTINCT FROM (NEW.session_id, NEW.mode, NEW.provider, NEW.condition, NEW.code_version,
                                         NEW.status))
    EXECUTE FUNCTION participant_tally();

-- Recounted, in this migration's transaction (the table is locked meanwhile).
LOCK TABLE participant IN SHARE MODE;
DELETE FROM participant_tally;
INSERT INTO participant_tally (session_id, mode, provider, condition, code_version, status, shard, n)
    SELECT session_id, mode, provider, condition, code_version, status, hashtext(id) & 15, count(*)
    FROM participant GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- Sorting by market is served by an index, as every other sortable column (V4).
CREATE INDEX participant_sort_market ON participant (provider, id);
