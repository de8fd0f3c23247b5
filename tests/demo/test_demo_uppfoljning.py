"""The demo's official statistics and agreements register: real files that read cleanly."""
from __future__ import annotations

import pytest

from pipeline.config import Workspace
from pipeline.demo.uppfoljning import REGISTER, SUTOHAMU, write_uppfoljning_demo
from pipeline.ingest.examine import examine

END = "2026-10"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("uppfoljning")
    paths = write_uppfoljning_demo(root, END)
    workspace = Workspace(root)
    return root, {p.relative_to(workspace.raw).as_posix(): examine(p, workspace, p.relative_to(workspace.raw).as_posix()) for p in paths}


def test_the_same_seed_writes_the_same_bytes(demo, tmp_path):
    root, reports = demo
    again = write_uppfoljning_demo(tmp_path, END)
    assert {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in again} == {
        f"data/raw/{label}": (root / "data" / "raw" / label).read_bytes() for label in reports
    }


def test_every_file_reads_cleanly_as_its_source(demo):
    _, reports = demo
    sources = {label: r.source for label, r in reports.items()}
    assert sources == {
        "statistik/bra/anmalda_brott_2022.csv": "statistik", "statistik/bra/anmalda_brott_2023.csv": "statistik",
        "statistik/bra/anmalda_brott_2024.csv": "statistik", "statistik/kolada/kolada_N07540.json": "statistik",
        "statistik/sutohamu_narkotikabrott.csv": "statistik",
        "avtal/sutohamu_medborgarloften.xlsx": "avtal",
    }
    for report in reports.values():
        assert report.refusal is None and report.issues.empty, (report.label, report.refusal, report.issues)


def test_bra_county_is_the_sum_of_its_municipalities_and_kolada_gives_the_same_rates(demo):
    _, reports = demo
    rows = reports["statistik/bra/anmalda_brott_2024.csv"].staging["stg_statistik"]
    municipalities = rows[rows.area_code.str.fullmatch(r"\d{4}")]
    assert len(municipalities) == 16
    assert rows.loc[rows.area_code == "lan-17", "count"].iloc[0] == municipalities["count"].sum()
    kolada = reports["statistik/kolada/kolada_N07540.json"].staging["stg_statistik"]
    assert set(kolada.area_code) == set(SUTOHAMU)
    given = kolada[kolada.period == "2024"].set_index("area_code")["value"]
    bra = municipalities.set_index("area_code")["value"]
    assert all(given[code] == bra[code] for code in SUTOHAMU)


def test_the_tidy_table_gives_counts_for_every_sutohamu_municipality_and_year(demo):
    _, reports = demo
    rows = reports["statistik/sutohamu_narkotikabrott.csv"].staging["stg_statistik"]
    assert len(rows) == 12 and set(rows.area_code) == set(SUTOHAMU) and set(rows.indicator_id) == {"narkotikabrott"}
    assert rows["count"].notna().all() and not rows["value_is_rate"].any()


def test_the_register_holds_every_activity_with_a_function_and_a_status(demo):
    _, reports = demo
    rows = reports["avtal/sutohamu_medborgarloften.xlsx"].staging["stg_avtal"]
    assert len(rows) == len(REGISTER)
    assert set(rows.area_code) == {"1766", "1737", "1783", "1762", "sutohamu"}
    assert set(rows.status) == {"pagar", "genomford", "ej_paborjad", "ej_genomford", "installd"}
