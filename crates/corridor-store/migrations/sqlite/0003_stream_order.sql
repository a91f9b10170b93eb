-- Schema version 3. On PostgreSQL this version makes the identifier columns compare byte by byte
-- (collation "C"), as SQLite's BINARY collation always has: the store finds a hold's events as a
-- range of stream names and pages cases by id, and both must not depend on the database's locale.
-- Nothing changes on SQLite; the version exists so that a schema version means the same on every
-- backend.
SELECT 1;
