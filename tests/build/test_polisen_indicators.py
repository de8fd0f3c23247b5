"""The police's indicators on a hand-checked example: yearly totals per municipality equal a recount of
the files (a revised delivery replacing three months of an earlier one), the rate per 100 000, the
county pooled, and the rolling-12 breakdowns by category, weekday, RegSO and DeSO; and the real CLI
on a workspace that holds nothing but police deliveries.

Expected values are written out by hand from the rows below (population from the reference csv).
"""
from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run
from polisen_helpers import crime, query, write_delivery

from pipeline.build import build
from pipeline.config import REFERENCE_DIR, Workspace
from pipeline.ingest import ingest

FALUN, BORLANGE = "2080", "2081"
# Falun's first delivery, 2024-01 .. 2024-12: crimes per registration month (none in March).
FIRST = {"2024-01": 3, "2024-02": 1, "2024-04": 2, "2024-05": 1, "2024-06": 4, "2024-07": 5, "2024-08": 2,
         "2024-09": 1, "2024-10": 2, "2024-11": 1, "2024-12": 3}
# The revision, 2024-10 .. 2025-12: October to December 2024 anew, then 2025 crime by crime
# (registration date = crime date, all Saturdays but one Sunday and one unknown date).
REVISED_2024 = {"2024-10": 1, "2024-11": 2}
CRIMES_2025 = [  # date, crime code, DeSO
    ("2025-01-04", "9301", "2080A0010"), ("2025-02-01", "428", "2080A0010"), ("2025-03-01", "310", "2080A0030"),
    ("2025-04-05", "3005", "2080A0040"), ("2025-05-03", "942", "2080A0040"), ("2025-06-07", "315", ""),
    ("2025-07-05", "9999", ""), ("2025-07-06", "9999", ""), ("2025-07-12", "9999", ""),
    ("2025-08-02", "9301", ""), ("2025-09-06", "9301", ""), ("2025-10-04", "9301", ""), ("2025-11-01", "9301", ""),
    ("2025-12-06", "9301", ""),
]
UNKNOWN_DATE = "2025-07-12"
# By hand: 2024 = the first delivery's January-September (19) + the revision's October-December (3).
FALUN_YEAR = {"2024": 19 + 3, "2025": 14}
BORLANGE_2025 = 5 + 2 + 1 + 4


def by_month(municipality: str, counts: dict[str, int]) -> list[list[str]]:
    return [crime(municipality, f"{month}-{day + 1:02d}") for month, n in counts.items() for day in range(n)]


def write_files(root: Path) -> None:
    write_delivery(root, "Brottsstatistik_Falun_202412.csv", by_month(FALUN, FIRST))
    revision = by_month(FALUN, REVISED_2024) + [
        crime(FALUN, date, code=code, deso=deso, committed="-" if date == UNKNOWN_DATE else date)
        for date, code, deso in CRIMES_2025
    ]
    write_delivery(root, "Brottsstatistik_Falun_202512.csv", revision)
    write_delivery(root, "Brottsstatistik_Borlange_202512.csv", [
        crime(BORLANGE, "2025-01-10", count=5), crime(BORLANGE, "2025-03-10", count=2),
        crime(BORLANGE, "2025-03-11", deso="2081A0010", count=1), crime(BORLANGE, "2025-12-10", count=4),
    ], encoding="utf-8", delimiter=",")


def population_31_dec(code: str, year: int) -> int:
    with open(REFERENCE_DIR / "population.csv", encoding="utf-8") as handle:
        return next(int(r["population"]) for r in csv.DictReader(handle) if r["municipality_code"] == code and int(r["year"]) == year)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("polisen")
    write_files(root)
    ingest(Workspace(root))
    build(Workspace(root))
    return root


def values(root: Path, indicator: str, area: str, period: str) -> dict[str, float]:
    rows = query(root, f"SELECT category, value FROM indicators WHERE indicator_id = '{indicator}' "
                       f"AND area_code = '{area}' AND period = '{period}'")
    return dict(zip(rows.category, rows.value))


def test_yearly_totals_per_municipality_equal_a_recount_of_the_files(workspace):
    assert values(workspace, "polisen_crimes_year", FALUN, "2024") == {"": FALUN_YEAR["2024"]}
    assert values(workspace, "polisen_crimes_year", FALUN, "2025") == {"": FALUN_YEAR["2025"]}
    assert values(workspace, "polisen_crimes_year", BORLANGE, "2025") == {"": BORLANGE_2025}
    assert values(workspace, "polisen_crimes_year", BORLANGE, "2024") == {}  # Borlänge's delivery starts in 2025
    assert values(workspace, "polisen_crimes_year", "lan-20", "2025") == {"": FALUN_YEAR["2025"] + BORLANGE_2025}


def test_monthly_totals_include_the_covered_months_without_crimes(workspace):
    assert values(workspace, "polisen_crimes", FALUN, "2024-03") == {"": 0}
    assert values(workspace, "polisen_crimes", FALUN, "2024-12") == {"": 0}  # the revision has none in December 2024
    assert values(workspace, "polisen_crimes", FALUN, "2024-10") == {"": 1}
    assert values(workspace, "polisen_crimes", BORLANGE, "2025-02") == {"": 0}


def test_the_rate_per_100_000_uses_the_mean_population_of_the_year(workspace):
    # 2025 is not in the reference table: both year-ends are carried from 31 December 2024
    expected = FALUN_YEAR["2025"] / population_31_dec(FALUN, 2024) * 100_000
    assert values(workspace, "polisen_rate_year", FALUN, "2025")[""] == pytest.approx(expected)


def test_rolling_12_breakdowns_by_category_weekday_and_question_area(workspace):
    level1 = values(workspace, "polisen_level1_r12", FALUN, "2025-12")
    assert level1 == {"b1": 8, "b2": 2, "b3": 1, "lokala_trafikkoder": 0, "okand_brottskod": 3}
    level2 = values(workspace, "polisen_level2_r12", FALUN, "2025-12")
    assert {k: v for k, v in level2.items() if v} == {"valdsbrott": 7, "ovriga_brott_mot_person": 1, "trafikbrott": 2,
                                                      "bedrageribrott_m_m": 1, "okand_brottskod": 3}
    questions = values(workspace, "polisen_question_area_r12", FALUN, "2025-12")
    assert {k: v for k, v in questions.items() if v} == {"fraga_2": 6, "fraga_1": 1, "ingen_fraga": 1, "fraga_5": 1,
                                                         "fraga_6": 1, "ovriga": 1, "okand_brottskod": 3}
    weekday = values(workspace, "polisen_weekday_r12", FALUN, "2025-12")
    assert weekday == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 12, "7": 1, "okand": 1}


def test_deso_and_regso_are_the_municipalitys_own_areas_and_not_pooled(workspace):
    deso = values(workspace, "polisen_deso_r12", FALUN, "2025-12")
    assert {k: v for k, v in deso.items() if v} == {"2080A0010": 2, "2080A0030": 1, "2080A0040": 2, "okant": 9}
    assert all(code[:4] == FALUN or code == "okant" for code in deso)
    regso = values(workspace, "polisen_regso_r12", FALUN, "2025-12")
    assert {k: v for k, v in regso.items() if v} == {"2080-vika": 2, "2080-sundborn_danholn_toftbyn": 3, "okant": 9}
    labels = query(workspace, "SELECT category, category_label FROM indicators WHERE indicator_id = 'polisen_regso_r12' "
                              "AND area_code = '2080' AND period = '2025-12' AND category IN ('2080-vika', 'okant')")
    assert dict(zip(labels.category, labels.category_label)) == {"2080-vika": "Vika", "okant": "Okänt område"}
    pooled = query(workspace, "SELECT count(*) AS n FROM indicators WHERE indicator_id IN ('polisen_deso_r12', 'polisen_regso_r12') "
                              "AND area_type <> 'kommun'")
    assert pooled.n[0] == 0
    assert values(workspace, "polisen_level1_r12", "lan-20", "2025-12")["b1"] == 8 + BORLANGE_2025  # all of Borlänge's are 9301


def test_the_cli_ingests_builds_and_publishes_a_workspace_with_only_police_deliveries(tmp_path):
    write_files(tmp_path)
    ingested = run(["ingest", "--workspace", str(tmp_path)])
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "polisen/Brottsstatistik_Falun_202512.csv: inläst" in ingested.stdout
    built = run(["build", "--period", "2025-12", "--workspace", str(tmp_path)])
    assert built.returncode == 0, built.stdout + built.stderr
    assert "Beräknat: Polisens brottsstatistik" in built.stdout
    assert "brottskoden 9999 finns inte i brottskodslistan" in built.stdout
    assert "Traceback" not in built.stdout + built.stderr
    published = pd.read_parquet(tmp_path / "data" / "processed" / "2025-12" / "indicators.parquet")
    years = published[published.indicator_id == "polisen_crimes_year"].set_index(["area_code", "period"])
    expected = {(FALUN, "2024"): FALUN_YEAR["2024"], (FALUN, "2025"): FALUN_YEAR["2025"], (BORLANGE, "2025"): BORLANGE_2025}
    assert set(expected) <= set(years.index)
    shown = {key: years.loc[key, "value"] for key in expected if years.loc[key, "suppression"] != "dold"}
    assert shown and shown == {key: expected[key] for key in shown}  # a small count may be hidden, never wrong
    areas = pd.read_parquet(tmp_path / "data" / "processed" / "2025-12" / "areas.parquet")
    assert set(areas.source) == {"polisen"}
    assert sorted(areas.loc[areas.area_type == "kommun", "area_code"].unique()) == [FALUN, BORLANGE]
