-- The published official statistics: the years up to a snapshot's year, with the catalogue's
-- titles. They are public already: counts and rates as the source gave them, a region's rate pooled.
-- An indicator the catalogue does not know (from Brå's workbooks) has the title and unit the workbook
-- gives it; `survey` is 'NTU' for a value of Brå's Nationella trygghetsundersökning (with ci_low, ci_high).
WITH given AS (  -- per indicator: what the files say of it, the file whose path sorts last winning
    SELECT indicator_id,
           arg_max(title, path || lpad(source_row::VARCHAR, 9, '0')) AS title,
           arg_max(unit, path || lpad(source_row::VARCHAR, 9, '0')) AS unit,
           max(survey) AS survey
    FROM stg_statistik
    GROUP BY ALL
)
SELECT v.*, coalesce(i.title, g.title, v.indicator_id) AS title, coalesce(i.unit, g.unit) AS unit,
       coalesce(i.decimals, 0) AS decimals, coalesce(i.kind, 'lång sikt') AS kind, coalesce(i.polarity, 'ingen') AS polarity,
       coalesce(i.source, CASE WHEN coalesce(i.survey::VARCHAR, g.survey) = 'NTU' THEN 'Brå, Nationella trygghetsundersökningen (NTU)'
                               ELSE 'Brå, anmälda brott' END) AS source,
       coalesce(i.survey::VARCHAR, g.survey) AS survey, v.period || '-01' AS snapshot_from
FROM statistik_values v
LEFT JOIN ref_statistik_indicator i USING (indicator_id)
LEFT JOIN given g USING (indicator_id)
ORDER BY ALL
