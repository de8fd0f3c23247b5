"""The demo's EST reports: four layouts, read and built as a user's files, with seasons and hotspots."""
from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.demo.est import write_est_demo
from pipeline.ingest import ingest
from pipeline.report.est import hotspots, place_windows

END = "2026-10"  # 24 months: 2024-11 .. 2026-10
MUNICIPALITIES = {"1766", "1780", "1737", "1783", "1762"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Workspace, list[Path], dict]:
    root = tmp_path_factory.mktemp("est_demo")
    paths = write_est_demo(root, END)
    workspace = Workspace(root)
    outcomes = {o.label: o for o in ingest(workspace)}
    build(workspace, today=pd.Timestamp("2026-11-15").date())
    return workspace, paths, outcomes


def query(workspace: Workspace, sql: str) -> list[tuple]:
    con = duckdb.connect(str(workspace.database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_same_seed_writes_the_same_bytes(demo, tmp_path):
    workspace, paths, _ = demo
    again = write_est_demo(tmp_path, END)
    digest = lambda path: hashlib.sha256(path.read_bytes()).hexdigest()  # noqa: E731
    assert [p.relative_to(tmp_path) for p in again] == [p.relative_to(workspace.root) for p in paths]
    assert [digest(p) for p in again] == [digest(p) for p in paths]


def test_four_layouts_are_read_with_exactly_the_three_planted_faults(demo):
    workspace, paths, outcomes = demo
    labels = {p.relative_to(workspace.raw).as_posix() for p in paths}
    assert {"est/EST_Sunne_2025.xlsx", "est/Karlstad_EST_2026.xlsx", "est/EST-export_Torsby_2026_Q3.csv",
            "est/hagfors/est_hagfors_2025_h2.csv", "est/EST_Munkfors_2025_jan-06.csv", "est/EST_Munkfors_2025_jan-12.csv"} <= labels
    assert set(outcomes) == labels
    assert {o.action for o in outcomes.values()} <= {"inläst", "inläst med karantän"}
    for outcome in outcomes.values():
        assert not [n for n in outcome.report.notes if "känns inte igen" in n], outcome.report.notes
    rules = sorted(query(workspace, "SELECT rule, column_name FROM quarantine"))
    assert rules == [("deso_kommun", "DeSO"), ("kod", "Händelsetyp"), ("person", "Händelsebeskrivning")]


def test_volumes_seasons_and_overlapping_exports(demo):
    workspace, _, _ = demo
    per_month = dict(query(workspace, "SELECT municipality_code, count(*) / 24.0 FROM int_est_events GROUP BY 1"))
    assert set(per_month) == MUNICIPALITIES
    assert all(3 <= n <= 60 for n in per_month.values()), per_month  # a few to a few dozen a month
    assert per_month["1780"] > per_month["1766"] > per_month["1762"]
    staged, counted = query(workspace, "SELECT (SELECT count(*) FROM stg_est WHERE municipality_code = '1762'), "
                                       "(SELECT count(*) FROM int_est_events WHERE municipality_code = '1762')")[0]
    assert staged > counted  # Munkfors' half-year exports are in its year exports again
    summer, winter = query(workspace, """SELECT count(*) FILTER (WHERE month(event_date) IN (6, 7, 8)),
                                                count(*) FILTER (WHERE month(event_date) IN (12, 1, 2))
                                         FROM int_est_events WHERE category = 'storande_samlingar'""")[0]
    assert summer > 1.3 * winter
    assert query(workspace, "SELECT count(DISTINCT category), count(DISTINCT reporter), count(DISTINCT time_band) FROM int_est_events") \
        == [(12, 6, 5)]
    assert query(workspace, "SELECT from_period, to_period FROM est_areas GROUP BY ALL") == [("2024-11", "2026-10")]


def test_the_planted_hotspots_lead_their_municipalities(demo):
    workspace, _, _ = demo
    con = duckdb.connect(str(workspace.database), read_only=True)
    try:  # the built figures, before suppression: the generator's places, not the suppression, are tested here
        values = con.execute("SELECT *, '' AS suppression FROM indicators WHERE indicator_id = 'est_place_r12'").df()
    finally:
        con.close()
    top = {area: hotspots(*place_windows(values, area, END), n=3).places for area in MUNICIPALITIES}
    assert top["1783"][0].label == "Skolgården Västra skolan" and top["1783"][0].change_percent > 50
    assert top["1780"][0].label == "Stora torget" and top["1780"][0].change_percent > 50
    assert top["1766"][0].label == "Resecentrum" and top["1766"][0].change > 0
    torsby = {p.label: p for p in hotspots(*place_windows(values, "1737", END), n=10).places}
    assert torsby["Centrumtorget"].change < 0  # calmed down
