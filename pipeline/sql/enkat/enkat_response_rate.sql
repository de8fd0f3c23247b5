-- Process indicator per municipality, round and snapshot month P: the expected sectors that
-- answered, for the rounds begun by P.
SELECT 'kommun' AS area_type, c.municipality_code AS area_code, 'enkat_svarsfrekvens' AS indicator_id,
       'Svarsfrekvens i lägesbildsenkäten' AS title, c.round AS label, p.period,
       count(*) FILTER (WHERE c.submissions > 0) AS numerator, count(*) AS denominator,
       100.0 * count(*) FILTER (WHERE c.submissions > 0) / count(*) AS value,
       'procent av de förväntade sektorerna' AS unit
FROM calendar p
JOIN int_enkat_coverage c ON round_start(c.round) <= p.period
WHERE c.expected
GROUP BY ALL
