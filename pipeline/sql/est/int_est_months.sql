-- The months each municipality's EST reports cover: from its first month with a report to its
-- last, where a month without a report is a real zero (reports come every week or every second
-- week, so a quiet month is quiet). Three or more months in a row without any report break the
-- coverage: nobody reported then, so those months are missing, not zero. One row per municipality
-- and covered month, with the number of its unbroken stretch.
WITH reported AS (
    SELECT DISTINCT municipality_code,
           year(strptime(period, '%Y-%m')) * 12 + month(strptime(period, '%Y-%m')) AS n
    FROM int_est_events
),
breaks AS (
    SELECT municipality_code, n,
           CASE WHEN n - lag(n) OVER (PARTITION BY municipality_code ORDER BY n) > 3 THEN 1 ELSE 0 END AS starts
    FROM reported
),
stretches AS (
    SELECT municipality_code, n, sum(starts) OVER (PARTITION BY municipality_code ORDER BY n) AS stretch
    FROM breaks
),
bounds AS (
    SELECT municipality_code, stretch, min(n) AS first_n, max(n) AS last_n FROM stretches GROUP BY ALL
),
months AS (
    SELECT municipality_code, stretch, unnest(range(first_n, last_n + 1)) AS n FROM bounds
)
SELECT municipality_code, printf('%04d-%02d', (n - 1) // 12, (n - 1) % 12 + 1) AS period, stretch::INTEGER AS stretch
FROM months
ORDER BY municipality_code, period
