-- Registered crimes per municipality, month and category: Brå's level 1 and level 2 (a code that
-- brottskoder.csv does not know is 'okand_brottskod'), the lägesbild question area ('ingen_fraga'
-- for a known code without one), the weekday of Brottsdatum från ('1' Monday .. '7' Sunday, 'okand'),
-- the RegSO and the DeSO ('okant': no DeSO given, or for RegSO one the DeSO table does not know).
-- Every category of the code list has a row in every covered month, a zero where nothing happened;
-- the RegSO and DeSO lists are the municipality's own areas and 'okant'.
WITH categories AS (
    SELECT 'polisen_level1' AS indicator_id, municipality_code, period, level1 AS category, crimes FROM int_polisen_crimes
    UNION ALL SELECT 'polisen_level2', municipality_code, period, level2, crimes FROM int_polisen_crimes
    UNION ALL SELECT 'polisen_question_area', municipality_code, period, question_area, crimes FROM int_polisen_crimes
    UNION ALL SELECT 'polisen_weekday', municipality_code, period, weekday, crimes FROM int_polisen_crimes
    UNION ALL SELECT 'polisen_regso', municipality_code, period, regso, crimes FROM int_polisen_crimes
    UNION ALL SELECT 'polisen_deso', municipality_code, period, deso, crimes FROM int_polisen_crimes
),
breakdowns(indicator_id, dimension, codelist, local) AS (
    VALUES ('polisen_level1', 'brottskategori', 'polisen_level1', false),
           ('polisen_level2', 'brottstyp', 'polisen_level2', false),
           ('polisen_question_area', 'lagesbildsfraga', 'polisen_fraga', false),
           ('polisen_weekday', 'veckodag', 'polisen_veckodag', false),
           ('polisen_regso', 'regso', 'polisen_regso', true),
           ('polisen_deso', 'deso', 'polisen_deso', true)
),
grid AS (
    SELECT b.indicator_id, v.municipality_code, v.period, b.dimension, r.code AS category
    FROM int_polisen_coverage v
    CROSS JOIN breakdowns b
    JOIN ref_codes r ON r.codelist = b.codelist
    WHERE NOT b.local OR r.code = 'okant' OR left(r.code, 4) = v.municipality_code
)
SELECT g.indicator_id, g.municipality_code, g.period, g.dimension, g.category,
       coalesce(sum(c.crimes), 0) AS numerator, NULL::DOUBLE AS denominator, NULL AS population_basis
FROM grid g
LEFT JOIN categories c USING (indicator_id, municipality_code, period, category)
GROUP BY ALL
