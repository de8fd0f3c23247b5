-- Per municipality, round and question (and area, question_id ''): index beside the shares,
-- samsyn, change since the municipality's previous round. Shares are of all who answered (a
-- "Vet ej" included); the index (mean of 0-3) of those who took a position.
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
    FROM int_enkat_answers
    GROUP BY GROUPING SETS ((municipality_code, round, area_id, question_id), (municipality_code, round, area_id))
)
SELECT *,
       coalesce(spread >= 2, false) AS samsyn_gap,
       lag(round) OVER w AS previous_round,
       lag(presence_index) OVER w AS previous_index,
       presence_index - lag(presence_index) OVER w AS index_change,
       share_some_or_more - lag(share_some_or_more) OVER w AS share_some_or_more_change
FROM current
WINDOW w AS (PARTITION BY municipality_code, area_id, question_id ORDER BY round)
