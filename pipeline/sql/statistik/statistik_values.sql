-- Official statistics per area, year and indicator: counts as rates per 100 000, pooled for regions.
--
-- Inputs
--   stg_statistik(path, sha256, source_row, area_code, period, indicator_id, count, value, value_is_rate,
--                 sheet, title, unit, survey, ci_low, ci_high)
--       tidy rows of pipeline/ingest/sources/statistik.py; area_code '1766' | 'lan-20' | 'riket' | a region id;
--       sheet … ci_high only from Brå's workbooks (NTU values with their 95 % confidence intervals)
--   ref_population_year(municipality_code, year, population_mean, basis)
--       mean population of the year, (31 Dec previous year + 31 Dec year) / 2, with its basis text
--       (pipeline.build.statistik.population_years, from pipeline.places.mean_population)
--   ref_area_member(area_type, area_code, area_name, municipality_code)
--       every region with its member municipalities (pipeline.places.region_members)
--
-- Output: statistik_values(area_type, area_code, period, indicator_id, count, population,
--         rate_per_100k, value_given, ci_low, ci_high, basis, areas_covered, areas_total, files)
--
-- Rules
--   * One figure per area × year × indicator: when several files give one, the file whose path
--     sorts last wins, separately for the count and for the given value (a Brå count and a Kolada
--     rate of the same indicator both stay).
--   * Municipality: rate_per_100k = count / mean population of the year × 100 000.
--   * Region (county, the country, a cooperation): POOLED, sum of counts / sum of the members'
--     mean populations × 100 000. The count is the source's own count for the region when it gave
--     one (Brå's "Dalarnas län", "Hela landet": the country's count includes offences with no known
--     municipality); else the sum of the members' counts, and only when every member has a count
--     that year. Otherwise count and rate stay NULL and `basis` says how many members have one.
--   * value_given: a rate or level the source itself published. Kept as given for its own area,
--     never averaged into a region: a region has one only when the source gave it for the region
--     itself (Kolada's 0020, Brå's county row). Its confidence interval (ci_low, ci_high: NTU) comes
--     from the same row as the value, and is likewise never made for a region.
--   * files: the files (and a workbook's sheets) the figures come from.
--   * areas_covered / areas_total: members with a count / members (1 / 1 for a municipality).
WITH src AS (
    SELECT area_code, period, indicator_id,
           arg_max(count, path || lpad(source_row::VARCHAR, 9, '0')) FILTER (WHERE count IS NOT NULL) AS count,
           arg_max(value, path || lpad(source_row::VARCHAR, 9, '0')) FILTER (WHERE value IS NOT NULL AND value_is_rate) AS value_given,
           arg_max_null(ci_low, path || lpad(source_row::VARCHAR, 9, '0')) FILTER (WHERE value IS NOT NULL AND value_is_rate) AS ci_low,
           arg_max_null(ci_high, path || lpad(source_row::VARCHAR, 9, '0')) FILTER (WHERE value IS NOT NULL AND value_is_rate) AS ci_high,
           string_agg(DISTINCT path || coalesce(' (flik ' || sheet || ')', ''), '; ' ORDER BY path || coalesce(' (flik ' || sheet || ')', '')) AS files
    FROM stg_statistik
    GROUP BY ALL
),
pop AS (
    SELECT municipality_code, year::INTEGER AS year, population_mean, basis FROM ref_population_year
),
areas AS (
    SELECT DISTINCT area_type, area_code FROM ref_area_member
),
members AS (
    SELECT area_type, area_code, count(DISTINCT municipality_code) AS areas_total
    FROM ref_area_member GROUP BY ALL
),
region_pop AS (  -- complete only when every member has a population that year
    SELECT m.area_type, m.area_code, p.year, sum(p.population_mean) AS population,
           count(DISTINCT m.municipality_code) AS members_with_population,
           string_agg(DISTINCT p.basis, '; ' ORDER BY p.basis) AS basis
    FROM ref_area_member m JOIN pop p USING (municipality_code)
    GROUP BY ALL
),
member_counts AS (
    SELECT m.area_type, m.area_code, s.period, s.indicator_id,
           count(s.count) AS areas_covered, sum(s.count) AS count_sum,
           string_agg(DISTINCT s.files, '; ' ORDER BY s.files) AS files
    FROM ref_area_member m JOIN src s ON s.area_code = m.municipality_code
    GROUP BY ALL
    HAVING count(s.count) > 0  -- values alone (Kolada's rates) make no region figure
),
kommun AS (
    SELECT 'kommun' AS area_type, s.area_code, s.period, s.indicator_id, s.count,
           p.population_mean AS population,
           s.count * 100000.0 / p.population_mean AS rate_per_100k,
           s.value_given, s.ci_low, s.ci_high,
           CASE WHEN s.count IS NULL THEN 'värde enligt källan'
                WHEN p.population_mean IS NULL THEN 'folkmängd saknas för året'
                ELSE p.basis END AS basis,
           CASE WHEN s.count IS NULL THEN 0 ELSE 1 END AS areas_covered, 1 AS areas_total, s.files
    FROM src s
    LEFT JOIN pop p ON p.municipality_code = s.area_code AND p.year = TRY_CAST(s.period AS INTEGER)
    WHERE regexp_full_match(s.area_code, '\d{4}')  -- codes of unknown regions are left out
),
region_keys AS (
    SELECT area_type, area_code, period, indicator_id FROM member_counts
    UNION
    SELECT a.area_type, s.area_code, s.period, s.indicator_id FROM src s JOIN areas a USING (area_code)
),
region AS (
    SELECT k.area_type, k.area_code, k.period, k.indicator_id,
           coalesce(o.count, mc.count_sum) AS member_or_own_count,
           o.count AS own_count, mc.count_sum, coalesce(mc.areas_covered, 0) AS areas_covered,
           m.areas_total, o.value_given, o.ci_low, o.ci_high,
           rp.population, rp.members_with_population, rp.basis AS population_basis,
           concat_ws('; ', o.files, mc.files) AS files
    FROM region_keys k
    JOIN members m USING (area_type, area_code)
    LEFT JOIN src o ON o.area_code = k.area_code AND o.period = k.period AND o.indicator_id = k.indicator_id
    LEFT JOIN member_counts mc ON mc.area_type = k.area_type AND mc.area_code = k.area_code
                              AND mc.period = k.period AND mc.indicator_id = k.indicator_id
    LEFT JOIN region_pop rp ON rp.area_type = k.area_type AND rp.area_code = k.area_code
                           AND rp.year = TRY_CAST(k.period AS INTEGER)
),
region_values AS (
    SELECT area_type, area_code, period, indicator_id,
           CASE WHEN own_count IS NOT NULL THEN own_count
                WHEN areas_covered = areas_total THEN count_sum END AS count,
           CASE WHEN members_with_population = areas_total THEN population END AS population,
           value_given, ci_low, ci_high, areas_covered, areas_total, files,
           CASE WHEN own_count IS NULL AND areas_covered < areas_total AND areas_covered > 0
                    THEN 'underlag saknas: ' || areas_covered || ' av ' || areas_total || ' kommuner har antal'
                WHEN own_count IS NULL AND areas_covered = 0 THEN 'värde enligt källan'
                WHEN members_with_population IS DISTINCT FROM areas_total THEN 'folkmängd saknas för året'
                WHEN own_count IS NOT NULL
                    THEN 'antal enligt källan för området; ' || population_basis || ', summa av ' || areas_total || ' kommuner'
                ELSE 'summa av ' || areas_total || ' kommuner; ' || population_basis END AS basis
    FROM region
)
SELECT area_type, area_code, period, indicator_id, count::BIGINT AS count, population,
       count * 100000.0 / population AS rate_per_100k, value_given, ci_low, ci_high, basis,
       areas_covered::INTEGER AS areas_covered, areas_total::INTEGER AS areas_total, files
FROM region_values
UNION ALL
SELECT area_type, area_code, period, indicator_id, count::BIGINT, population, rate_per_100k, value_given, ci_low, ci_high, basis,
       areas_covered, areas_total, files
FROM kommun
