-- The quarters, tertials, half-years and years that hold each month of the counted indicators, with the number of
-- months a period has (periods.py names them). A period's figures are the sum of its months and
-- exist only when every one of them is covered (int_indicator_kommun).
WITH parts AS (
    SELECT period AS month, year, month(strptime(period, '%Y-%m')) AS number FROM int_count_months
)
SELECT month, 'quarter' AS kind, year || '-Q' || ((number - 1) // 3 + 1) AS period, 3 AS months FROM parts
UNION ALL SELECT month, 'tertial', year || '-T' || ((number - 1) // 4 + 1), 4 FROM parts
UNION ALL SELECT month, 'half', year || '-H' || ((number - 1) // 6 + 1), 6 FROM parts
UNION ALL SELECT month, 'year', year::VARCHAR, 12 FROM parts
ORDER BY kind, month
