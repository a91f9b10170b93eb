-- Schema version 4: what the database is for, recorded once, when it is created.
--
-- A real deployment takes its time from the system clock and acts only as accounts that prove
-- who they are. A simulation (`corridor demo`, the tests, `corridor init --simulation`) may fix
-- or shift its clock, act as names from a users file, and marks every checkpoint it signs. The
-- row is written once, by whoever creates the database, before its first event; nothing changes
-- or removes it (trigger below). A database that holds no row is a real deployment, and one
-- that already held events when it reached this version is recorded as one.
CREATE TABLE deployment (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    simulation  INTEGER NOT NULL CHECK (simulation IN (0, 1))
);
INSERT INTO deployment (singleton, simulation) SELECT 1, 0 WHERE EXISTS (SELECT 1 FROM events);

CREATE FUNCTION deployment_recorded_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the deployment kind is recorded once'; END; $$;
CREATE TRIGGER deployment_no_change BEFORE UPDATE OR DELETE ON deployment
FOR EACH ROW EXECUTE FUNCTION deployment_recorded_once();
