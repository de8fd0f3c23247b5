-- The register's activities as the reports list them (functions, never persons, are named), in
-- every snapshot. As of the last day of a snapshot's month an open activity (not done, not done
-- as planned, not cancelled) is overdue once its end date has passed: from the month of the day
-- after its end date it comes as a second row with overdue true.
WITH activities AS (
    SELECT *,
           coalesce(status, '') NOT IN ('genomford', 'ej_genomford', 'installd') AS open,
           strftime(end_date + INTERVAL 1 DAY, '%Y-%m') AS overdue_from
    FROM stg_avtal
),
phases AS (
    SELECT *, CASE WHEN end_date IS NULL AND open THEN NULL ELSE false END AS overdue,
           NULL::VARCHAR AS snapshot_from,
           CASE WHEN open THEN strftime(strptime(overdue_from, '%Y-%m') - INTERVAL 1 MONTH, '%Y-%m') END AS snapshot_to
    FROM activities
    UNION ALL
    SELECT *, true, overdue_from, NULL
    FROM activities
    WHERE open AND end_date IS NOT NULL
)
SELECT area_type, area_code, promise, activity, responsible, start_date, end_date,
       coalesce(status, '') AS status,
       CASE status WHEN 'ej_paborjad' THEN 'Ej påbörjad' WHEN 'pagar' THEN 'Pågår' WHEN 'genomford' THEN 'Genomförd'
                   WHEN 'ej_genomford' THEN 'Ej genomförd' WHEN 'installd' THEN 'Inställd' ELSE 'Status saknas' END AS status_label,
       overdue, indicators, path, source_row, snapshot_from, snapshot_to
FROM phases
ORDER BY area_type, area_code, promise, start_date, activity, path, source_row, overdue
