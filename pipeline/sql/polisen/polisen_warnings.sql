-- What the build says about the police's deliveries (Swedish; nothing is left out for it):
-- crime codes brottskoder.csv does not know (counted under 'Okänd brottskod'), DeSO areas the DeSO
-- table does not know (their RegSO is 'Okänt område'), and deliveries whose crimes end before the
-- month their name gives (the months after count as zero) or run beyond it.
WITH names AS (SELECT municipality_code, municipality_name FROM ref_municipality),
unknown_codes AS (
    SELECT 'brottskoden ' || crime_code || ' finns inte i brottskodslistan (data/reference/brottskoder.csv): '
           || sum(crimes) || ' brott i ' || string_agg(DISTINCT n.municipality_name, ', ' ORDER BY n.municipality_name)
           || ' räknas under ''Okänd brottskod''.' AS message
    FROM int_polisen_crimes c JOIN names n USING (municipality_code)
    WHERE NOT code_known
    GROUP BY crime_code
),
unknown_deso AS (
    SELECT CASE WHEN count(DISTINCT deso) = 1 THEN 'DeSO-området ' || min(deso) || ' i ' || any_value(n.municipality_name)
                ELSE count(DISTINCT deso) || ' DeSO-områden i ' || any_value(n.municipality_name) || ' (t.ex. ' || min(deso) || ')'
           END || ' finns inte i DeSO-tabellen; brotten där räknas under ''Okänt område'' per RegSO. '
           || 'Lägg SCB:s DeSO-tabell i arbetsmappens data/reference/deso.csv.' AS message
    FROM int_polisen_crimes c JOIN names n USING (municipality_code)
    WHERE NOT deso_known
    GROUP BY municipality_code
),
short AS (
    SELECT DISTINCT 'leveransen ' || path || ' har inga brott efter ' || last_period || ' men gäller enligt filnamnet till och med '
           || named_period || '; månaderna däremellan räknas som noll. Är filen avklippt?' AS message
    FROM int_polisen_deliveries
    WHERE named_period > last_period
),
beyond AS (
    SELECT DISTINCT 'leveransen ' || path || ' har brott inskrivna efter ' || named_period
           || ', månaden i filnamnet; den räknas gälla till och med ' || last_period || '.' AS message
    FROM int_polisen_deliveries
    WHERE named_period < last_period
)
SELECT message FROM unknown_codes
UNION ALL SELECT message FROM unknown_deso
UNION ALL SELECT message FROM short
UNION ALL SELECT message FROM beyond
ORDER BY message
