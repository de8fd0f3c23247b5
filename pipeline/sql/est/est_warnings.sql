-- What an analyst should know after a build: months without any EST report between two stretches
-- of a municipality's reports (int_est_months); they are missing, not zero.
WITH stretches AS (
    SELECT municipality_code, stretch, min(period) AS first_period, max(period) AS last_period
    FROM int_est_months
    GROUP BY ALL
),
gaps AS (
    SELECT municipality_code,
           strftime(strptime(lag(last_period) OVER w, '%Y-%m') + INTERVAL 1 MONTH, '%Y-%m') AS gap_from,
           strftime(strptime(first_period, '%Y-%m') - INTERVAL 1 MONTH, '%Y-%m') AS gap_to
    FROM stretches
    WINDOW w AS (PARTITION BY municipality_code ORDER BY stretch)
)
SELECT 'EST-rapporterna för ' || coalesce(m.municipality_name, g.municipality_code) || ' saknas för ' || g.gap_from
       || ' – ' || g.gap_to || ': inga rapporter på tre månader eller fler. Månaderna räknas inte som noll och '
       || 'rullande perioder över dem visas inte.' AS message
FROM gaps g
LEFT JOIN ref_municipality m USING (municipality_code)
WHERE g.gap_from IS NOT NULL
ORDER BY message
