-- The participants table across sessions (io.cohort.platform.data.ParticipantTable) at 100,000 rows.

-- How many participants have each combination of the table's filter columns, kept by a trigger in the same
-- transaction as the change: group counts and totals sum a few hundred rows instead of counting every participant.
CREATE TABLE participant_tally (
    session_id    text NOT NULL,
    mode          text,
    condition     text,
    code_version  text NOT NULL,
    status        text NOT NULL,
    n             bigint NOT NULL,
    CONSTRAINT participant_tally_key UNIQUE NULLS NOT DISTINCT (session_id, mode, condition, code_version, status)
);

CREATE FUNCTION participant_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Upserts only (never UPDATE ... WHERE col IS NOT DISTINCT FROM ...), so the unique index finds the row.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO cohort.participant_tally AS t VALUES (OLD.session_id, OLD.mode, OLD.condition, OLD.code_version, OLD.status, -1)
            ON CONFLICT ON CONSTRAINT participant_tally_key DO UPDATE SET n = t.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO cohort.participant_tally AS t VALUES (NEW.session_id, NEW.mode, NEW.condition, NEW.code_version, NEW.status, 1)
            ON CONFLICT ON CONSTRAINT participant_tally_key DO UPDATE SET n = t.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER participant_tally_insert_delete AFTER INSERT OR DELETE ON participant
    FOR EACH ROW EXECUTE FUNCTION participant_tally();
-- Page moves and other updates leave the tally alone.
CREATE TRIGGER participant_tally_update AFTER UPDATE OF session_id, mode, condition, code_version, status ON participant
    FOR EACH ROW WHEN ((OLD.session_id, OLD.mode, OLD.condition, OLD.code_version, OLD.status)
                       IS DISTINCT FROM (NEW.session_id, NEW.mode, NEW.condition, NEW.code_version, NEW.status))
    EXECUTE FUNCTION participant_tally();

INSERT INTO participant_tally
    SELECT session_id, mode, condition, code_version, status, count(*) FROM participant GROUP BY 1, 2, 3, 4, 5;

-- Sorting by a column pages through an index (ties broken by id, as ParticipantQuery.orderBy does).
-- Not page_index nor updated_at: every page submit changes those two, and an index on either would make each
-- submit's row update rewrite every index of the table; without them the update stays on its page (HOT, with
-- the room fillfactor leaves), and sorting by them is a top-N sort.
ALTER TABLE participant SET (fillfactor = 80);
CREATE INDEX participant_sort_created ON participant (created_at, id);
CREATE INDEX participant_sort_session ON participant (session_id, id);
CREATE INDEX participant_sort_name ON participant (name, id);
CREATE INDEX participant_sort_worker ON participant (worker_id, id);
CREATE INDEX participant_sort_mode ON participant (mode, id);
CREATE INDEX participant_sort_condition ON participant (condition, id);
CREATE INDEX participant_sort_code_version ON participant (code_version, id);
CREATE INDEX participant_sort_status ON participant (status, id);
CREATE INDEX participant_sort_bonus ON participant (bonus_cents, id);
