-- Each rendering of a participant's page gets a number from one sequence, shared by every node, and the participant
-- keeps the latest. A browser sends the leaving page's quit beacon after the next page has loaded, often to another
-- node behind the proxy: a beacon from an older rendering than the latest must not mark the participant gone.
CREATE SEQUENCE page_load;
ALTER TABLE participant ADD COLUMN last_load bigint;
