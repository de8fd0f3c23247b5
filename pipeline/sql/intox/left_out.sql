-- Per snapshot month P: the forms up to P that no municipality's figures include, and why
-- (no row-level data leaves the database). Forms exported twice count as duplicates.
WITH monthly AS (
    SELECT CASE WHEN NOT f.home_known THEN 'hemkommun okänd'
                ELSE 'hemkommun utanför registreringens täckning' END AS reason,
           f.period, count(*) AS forms
    FROM int_intox_forms_all f
    LEFT JOIN int_coverage c USING (municipality_code, period)
    WHERE c.period IS NULL
    GROUP BY ALL
),
duplicates AS (
    SELECT period, count(*) AS forms FROM stg_intox GROUP BY period
    UNION ALL
    SELECT period, -count(*) FROM int_intox_forms_all GROUP BY period
),
counted AS (
    SELECT p.period AS snapshot, m.reason, sum(m.forms) AS forms
    FROM calendar p JOIN monthly m ON m.period <= p.period
    GROUP BY ALL
    UNION ALL
    SELECT p.period, 'dubblett av formulär i annan fil', coalesce(sum(d.forms), 0)
    FROM calendar p LEFT JOIN duplicates d ON d.period <= p.period
    GROUP BY p.period
)
SELECT reason, forms::BIGINT AS forms, snapshot AS snapshot_from, snapshot AS snapshot_to
FROM counted
ORDER BY snapshot, reason = 'dubblett av formulär i annan fil', reason
