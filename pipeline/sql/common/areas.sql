-- The areas in scope for each snapshot month, one row per area and source with data for it then:
-- every municipality with data from a source (its <source>_areas model), and every region (a
-- county, the country, a cooperation of schemas/regions.yaml) with such a member or with data of
-- its own. A region's sources are its members' and its own.
WITH own AS (
    SELECT c.period, s.source, s.area_type, s.area_code
    FROM calendar c
    JOIN int_source_areas s ON s.from_period <= c.period AND (s.to_period IS NULL OR c.period <= s.to_period)
),
scoped AS (
    SELECT period, source, area_type, area_code FROM own
    UNION
    SELECT o.period, o.source, m.area_type, m.area_code
    FROM own o JOIN ref_area_member m ON m.municipality_code = o.area_code
    WHERE o.area_type = 'kommun'
)
SELECT s.area_type, s.area_code, coalesce(n.area_name, s.area_code) AS area_name, s.source,
       s.period AS snapshot_from, s.period AS snapshot_to
FROM scoped s
LEFT JOIN ref_area n USING (area_type, area_code)
ORDER BY snapshot_from, area_type, area_code, source
