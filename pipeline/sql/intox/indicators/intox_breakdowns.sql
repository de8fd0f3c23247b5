-- INTOX forms per municipality, month and category of substance, age band, sex and intent.
-- The share's denominator is all forms of the municipality and month. Categories without forms
-- get a zero row so that a breakdown is complete.
WITH forms AS (
    SELECT f.*, f.age_band AS aldersgrupp, f.sex AS kon, f.intent AS avsikt
    FROM int_intox_forms f
),
totals AS (
    SELECT c.municipality_code, c.period, count(f.period) AS total
    FROM int_coverage c LEFT JOIN forms f USING (municipality_code, period)
    GROUP BY ALL
),
categories AS (
    SELECT 'intox_substance' AS indicator_id, municipality_code, period, 'substans' AS dimension,
           unnest(substances) AS category
    FROM forms
    UNION ALL SELECT 'intox_age', municipality_code, period, 'aldersgrupp', aldersgrupp FROM forms
    UNION ALL SELECT 'intox_sex', municipality_code, period, 'kon', kon FROM forms
    UNION ALL SELECT 'intox_intent', municipality_code, period, 'avsikt', avsikt FROM forms
),
grid AS (
    SELECT i.indicator_id, t.municipality_code, t.period, i.dimension, r.code AS category, t.total
    FROM totals t
    CROSS JOIN (VALUES ('intox_substance', 'substans', 'substance'), ('intox_age', 'aldersgrupp', 'age_band'),
                       ('intox_sex', 'kon', 'sex'), ('intox_intent', 'avsikt', 'intent')) i(indicator_id, dimension, codelist)
    JOIN ref_codes r ON r.codelist = i.codelist
)
SELECT g.indicator_id, g.municipality_code, g.period, g.dimension, g.category,
       count(c.category) AS numerator, g.total::DOUBLE AS denominator, NULL AS population_basis
FROM grid g
LEFT JOIN categories c USING (indicator_id, municipality_code, period, dimension, category)
GROUP BY ALL
