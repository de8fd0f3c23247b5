"""Every source stands alone: the demo's files of one way of working give that way's reports.

A county board with only the questionnaire, a cooperation with only its register and official
statistics, a unit with only INTOX forms: each runs the real CLI on the demo's own files and gets
the reports it expects, each report saying which sources it rests on and which are missing.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run

DEMO_PERIOD = "2026-10"  # the period conftest runs the demo for
SUTOHAMU = ["1737", "1762", "1766", "1783"]
ANSWERING = ["1737", "1762", "1766", "1780", "1783"]  # the demo's questionnaire: Torsby, Munkfors, Sunne, Karlstad, Hagfors
VARMLAND = ["1715", "1730", "1737", "1760", "1761", "1762", "1763", "1764", "1765", "1766",
            "1780", "1781", "1782", "1783", "1784", "1785"]


def workspace_with(demo: Path, root: Path, sources: list[str]) -> Path:
    """A workspace holding only `sources`' files from the demo (and the demo's own schemas)."""
    for source in sources:
        shutil.copytree(demo / "data" / "raw" / source, root / "data" / "raw" / source)
    shutil.copytree(demo / "schemas", root / "schemas")
    return root


def lagesbild(root: Path, *args: str):
    return run([*args, "--workspace", str(root)])


def run_stages(root: Path, *areas: str) -> None:
    for args in (["ingest"], ["build", "--period", DEMO_PERIOD]):
        result = lagesbild(root, *args)
        assert result.returncode in (0, 1), result.stdout + result.stderr  # 1: the demo's planted faults
    chosen = [flag for area in areas for flag in ("--area", area)]
    result = lagesbild(root, "report", "--period", DEMO_PERIOD, *chosen)
    assert result.returncode == 0, result.stdout + result.stderr


def areas(root: Path) -> pd.DataFrame:
    return pd.read_parquet(root / "data" / "processed" / DEMO_PERIOD / "areas.parquet")


def report(root: Path, folder: str, code: str) -> str:
    return (root / "reports" / DEMO_PERIOD / folder / f"{code}.html").read_text(encoding="utf-8")


def missing(text: str, name: str) -> str:
    """The sources a report's header names as missing: 'X, Y och Z ingår inte i underlaget för <name>.'"""
    found = re.search(rf"(?:^|[.>]\s*)([^.<>]*) ingår inte i underlaget för {name}\.", text)
    return found.group(1) if found else ""


@pytest.fixture(scope="module")
def questionnaire_only(demo, tmp_path_factory) -> Path:
    root = workspace_with(demo, tmp_path_factory.mktemp("enkat"), ["enkat"])
    run_stages(root, "1783", "sutohamu", "lan-17")
    return root


@pytest.fixture(scope="module")
def register_and_statistics(demo, tmp_path_factory) -> Path:
    root = workspace_with(demo, tmp_path_factory.mktemp("avtal"), ["avtal", "statistik"])
    run_stages(root, "1766", "1715", "sutohamu")
    return root


@pytest.fixture(scope="module")
def intox_only(demo, tmp_path_factory) -> Path:
    root = workspace_with(demo, tmp_path_factory.mktemp("intox"), ["intox"])
    run_stages(root, "1783", "sutohamu")
    return root


def test_the_questionnaire_alone_gives_its_municipalities_and_regions(questionnaire_only):
    scope = areas(questionnaire_only)
    assert set(scope.source) == {"enkat"}
    assert sorted(scope.loc[scope.area_type == "kommun", "area_code"]) == ANSWERING
    assert sorted(scope.loc[scope.area_type != "kommun", "area_code"]) == ["lan-17", "riket", "sutohamu"]


def test_a_questionnaire_only_kommun_report_has_the_lagesbild_and_says_what_is_missing(questionnaire_only):
    text = report(questionnaire_only, "kommun", "1783")
    assert "Lägesbildsenkät" in text and "Hagfors" in text
    assert missing(text, "Hagfors") == ("INTOX, registret över medborgarlöften och insatser, den officiella statistiken, "
                                        "polisens brottsstatistik och EST-rapporterna")
    assert "Nyckeltal" not in text and "Antal formulär per månad" not in text


def test_a_questionnaire_only_region_report_has_the_regional_picture(questionnaire_only):
    text = report(questionnaire_only, "region", "sutohamu")
    assert "Regional lägesbild" in text
    assert "4 av 4 kommuner har svarat" in text
    assert "INTOX" in missing(text, "SuToHaMu")
    assert "Regional lägesbild" in report(questionnaire_only, "region", "lan-17")


def test_the_register_and_statistics_alone_give_the_follow_up(register_and_statistics):
    scope = areas(register_and_statistics)
    assert set(scope.source) == {"avtal", "statistik"}
    kommun = scope[scope.area_type == "kommun"]
    assert sorted(kommun.loc[kommun.source == "avtal", "area_code"]) == SUTOHAMU
    assert sorted(set(kommun.area_code)) == VARMLAND  # Brå's csv covers the whole county
    sunne = report(register_and_statistics, "kommun", "1766")
    assert "Uppföljning av samverkansöverenskommelsen" in sunne
    assert "Trygghetsvandringar två gånger per termin" in sunne
    assert missing(sunne, "Sunne") == "INTOX, lägesbildsenkäten, polisens brottsstatistik och EST-rapporterna"
    region = report(register_and_statistics, "region", "sutohamu")
    assert "Uppföljning av samverkansöverenskommelsen" in region and "insatser genomförda" in region


def test_a_municipality_with_statistics_but_no_register_says_the_register_is_missing(register_and_statistics):
    text = report(register_and_statistics, "kommun", "1715")  # Kil: in Brå's csv, not in the register
    assert "Officiell statistik" in text
    assert missing(text, "Kil") == ("INTOX, lägesbildsenkäten, registret över medborgarlöften och insatser, polisens brottsstatistik "
                                    "och EST-rapporterna")


def test_intox_alone_gives_the_covered_municipalities_without_a_questionnaire_section(intox_only):
    scope = areas(intox_only)
    assert set(scope.source) == {"intox"}
    assert sorted(scope.loc[scope.area_type == "kommun", "area_code"]) == VARMLAND
    text = report(intox_only, "kommun", "1783")
    assert "Nyckeltal" in text
    assert missing(text, "Hagfors") == ("Lägesbildsenkäten, registret över medborgarlöften och insatser, den officiella statistiken, "
                                        "polisens brottsstatistik och EST-rapporterna")
    assert "Regional lägesbild" not in report(intox_only, "region", "sutohamu")


def test_every_source_together_names_no_missing_source_for_sunne(demo):
    scope = areas(demo)
    assert set(scope.loc[scope.area_code == "1766", "source"]) == {"intox", "enkat", "avtal", "statistik", "polisen", "est"}
    assert "ingår inte i underlaget" not in report(demo, "kommun", "1766")


def test_an_empty_workspace_exits_non_zero_with_a_swedish_message(tmp_path):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    result = lagesbild(tmp_path, "run", "--period", DEMO_PERIOD)
    assert result.returncode == 4
    assert "Inga filer är inlästa" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_workspace_without_data_raw_says_where_the_files_go(tmp_path):
    result = lagesbild(tmp_path, "run", "--period", DEMO_PERIOD)
    assert result.returncode == 2
    assert "data/raw" in result.stderr and "finns inte" in result.stderr
