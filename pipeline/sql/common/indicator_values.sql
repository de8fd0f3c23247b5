-- Every indicator for every area: municipalities as computed, regions pooled over the members
-- that have a row (the covered ones): sum of numerators over sum of denominators. An indicator
-- whose catalogue entry says `regions: false` (a breakdown by DeSO or place) stays per municipality.
-- Denominators are summed as decimals: a sum of doubles depends on the order DuckDB's threads add them
-- in, and a last digit that differs from run to run would publish the month again and redo its reports.
WITH members AS (
    SELECT *, count(*) OVER (PARTITION BY area_code) AS areas_total FROM ref_area_member
),
pooled AS (
    SELECT indicator_id, 'kommun' AS area_type, municipality_code AS area_code, period, dimension, category,
           numerator, denominator, population_basis, 1 AS areas_covered, 1 AS areas_total
    FROM int_indicator_kommun
    UNION ALL
    SELECT k.indicator_id, a.area_type, a.area_code, k.period, k.dimension, k.category,
           sum(k.numerator), sum(k.denominator::DECIMAL(38, 6))::DOUBLE,
           string_agg(DISTINCT k.population_basis, '; ' ORDER BY k.population_basis),
           count(*), any_value(a.areas_total)
    FROM int_indicator_kommun k
    JOIN members a USING (municipality_code)
    WHERE k.indicator_id IN (SELECT indicator_id FROM ref_indicators WHERE regions)
    GROUP BY k.indicator_id, a.area_type, a.area_code, k.period, k.dimension, k.category
)
SELECT p.indicator_id, p.area_type, p.area_code, p.period, p.dimension, p.category,
       CASE c.value
           WHEN 'count' THEN p.numerator
           ELSE p.numerator * c.scale / nullif(p.denominator, 0)
       END::DOUBLE AS value,
       p.numerator::BIGINT AS numerator, p.denominator, p.population_basis, p.areas_covered, p.areas_total
FROM pooled p
JOIN ref_indicators c USING (indicator_id)
ORDER BY ALL
