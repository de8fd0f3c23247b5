-- Process indicator per unit and snapshot month P: of the covered months among the last 12 up to
-- P (within int_months), those in which the unit sent no forms at all.
WITH covered AS (
    SELECT DISTINCT p.period AS snapshot, c.unit, m.period AS month
    FROM calendar p
    JOIN int_months m ON m.period <= p.period AND m.period > strftime(strptime(p.period, '%Y-%m') - INTERVAL 12 MONTH, '%Y-%m')
    JOIN ref_coverage c ON m.period >= c.from_period AND (c.to_period IS NULL OR m.period <= c.to_period)
),
sent AS (SELECT DISTINCT unit, period FROM int_intox_forms_all)
SELECT 'enhet' AS area_type, c.unit AS area_code, 'intox_manader_utan_formular' AS indicator_id,
       'Månader utan INTOX-formulär' AS title, c.unit AS label, c.snapshot AS period,
       count(*) FILTER (WHERE s.unit IS NULL) AS numerator, count(*) AS denominator,
       count(*) FILTER (WHERE s.unit IS NULL) AS value,
       'antal av de senaste 12 täckta månaderna utan ett enda formulär från enheten' AS unit
FROM covered c
LEFT JOIN sent s ON s.unit = c.unit AND s.period = c.month
GROUP BY ALL
