-- Process indicators per snapshot month P, as of P's last day: per promise of an area (and for all
-- of the area's promises, label ''), the activities begun by then, how many are done of those not
-- cancelled, and how many are overdue (end date passed, neither done, not done nor cancelled).
WITH activities AS (
    SELECT p.period, a.area_type, a.area_code, a.promise,
           a.status = 'genomford' AS done,
           a.status = 'installd' AS cancelled,
           a.end_date < last_day(strptime(p.period, '%Y-%m')::DATE)
               AND coalesce(a.status, '') NOT IN ('genomford', 'ej_genomford', 'installd') AS overdue
    FROM calendar p
    JOIN stg_avtal a ON a.start_date <= last_day(strptime(p.period, '%Y-%m')::DATE)
),
grouped AS (
    SELECT period, area_type, area_code, coalesce(promise, '') AS label,
           count(*) FILTER (WHERE done) AS done, count(*) FILTER (WHERE NOT coalesce(cancelled, false)) AS planned,
           count(*) FILTER (WHERE overdue) AS overdue
    FROM activities
    GROUP BY GROUPING SETS ((period, area_type, area_code, promise), (period, area_type, area_code))
)
SELECT area_type, area_code, 'insatser_genomforda' AS indicator_id, 'Genomförda insatser' AS title, label,
       period, done AS numerator, planned AS denominator, 100.0 * done / nullif(planned, 0) AS value,
       'procent av insatserna (inställda oräknade)' AS unit
FROM grouped
UNION ALL
SELECT area_type, area_code, 'insatser_forsenade', 'Försenade insatser', label, period, overdue, planned, overdue,
       'antal insatser vars slutdatum har passerats utan att de är genomförda'
FROM grouped
