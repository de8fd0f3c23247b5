-- The member municipalities of every region in scope in a snapshot month (areas).
SELECT m.area_type, m.area_code, m.area_name, m.municipality_code, a.snapshot_from, a.snapshot_to
FROM (SELECT DISTINCT area_type, area_code, snapshot_from, snapshot_to FROM areas WHERE area_type <> 'kommun') a
JOIN ref_area_member m USING (area_type, area_code)
ORDER BY a.snapshot_from, m.area_type, m.area_code, m.area_name, m.municipality_code
