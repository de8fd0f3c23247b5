-- A municipality "answers" a level when at least half of its sectors that took a position do.
SELECT municipality_code, round, area_id, question_id,
       count(presence) AS answered, count(presence_value) AS positioned, sum(presence_value) AS value_sum,
       count(trend_value) AS trend_positioned,
       2 * count(*) FILTER (WHERE presence_value >= 2) >= count(presence_value) AND count(presence_value) > 0 AS some_or_more,
       2 * count(*) FILTER (WHERE trend_value > 0) >= count(trend_value) AND count(trend_value) > 0 AS increased
FROM int_enkat_answers
GROUP BY ALL
