-- A configured unit whose forms stop before INTOX's latest month: its export may be late, and its
-- municipalities count as zero in the months without forms. Said only when there are forms at all.
SELECT 'enheten ''' || c.unit || ''' har inga formulär '
       || CASE WHEN d.last_period IS NULL THEN 'alls' ELSE 'efter ' || d.last_period END
       || '. Saknas en export? Dess kommuner räknas annars som noll de månaderna.' AS message
FROM (SELECT DISTINCT unit FROM ref_coverage) c
LEFT JOIN int_unit_delivered d USING (unit)
WHERE (d.last_period IS NULL OR d.last_period < (SELECT max(period) FROM int_months))
  AND EXISTS (SELECT 1 FROM int_months)
ORDER BY c.unit
