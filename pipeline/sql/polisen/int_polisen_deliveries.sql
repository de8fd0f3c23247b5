-- The police's deliveries: one row per file and municipality in it, with the registration months
-- the delivery covers: from the file's first registration month (Inskr årmånad) to the month its
-- name gives (Brottsstatistik_Falun_202512.csv: 2025-12), or to its last registration month when
-- the name gives none or its crimes run beyond it. `rank` orders the deliveries of a municipality
-- from the latest: the later month it runs to, then the file ingested later, then the later path.
WITH files AS (
    SELECT path, min(period) AS first_period, max(period) AS last_period FROM stg_polisen GROUP BY path
),
deliveries AS (
    SELECT DISTINCT s.municipality_code, s.path, f.first_period, f.last_period, d.named_period,
           CASE WHEN d.named_period IS NULL OR d.named_period < f.last_period THEN f.last_period
                ELSE d.named_period END AS to_period,
           r.loaded_at
    FROM stg_polisen s
    JOIN files f USING (path)
    JOIN stg_polisen_delivery d USING (path)
    JOIN raw_files r USING (path)
)
SELECT *, row_number() OVER (PARTITION BY municipality_code ORDER BY to_period DESC, loaded_at DESC, path DESC) AS rank
FROM deliveries
ORDER BY municipality_code, rank
