-- The regional picture: per region, round and question, how many member municipalities say what,
-- ranked within the region and round.
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
JOIN ref_enkat_question q USING (question_id)
