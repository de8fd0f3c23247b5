-- Answer distributions per municipality, round and question ('' = the whole area).
SELECT municipality_code, round, area_id, coalesce(question_id, '') AS question_id, scale, code, count(*) AS answers
FROM (
    SELECT municipality_code, round, area_id, question_id, 'presence' AS scale, presence AS code FROM int_enkat_answers WHERE presence IS NOT NULL
    UNION ALL
    SELECT municipality_code, round, area_id, question_id, 'trend', trend FROM int_enkat_answers WHERE trend IS NOT NULL
)
GROUP BY GROUPING SETS ((municipality_code, round, area_id, question_id, scale, code), (municipality_code, round, area_id, scale, code))
