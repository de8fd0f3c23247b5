-- Lägesbild questionnaire: from staged answers to the figures the reports show.
-- Reads stg_enkat and the reference tables ref_enkat_question, ref_enkat_answer (value 0-3 for
-- presence, -1/0/1 for trend, NULL for "Vet ej"), ref_enkat_sector and ref_area_member.
-- Rounds ("2026-H1") sort as text in time order.

-- One submission per file row. The latest from the same municipality, sector and round is kept;
-- a row without a submission time counts from when its file was loaded.
CREATE OR REPLACE TABLE int_enkat_submissions AS
WITH submissions AS (
    SELECT DISTINCT e.path, e.source_row, e.round, e.municipality_code, e.sector,
           coalesce(e.submitted_at, f.loaded_at) AS submitted_at
    FROM stg_enkat e JOIN raw_files f USING (path)
)
SELECT *, row_number() OVER (
    PARTITION BY municipality_code, sector, round ORDER BY submitted_at DESC, path DESC, source_row DESC
) AS rank
FROM submissions;

CREATE OR REPLACE TABLE enkat_replaced AS
SELECT r.round, r.municipality_code, r.sector, r.path, r.source_row, r.submitted_at,
       k.path AS kept_path, k.source_row AS kept_row, k.submitted_at AS kept_submitted_at
FROM int_enkat_submissions r
JOIN int_enkat_submissions k ON k.municipality_code = r.municipality_code AND k.sector = r.sector AND k.round = r.round AND k.rank = 1
WHERE r.rank > 1;

-- The answers of the kept submissions, with their values.
CREATE OR REPLACE TABLE enkat_answers AS
SELECT e.municipality_code, e.round, e.sector, e.area_id, e.question_id,
       e.presence, p.value AS presence_value, e.trend, t.value AS trend_value
FROM stg_enkat e
JOIN int_enkat_submissions s ON s.path = e.path AND s.source_row = e.source_row AND s.rank = 1
LEFT JOIN ref_enkat_answer p ON p.scale = 'presence' AND p.code = e.presence
LEFT JOIN ref_enkat_answer t ON t.scale = 'trend' AND t.code = e.trend;

-- Answer distributions per municipality, round and question ('' = the whole area).
CREATE OR REPLACE TABLE enkat_distribution AS
SELECT municipality_code, round, area_id, coalesce(question_id, '') AS question_id, scale, code, count(*) AS answers
FROM (
    SELECT municipality_code, round, area_id, question_id, 'presence' AS scale, presence AS code FROM enkat_answers WHERE presence IS NOT NULL
    UNION ALL
    SELECT municipality_code, round, area_id, question_id, 'trend', trend FROM enkat_answers WHERE trend IS NOT NULL
)
GROUP BY GROUPING SETS ((municipality_code, round, area_id, question_id, scale, code), (municipality_code, round, area_id, scale, code));

-- Per municipality, round and question (and area): index beside the shares, samsyn, change.
-- Shares are of all who answered (a "Vet ej" included); the index (mean of 0-3) of those who took a position.
CREATE OR REPLACE TABLE enkat_values AS
WITH current AS (
    SELECT municipality_code, round, area_id, coalesce(question_id, '') AS question_id,
           count(presence) AS answered,
           count(DISTINCT sector) FILTER (WHERE presence IS NOT NULL) AS sectors,
           count(presence_value) AS positioned,
           avg(presence_value) AS presence_index,
           100.0 * count(*) FILTER (WHERE presence_value >= 2) / nullif(count(presence), 0) AS share_some_or_more,
           100.0 * count(*) FILTER (WHERE presence IS NOT NULL AND presence_value IS NULL) / nullif(count(presence), 0) AS share_dont_know,
           count(trend) AS trend_answered,
           100.0 * count(*) FILTER (WHERE trend_value > 0) / nullif(count(trend), 0) AS share_increased,
           100.0 * count(*) FILTER (WHERE trend_value < 0) / nullif(count(trend), 0) AS share_decreased,
           100.0 * count(*) FILTER (WHERE trend IS NOT NULL AND trend_value IS NULL) / nullif(count(trend), 0) AS share_trend_dont_know,
           CASE WHEN question_id IS NOT NULL THEN max(presence_value) - min(presence_value) END AS spread
    FROM enkat_answers
    GROUP BY GROUPING SETS ((municipality_code, round, area_id, question_id), (municipality_code, round, area_id))
)
SELECT *,
       coalesce(spread >= 2, false) AS samsyn_gap,
       lag(round) OVER w AS previous_round,
       lag(presence_index) OVER w AS previous_index,
       presence_index - lag(presence_index) OVER w AS index_change,
       share_some_or_more - lag(share_some_or_more) OVER w AS share_some_or_more_change
FROM current
WINDOW w AS (PARTITION BY municipality_code, area_id, question_id ORDER BY round);

-- Samsyn: pairs of sectors whose presence answers lie two steps or more apart (lower first).
CREATE OR REPLACE TABLE enkat_samsyn AS
SELECT a.municipality_code, a.round, a.area_id, a.question_id,
       a.sector AS sector_low, a.presence AS answer_low, b.sector AS sector_high, b.presence AS answer_high,
       b.presence_value - a.presence_value AS difference
FROM enkat_answers a
JOIN enkat_answers b ON b.municipality_code = a.municipality_code AND b.round = a.round AND b.question_id = a.question_id
WHERE b.presence_value - a.presence_value >= 2;

-- A municipality "answers" a level when at least half of its sectors that took a position do.
CREATE OR REPLACE TABLE int_enkat_municipality AS
SELECT municipality_code, round, area_id, question_id,
       count(presence) AS answered, count(presence_value) AS positioned, sum(presence_value) AS value_sum,
       count(trend_value) AS trend_positioned,
       2 * count(*) FILTER (WHERE presence_value >= 2) >= count(presence_value) AND count(presence_value) > 0 AS some_or_more,
       2 * count(*) FILTER (WHERE trend_value > 0) >= count(trend_value) AND count(trend_value) > 0 AS increased
FROM enkat_answers
GROUP BY ALL;

-- The regional picture: per region, round and question, how many member municipalities say what.
CREATE OR REPLACE TABLE enkat_region_values AS
WITH members AS (
    SELECT area_type, area_code, count(*) AS municipalities FROM ref_area_member GROUP BY ALL
),
regional AS (
    SELECT m.area_type, m.area_code, r.round, r.area_id, r.question_id,
           count(*) FILTER (WHERE r.answered > 0) AS municipalities_answered,
           count(*) FILTER (WHERE r.some_or_more) AS municipalities_some_or_more,
           count(*) FILTER (WHERE r.increased) AS municipalities_increased,
           sum(r.value_sum) / nullif(sum(r.positioned), 0) AS presence_index
    FROM int_enkat_municipality r
    JOIN ref_area_member m USING (municipality_code)
    GROUP BY ALL
)
SELECT r.*, m.municipalities,
       row_number() OVER (
           PARTITION BY r.area_code, r.round
           ORDER BY r.municipalities_some_or_more DESC, r.municipalities_increased DESC, r.presence_index DESC NULLS LAST, q.question_order
       ) AS rank
FROM regional r
JOIN members m USING (area_type, area_code)
JOIN ref_enkat_question q USING (question_id);

-- Coverage: per municipality and round, each sector that answered and each expected one that did not.
CREATE OR REPLACE TABLE enkat_coverage AS
WITH answered AS (
    SELECT municipality_code, round, sector, count(*) AS submissions, max(submitted_at) AS submitted_at
    FROM int_enkat_submissions GROUP BY ALL
)
SELECT r.municipality_code, r.round, s.sector, s.expected,
       coalesce(a.submissions, 0) AS submissions, greatest(coalesce(a.submissions, 0) - 1, 0) AS replaced,
       a.submitted_at
FROM (SELECT DISTINCT municipality_code, round FROM int_enkat_submissions) r
CROSS JOIN ref_enkat_sector s
LEFT JOIN answered a ON a.municipality_code = r.municipality_code AND a.round = r.round AND a.sector = s.sector
WHERE a.sector IS NOT NULL OR s.expected;
