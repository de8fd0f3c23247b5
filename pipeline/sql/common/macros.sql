-- Macros the models share (run before them; temporary, so nothing in the database depends on them).

-- The first month of a questionnaire round, 'YYYY-MM': '2026-H1' -> '2026-01', '2026-H2' -> '2026-07'.
-- A round has begun by month P when round_start(round) <= P: the one place this rule is written.
CREATE OR REPLACE TEMP MACRO round_start(round) AS left(round, 4) || CASE WHEN right(round, 2) = 'H1' THEN '-01' ELSE '-07' END;
