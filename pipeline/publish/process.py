"""Process indicators (kort sikt: was the work done), as of the last day of a snapshot's month.

- From the register of agreements: per promise and per area, the activities, how many are done
  (genomförd) of those not cancelled (inställd), and how many are overdue: their end date has
  passed and they are neither done, not done (ej genomförd) nor cancelled.
- From the questionnaire: per municipality and round, the expected sectors that answered.
- From INTOX: per unit, the covered months in the last 12 in which it sent no forms at all.

They describe the work of functions and units, not persons, and are published as they are.
"""
from __future__ import annotations

import pandas as pd

PROCESS_COLUMNS = ["area_type", "area_code", "indicator_id", "title", "label", "period", "numerator", "denominator", "value", "unit"]

QUERIES = {
    # One row per promise of an area, and one for all of the area's promises (label '').
    "activities": """
        WITH activities AS (
            SELECT area_type, area_code, promise,
                   status = 'genomford' AS done,
                   status = 'installd' AS cancelled,
                   end_date < last_day(strptime($period, '%Y-%m')::DATE) AND coalesce(status, '') NOT IN ('genomford', 'ej_genomford', 'installd') AS overdue
            FROM stg_avtal
            WHERE start_date <= last_day(strptime($period, '%Y-%m')::DATE)
        ),
        grouped AS (
            SELECT area_type, area_code, coalesce(promise, '') AS label,
                   count(*) FILTER (WHERE done) AS done, count(*) FILTER (WHERE NOT coalesce(cancelled, false)) AS planned,
                   count(*) FILTER (WHERE overdue) AS overdue
            FROM activities
            GROUP BY GROUPING SETS ((area_type, area_code, promise), (area_type, area_code))
        )
        SELECT area_type, area_code, 'insatser_genomforda' AS indicator_id, 'Genomförda insatser' AS title, label,
               $period AS period, done AS numerator, planned AS denominator, 100.0 * done / nullif(planned, 0) AS value,
               'procent av insatserna (inställda oräknade)' AS unit
        FROM grouped
        UNION ALL
        SELECT area_type, area_code, 'insatser_forsenade', 'Försenade insatser', label, $period, overdue, planned, overdue,
               'antal insatser vars slutdatum har passerats utan att de är genomförda'
        FROM grouped
    """,
    "response_rate": """
        SELECT 'kommun' AS area_type, municipality_code AS area_code, 'enkat_svarsfrekvens' AS indicator_id,
               'Svarsfrekvens i lägesbildsenkäten' AS title, round AS label, $period AS period,
               count(*) FILTER (WHERE submissions > 0) AS numerator, count(*) AS denominator,
               100.0 * count(*) FILTER (WHERE submissions > 0) / count(*) AS value,
               'procent av de förväntade sektorerna' AS unit
        FROM enkat_coverage
        WHERE expected AND left(round, 4) || CASE WHEN right(round, 2) = 'H1' THEN '-01' ELSE '-07' END <= $period
        GROUP BY ALL
    """,
    "silent_months": """
        WITH covered AS (
            SELECT DISTINCT c.unit, m.period
            FROM ref_coverage c
            JOIN int_months m ON m.period >= c.from_period AND (c.to_period IS NULL OR m.period <= c.to_period)
            WHERE m.period <= $period AND m.period > strftime(strptime($period, '%Y-%m') - INTERVAL 12 MONTH, '%Y-%m')
        ),
        sent AS (SELECT DISTINCT unit, period FROM int_intox_forms_all)
        SELECT 'enhet' AS area_type, c.unit AS area_code, 'intox_manader_utan_formular' AS indicator_id,
               'Månader utan INTOX-formulär' AS title, c.unit AS label, $period AS period,
               count(*) FILTER (WHERE s.unit IS NULL) AS numerator, count(*) AS denominator,
               count(*) FILTER (WHERE s.unit IS NULL) AS value,
               'antal av de senaste 12 täckta månaderna utan ett enda formulär från enheten' AS unit
        FROM covered c LEFT JOIN sent s USING (unit, period)
        GROUP BY ALL
    """,
}


ACTIVITY_LIST = """
    SELECT area_type, area_code, promise, activity, responsible, start_date, end_date,
           coalesce(status, '') AS status,
           CASE status WHEN 'ej_paborjad' THEN 'Ej påbörjad' WHEN 'pagar' THEN 'Pågår' WHEN 'genomford' THEN 'Genomförd'
                       WHEN 'ej_genomford' THEN 'Ej genomförd' WHEN 'installd' THEN 'Inställd' ELSE 'Status saknas' END AS status_label,
           end_date < last_day(strptime($period, '%Y-%m')::DATE) AND coalesce(status, '') NOT IN ('genomford', 'ej_genomford', 'installd') AS overdue,
           indicators
    FROM stg_avtal
    ORDER BY area_type, area_code, promise, start_date, activity
"""


def activity_list(con, period: str) -> pd.DataFrame:
    """The register's activities as the reports list them (functions, never persons, are named)."""
    return con.execute(ACTIVITY_LIST, {"period": period}).df()


def process_values(con, period: str) -> pd.DataFrame:
    """All process indicators of the snapshot for `period` ('YYYY-MM')."""
    frames = [con.execute(sql, {"period": period}).df() for sql in QUERIES.values()]
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=PROCESS_COLUMNS)
    return pd.concat(frames, ignore_index=True)[PROCESS_COLUMNS].sort_values(["indicator_id", "area_type", "area_code", "label"], ignore_index=True)
