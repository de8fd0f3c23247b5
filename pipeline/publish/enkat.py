"""Publish the questionnaire figures: the snapshot's enkat_*.parquet tables, with their labels.

Questionnaire answers are assessments by organisations (a municipality's police, school, …), not
records about persons, so they are published as answered: the lägesbild shows which sector said
what. Nothing that identifies a respondent is stored, and comments are never published.
A snapshot for month P holds the rounds that have begun by P (H1 begins in January, H2 in July).
"""
from __future__ import annotations

import pandas as pd

ROUND_BEGUN = "left(round, 4) || CASE WHEN right(round, 2) = 'H1' THEN '-01' ELSE '-07' END <= $period"

QUERIES = {
    "enkat_answers": """
        SELECT a.municipality_code, a.round, a.sector, s.label AS sector_label, s.sort_order AS sector_order,
               a.area_id, q.area_title, q.area_order, a.question_id, q.question_text, q.question_order,
               a.presence, p.label AS presence_label, a.presence_value, a.trend, t.label AS trend_label, a.trend_value
        FROM enkat_answers a
        JOIN ref_enkat_question q USING (question_id)
        JOIN ref_enkat_sector s USING (sector)
        LEFT JOIN ref_enkat_answer p ON p.scale = 'presence' AND p.code = a.presence
        LEFT JOIN ref_enkat_answer t ON t.scale = 'trend' AND t.code = a.trend
        WHERE {begun} ORDER BY ALL
    """,
    "enkat_values": """
        SELECT v.*, a.area_title, a.area_order, coalesce(q.question_text, '') AS question_text, coalesce(q.question_order, -1) AS question_order
        FROM enkat_values v
        JOIN (SELECT DISTINCT area_id, area_title, area_order FROM ref_enkat_question) a USING (area_id)
        LEFT JOIN ref_enkat_question q ON q.question_id = v.question_id
        WHERE {begun} ORDER BY municipality_code, round, area_order, question_order
    """,
    "enkat_distribution": """
        SELECT d.*, r.label, r.value, r.sort_order
        FROM enkat_distribution d JOIN ref_enkat_answer r USING (scale, code)
        WHERE {begun} ORDER BY ALL
    """,
    "enkat_samsyn": """
        SELECT m.*, q.area_title, q.question_text, q.question_order,
               sl.label AS sector_low_label, al.label AS answer_low_label, sh.label AS sector_high_label, ah.label AS answer_high_label
        FROM enkat_samsyn m
        JOIN ref_enkat_question q USING (question_id)
        JOIN ref_enkat_sector sl ON sl.sector = m.sector_low
        JOIN ref_enkat_sector sh ON sh.sector = m.sector_high
        JOIN ref_enkat_answer al ON al.scale = 'presence' AND al.code = m.answer_low
        JOIN ref_enkat_answer ah ON ah.scale = 'presence' AND ah.code = m.answer_high
        WHERE {begun} ORDER BY municipality_code, round, difference DESC, question_order, sl.sort_order, sh.sort_order
    """,
    "enkat_region": """
        SELECT r.*, n.area_name, q.area_title, q.question_text, q.question_order
        FROM enkat_region_values r
        JOIN ref_area n USING (area_type, area_code)
        JOIN ref_enkat_question q USING (question_id)
        WHERE {begun} ORDER BY area_type, area_code, round, rank
    """,
    "enkat_coverage": """
        SELECT c.*, m.municipality_name, s.label AS sector_label, s.sort_order AS sector_order
        FROM enkat_coverage c
        JOIN ref_municipality m USING (municipality_code)
        JOIN ref_enkat_sector s USING (sector)
        WHERE {begun} ORDER BY municipality_code, round, sector_order
    """,
    "enkat_replaced": """
        SELECT r.*, s.label AS sector_label
        FROM enkat_replaced r JOIN ref_enkat_sector s USING (sector)
        WHERE {begun} ORDER BY ALL
    """,
}


def enkat_tables(con, period: str) -> dict[str, pd.DataFrame]:
    """Every questionnaire table of the snapshot for `period`."""
    return {name: con.execute(sql.format(begun=ROUND_BEGUN), {"period": period}).df() for name, sql in QUERIES.items()}
