-- Schema version 7: statistics releases in the order of their publication (docs/statistics.md).
--
-- A release's `publication` is the number of releases published before it (0 for the first):
-- the order in which releases are listed and protected against each other, which publication
-- times cannot give (two releases may be published at the same instant). A release is stored
-- only if the table holds exactly as many releases as its computation was protected against,
-- so two publications at once can never both be stored against the same earlier releases.
--
-- Existing releases are numbered in the order corridor listed them until now: by publication
-- time, then id. The time is compared as its parts, the seconds (`YYYY-MM-DDTHH:MM:SS`) then
-- the digits of the fraction, if any: RFC 3339 texts with and without a fraction do not sort
-- as the times they name, the digits of two fractions do. Byte order (`COLLATE "C"`) whatever
-- the database's collation. The append-only trigger is dropped for the numbering and made
-- again at once.
ALTER TABLE statistics_releases ADD COLUMN publication BIGINT;

DROP TRIGGER statistics_releases_no_change ON statistics_releases;

UPDATE statistics_releases SET publication = numbered.n - 1
FROM (
    SELECT release_id, ROW_NUMBER() OVER (
        ORDER BY substr(published_at, 1, 19) COLLATE "C",
                 CASE WHEN substr(published_at, 20, 1) = '.'
                      THEN substr(published_at, 21, length(published_at) - 21)
                      ELSE '' END COLLATE "C",
                 release_id COLLATE "C"
    ) AS n FROM statistics_releases
) AS numbered
WHERE numbered.release_id = statistics_releases.release_id;

CREATE TRIGGER statistics_releases_no_change BEFORE UPDATE OR DELETE ON statistics_releases
FOR EACH ROW EXECUTE FUNCTION statistics_append_only();

ALTER TABLE statistics_releases ALTER COLUMN publication SET NOT NULL;
ALTER TABLE statistics_releases
    ADD CONSTRAINT statistics_releases_publication UNIQUE (publication);
