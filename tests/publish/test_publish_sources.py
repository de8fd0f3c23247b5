"""Every source stands alone: build and publish work with any subset of sources (the demo's
files copied into tmp workspaces), and each snapshot says which areas have data from which source."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.ingest import ingest
from pipeline.publish import publish
from pipeline.sources import SOURCES

PERIOD = "2026-10"
TODAY = dt.date(2026, 11, 20)  # the build's month: 2026-11
ANSWERED = {"1766", "1737", "1783", "1780", "1762"}  # the demo questionnaire: Sunne, Torsby, Hagfors, Karlstad, Munkfors
REGIONS = {("lan", "lan-17"), ("region", "sutohamu"), ("riket", "riket")}
VARMLAND = {"1715", "1730", "1737", "1760", "1761", "1762", "1763", "1764", "1765", "1766", "1780", "1781", "1782", "1783",
            "1784", "1785"}


def workspace(demo: Path, root: Path, folders: list[str], coverage: bool = False) -> Workspace:
    """A workspace with some of the demo's raw folders (and its INTOX coverage, and with the police's
    deliveries its DeSO table), ingested."""
    for folder in folders:
        shutil.copytree(demo / "data" / "raw" / folder, root / "data" / "raw" / folder)
    if "polisen" in folders:
        shutil.copytree(demo / "data" / "reference", root / "data" / "reference")
    if coverage:
        shutil.copytree(demo / "schemas", root / "schemas")
    ws = Workspace(root)
    ingest(ws)
    return ws


@pytest.fixture(scope="module")
def built(demo, tmp_path_factory):
    """Workspaces of some of the session demo's sources (conftest.py), ingested, built in TODAY's month and
    published for PERIOD: each made once and shared by the tests below."""
    made: dict = {}

    def get(*folders: str, coverage: bool = False):
        if (folders, coverage) not in made:
            ws = workspace(demo, tmp_path_factory.mktemp("-".join(folders) or "nothing"), list(folders), coverage)
            result = build(ws, today=TODAY)
            made[folders, coverage] = (ws, result, publish(ws, PERIOD))
        return made[folders, coverage]

    return get


def areas(target: Path) -> set[tuple[str, str, str]]:
    frame = pd.read_parquet(target / "areas.parquet")
    assert list(frame.columns) == ["area_type", "area_code", "area_name", "source"]
    return set(zip(frame.area_type, frame.area_code, frame.source))


def every_table_is_written(target: Path) -> None:
    for name in [table for source in SOURCES for table in source.published] + ["files", "folders", "issues", "members"]:
        assert (target / f"{name}.parquet").exists(), name
    assert (target / "indicators.xlsx").exists() and (target / "catalogue.json").exists()


def snapshot(target: Path) -> dict:
    return json.loads((target / "snapshot.json").read_text(encoding="utf-8"))


def test_the_questionnaire_alone(built):
    _, result, target = built("enkat")
    assert result.sources == ["enkat"] and result.warnings == []
    assert (result.rows, result.first_period, result.last_period) == (0, None, None)  # no counted indicators
    assert result.first_month == "2025-01" and result.last_month == result.current_month == "2026-11"  # rounds 2025-H1 …
    assert result.publishable(PERIOD) and not result.publishable("2026-12") and not result.publishable("2024-12")
    assert areas(target) == {("kommun", code, "enkat") for code in ANSWERED} | {(t, c, "enkat") for t, c in REGIONS}
    assert snapshot(target) == {"period": PERIOD, "threshold": 5, "sources": ["enkat"]}
    every_table_is_written(target)
    assert pd.read_parquet(target / "indicators.parquet").empty
    assert set(pd.read_parquet(target / "enkat_values.parquet")["round"]) == {"2025-H1", "2025-H2", "2026-H1", "2026-H2"}
    members = pd.read_parquet(target / "members.parquet")
    assert set(members.area_code) == {"lan-17", "sutohamu", "riket"}
    process = pd.read_parquet(target / "process.parquet")
    assert set(process.indicator_id) == {"enkat_svarsfrekvens"} and set(process.period) == {PERIOD}


def test_the_register_and_official_statistics_alone(built):
    ws, result, target = built("avtal", "statistik")
    assert result.sources == ["avtal", "statistik"] and result.first_month == "2022-01"
    found = areas(target)
    statistik = {(t, c) for t, c, s in found if s == "statistik"}
    assert statistik == {("kommun", code) for code in VARMLAND} | REGIONS
    avtal = {(t, c) for t, c, s in found if s == "avtal"}
    assert avtal == {("kommun", code) for code in ("1766", "1737", "1783", "1762")} | REGIONS  # SuToHaMu's register
    assert snapshot(target)["sources"] == ["avtal", "statistik"]
    every_table_is_written(target)
    assert len(pd.read_parquet(target / "insatser.parquet")) == 8
    assert {"insatser_genomforda", "insatser_forsenade"} <= set(pd.read_parquet(target / "process.parquet").indicator_id)
    assert set(pd.read_parquet(target / "statistik.parquet").period) == {"2022", "2023", "2024"}
    # before the register's first activity (January 2025) the statistics are there alone, up to the month's year
    earlier = publish(ws, "2023-06")
    assert {s for _, _, s in areas(earlier)} == {"statistik"}
    assert set(pd.read_parquet(earlier / "statistik.parquet").period) == {"2022", "2023"}
    assert pd.read_parquet(earlier / "process.parquet").empty


def test_intox_alone(built):
    ws, result, target = built("intox", coverage=True)
    assert result.sources == ["intox"] and result.warnings == []
    assert (result.first_period, result.last_period) == ("2024-11", PERIOD) and result.rows > 0
    assert (result.first_month, result.last_month) == ("2024-11", PERIOD)  # INTOX's months end with its last forms
    assert areas(target) == {("kommun", code, "intox") for code in VARMLAND} | {(t, c, "intox") for t, c in REGIONS}
    assert snapshot(target)["sources"] == ["intox"]
    every_table_is_written(target)
    assert pd.read_parquet(target / "enkat_values.parquet").empty and pd.read_parquet(target / "statistik.parquet").empty
    assert set(pd.read_parquet(target / "process.parquet").indicator_id) == {"intox_manader_utan_formular"}
    # Arvika's unit reports from 2025-05: its municipalities are not in scope before
    early = areas(publish(ws, "2025-03"))
    assert ("kommun", "1784", "intox") not in early and ("kommun", "1780", "intox") in early


def test_the_police_alone(built):
    _, result, target = built("polisen")
    assert result.sources == ["polisen"] and result.first_month == "2024-11"
    assert areas(target) == {("kommun", code, "polisen") for code in VARMLAND} | {(t, c, "polisen") for t, c in REGIONS}
    every_table_is_written(target)
    indicators = pd.read_parquet(target / "indicators.parquet")
    assert indicators.indicator_id.str.startswith("polisen_").all()
    assert not indicators[indicators.indicator_id == "polisen_deso_r12"].area_type.ne("kommun").any()


def test_nothing(built):
    _, result, target = built()
    assert result.sources == [] and (result.first_month, result.last_month) == (None, None)
    assert not result.publishable(PERIOD)
    assert areas(target) == set() and snapshot(target)["sources"] == []
    every_table_is_written(target)


def test_a_source_alone_publishes_what_it_publishes_beside_the_others(built, demo):
    """Each source's own tables do not depend on which other sources have data (`demo`: all of them)."""
    everything = demo / "data" / "processed" / PERIOD
    for (folders, coverage), tables in (
        ((("enkat",), False), list(SOURCES[1].published)),
        ((("intox",), True), ["indicators", "left_out"]),
        ((("avtal", "statistik"), False), ["statistik", "insatser"]),  # without INTOX and the questionnaire
        ((("est",), False), ["indicators"]),
    ):
        _, _, target = built(*folders, coverage=coverage)
        for table in tables:
            pd.testing.assert_frame_equal(own_rows(target, table, folders), own_rows(everything, table, folders), check_dtype=False, obj=table)


def own_rows(target: Path, table: str, sources: tuple[str, ...]) -> pd.DataFrame:
    """A published table; of the counted indicators, which every source shares, only the sources' own (a text
    column that is empty for them is stored as all-null alone and as strings beside the others: None either way)."""
    frame = pd.read_parquet(target / f"{table}.parquet")
    if table == "indicators":
        frame = frame[frame.indicator_id.str.startswith(tuple(f"{source}_" for source in sources))].reset_index(drop=True)
        frame = frame.astype(object).where(frame.notna(), None)
    return frame
