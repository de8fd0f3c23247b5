"""Process indicators on a hand-checked example: activities done and overdue, questionnaire
response rate, and months in which a unit sent no INTOX forms."""
from __future__ import annotations

import csv

import pandas as pd
import pytest
from intox_helpers import form, write_coverage, write_forms, write_regions

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.ingest import ingest
from pipeline.publish import publish

PERIOD = "2026-06"  # as of 30 June 2026
REGISTER = [
    ["Kommun/område", "Medborgarlöfte", "Insats", "Ansvarig funktion", "Startdatum", "Slutdatum", "Status", "Kopplade indikatorer"],
    ["Sunne", "Tryggt centrum", "Trygghetsvandringar", "Kommunpolis", "2025-01-01", "2026-12-31", "Pågår", ""],
    ["Sunne", "Tryggt centrum", "Belysning", "Gatuchef", "2025-01-01", "2025-12-31", "Genomförd", ""],
    ["Sunne", "Tryggt centrum", "Kameror", "Säkerhetssamordnare", "2025-01-01", "2026-03-31", "Pågår", ""],  # overdue
    ["Sunne", "Färre unga i brott", "Föräldravandringar", "Fritidschef", "2025-01-01", "2026-05-31", "Ej påbörjad", ""],  # overdue
    ["Sunne", "Färre unga i brott", "Lustgaskampanj", "Elevhälsochef", "2025-01-01", "2025-06-30", "Inställd", ""],  # not counted
    ["Sunne", "Färre unga i brott", "Tillsyn", "Alkoholhandläggare", "2025-01-01", "2025-12-31", "Ej genomförd", ""],
    ["Sunne", "Färre unga i brott", "Nästa år", "Fritidschef", "2026-09-01", "2027-05-31", "Ej påbörjad", ""],  # not begun
]


@pytest.fixture(scope="module")
def process(tmp_path_factory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("process")
    write_coverage(root, {"torsby": (["1737"], "2025-07"), "karlstad": (["1780"], "2025-07")})
    write_regions(root, {})
    # Torsby's unit sends forms every month from 2025-07; Karlstad's misses three months of the last 12.
    months = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]
    write_forms(root, "torsby", "t.csv", [form(f"T{i}", f"{m}-10", home="Torsby") for i, m in enumerate(months)])
    silent = {"2025-09", "2026-02", "2026-03"}
    write_forms(root, "karlstad", "k.csv", [form(f"K{i}", f"{m}-10", home="Karlstad") for i, m in enumerate(months) if m not in silent])
    register = root / "data" / "raw" / "avtal" / "register.csv"
    register.parent.mkdir(parents=True)
    with open(register, "w", encoding="cp1252", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(REGISTER)
    # Sunne's questionnaire: four of the six expected sectors answered in 2026-H1.
    survey = root / "data" / "raw" / "enkat" / "svar.csv"
    survey.parent.mkdir(parents=True)
    with open(survey, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Tidstämpel", "Kommun", "Sektor", "Hur förekommer följande i kommunen? [Öppen narkotikahandel]"])
        for day, sector in enumerate(["Polis", "Skola", "Fritid", "Socialtjänst", "Annan verksamhet"], start=1):
            writer.writerow([f"2026-03-0{day} 10:00:00", "Sunne", sector, "I viss utsträckning"])
    ws = Workspace(root)
    outcomes = {o.label: o.action for o in ingest(ws)}
    assert set(outcomes.values()) == {"inläst"}, outcomes
    build(ws)
    target = publish(ws, PERIOD)
    activities = pd.read_parquet(target / "insatser.parquet")
    assert len(activities) == len(REGISTER) - 1
    assert sorted(activities.loc[activities.overdue, "activity"]) == ["Föräldravandringar", "Kameror"]
    assert set(activities.status_label) == {"Pågår", "Genomförd", "Ej påbörjad", "Inställd", "Ej genomförd"}
    return pd.read_parquet(target / "process.parquet")


def one(process: pd.DataFrame, indicator: str, area: str, label: str) -> pd.Series:
    rows = process[(process.indicator_id == indicator) & (process.area_code == area) & (process.label == label)]
    assert len(rows) == 1, (indicator, area, label, len(rows))
    return rows.iloc[0]


def test_share_of_activities_done_leaves_cancelled_and_not_begun_ones_out(process):
    # begun by June 2026: six; cancelled: one -> five planned, one done
    total = one(process, "insatser_genomforda", "1766", "")
    assert (total.numerator, total.denominator) == (1, 5)
    assert total.value == pytest.approx(20.0)
    promise = one(process, "insatser_genomforda", "1766", "Tryggt centrum")
    assert (promise.numerator, promise.denominator) == (1, 3)


def test_overdue_activities_are_past_their_end_and_neither_done_nor_closed(process):
    assert one(process, "insatser_forsenade", "1766", "").numerator == 2
    assert one(process, "insatser_forsenade", "1766", "Tryggt centrum").numerator == 1
    assert one(process, "insatser_forsenade", "1766", "Färre unga i brott").numerator == 1  # "Ej genomförd" is closed


def test_questionnaire_response_rate_counts_expected_sectors(process):
    rate = one(process, "enkat_svarsfrekvens", "1766", "2026-H1")
    assert (rate.numerator, rate.denominator) == (4, 6)  # "Annan verksamhet" is not an expected sector


def test_months_without_forms_per_unit_in_the_last_twelve(process):
    assert one(process, "intox_manader_utan_formular", "karlstad", "karlstad").numerator == 3
    assert one(process, "intox_manader_utan_formular", "torsby", "torsby").numerator == 0
    assert one(process, "intox_manader_utan_formular", "torsby", "torsby").denominator == 12
