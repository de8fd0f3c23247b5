-- Macros the models share (run before them; temporary, so nothing in the database depends on them).

-- The first month of a questionnaire round, 'YYYY-MM': '2026-H1' -> '2026-01', '2026-H2' -> '2026-07'.
-- A round has begun by month P when round_start(round) <= P: the one place this rule is written.
CREATE OR REPLACE TEMP MACRO round_start(round) AS left(round, 4) || CASE WHEN right(round, 2) = 'H1' THEN '-01' ELSE '-07' END;

-- The last month of a period, 'YYYY-MM': a month is itself; '2026-Q3' -> '2026-09', '2026-T2' ->
-- '2026-08', '2026-H1' -> '2026-06', '2026' -> '2026-12' (pipeline/periods.last_month). A period sits in
-- the snapshots of the months from its last month on.
CREATE OR REPLACE TEMP MACRO period_end(p) AS CASE
    WHEN length(p) = 4 THEN p || '-12'
    WHEN substr(p, 6, 1) IN ('Q', 'T', 'H')
        THEN left(p, 5) || lpad((right(p, 1)::INTEGER * CASE substr(p, 6, 1) WHEN 'Q' THEN 3 WHEN 'T' THEN 4 ELSE 6 END)::VARCHAR, 2, '0')
    ELSE p
END;

-- The first month of the period a file's rows begin with, 'YYYY-MM': a month is itself; '2026' ->
-- '2026-01', '2026-H2' -> '2026-07' (a questionnaire round), '2026-T2' -> '2026-05'.
CREATE OR REPLACE TEMP MACRO period_start(p) AS CASE
    WHEN length(p) = 4 THEN p || '-01'
    WHEN substr(p, 6, 1) IN ('Q', 'T', 'H')
        THEN left(p, 5) || lpad(((right(p, 1)::INTEGER - 1) * CASE substr(p, 6, 1) WHEN 'Q' THEN 3 WHEN 'T' THEN 4 ELSE 6 END + 1)::VARCHAR, 2, '0')
    ELSE p
END;

-- 'YYYY-MM' n months later, and the month before.
CREATE OR REPLACE TEMP MACRO months_after(m, n) AS strftime(strptime(m || '-01', '%Y-%m-%d') + to_months(n), '%Y-%m');
CREATE OR REPLACE TEMP MACRO month_before(m) AS months_after(m, -1);
