"""The demo's police deliveries, read back as files: names, layouts, DeSO codes, volumes, seasons, places.

The files are read with the csv module, not the pipeline; the expectations are the demo's promises.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import REFERENCE_DIR
from pipeline.demo.polisen import write_polisen_demo

END = "2026-10"
VARMLAND = 16


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("polisen_demo")
    return root, write_polisen_demo(root, END)


def read(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    text, delimiter = (data.decode("utf-8-sig"), ",") if data.startswith(b"\xef\xbb\xbf") else (data.decode("cp1252"), ";")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    frame["Antal"] = frame["Antal"].astype(int) if "Antal" in frame else 1
    return frame


@pytest.fixture(scope="module")
def crimes(written) -> pd.DataFrame:
    """The crimes that count: the earlier file's months before the later file begins, then the later file."""
    _, paths = written
    every = pd.concat([read(path).assign(file=path.name) for path in paths[1:]], ignore_index=True)
    late = every[every.file.str.endswith("_202610.csv")]
    first_late = late.groupby("Kommunkod")["Inskr årmånad"].min()
    early = every[every.file.str.endswith("_202510.csv")]
    early = early[early["Inskr årmånad"] < early["Kommunkod"].map(first_late)]
    return pd.concat([early, late], ignore_index=True)


def test_two_deliveries_per_municipality_named_for_their_last_month_and_a_deso_table(written):
    root, paths = written
    assert paths[0] == root / "data" / "reference" / "deso.csv"
    names = sorted(p.name for p in paths[1:])
    assert len(names) == 2 * VARMLAND
    assert all(re.fullmatch(r"Brottsstatistik_[A-Za-zÅÄÖåäö]+_(202510|202610)\.csv", name) for name in names)
    assert {"Brottsstatistik_Sunne_202510.csv", "Brottsstatistik_Sunne_202610.csv"} <= set(names)


def test_the_layouts_cp1252_semicolons_utf8_commas_and_a_count_column(written):
    root = written[0] / "data" / "raw" / "polisen"
    assert (root / "Brottsstatistik_Sunne_202610.csv").read_bytes().split(b"\r\n")[0].count(b";") == 11
    assert (root / "Brottsstatistik_Arvika_202610.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    karlstad = read(root / "Brottsstatistik_Karlstad_202610.csv")
    assert "Antal" in karlstad and karlstad["Antal"].min() >= 1


def test_same_seed_same_bytes(tmp_path):
    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}
    write_polisen_demo(tmp_path / "a", END)
    write_polisen_demo(tmp_path / "b", END)
    write_polisen_demo(tmp_path / "c", END, seed=7)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


def test_deso_codes_are_in_scbs_format_in_their_municipality_and_in_the_deso_table(written, crimes):
    deso = pd.read_csv(written[0] / "data" / "reference" / "deso.csv", dtype=str)
    assert deso.deso_code.str.fullmatch(r"\d{4}[ABC]\d{4}").all()
    assert (deso.deso_code.str[:4] == deso.municipality_code).all()
    given = crimes.loc[crimes.desokod.ne(""), ["Kommunkod", "desokod"]]
    foreign = given[given.desokod.str[:4] != given.Kommunkod]
    assert len(foreign) == 2 and set(foreign.Kommunkod) == {"1783"}  # planted: Torsby's DeSO on Hagfors rows
    assert set(given.desokod) <= set(deso.deso_code)
    assert crimes.desokod.eq("").mean() == pytest.approx(0.02, abs=0.01)


def test_volumes_are_60_to_90_crimes_per_1000_inhabitants_a_year(crimes):
    population = pd.read_csv(REFERENCE_DIR / "population.csv", dtype={"municipality_code": str})
    population = population[population.year == 2024].set_index("municipality_code")["population"]
    last_year = crimes[crimes["Inskr årmånad"] >= "202511"]
    per_1000 = last_year.groupby("Kommunkod")["Antal"].sum() / population.reindex(last_year.Kommunkod.unique()) * 1000
    assert len(per_1000) == VARMLAND
    assert per_1000.between(50, 100).all(), per_1000.round(1).to_dict()
    assert per_1000.mean() == pytest.approx(75, abs=8)


def test_summer_peak_weekend_peak_for_violence_and_a_centre_with_many_more_crimes(crimes):
    month = crimes["Inskr årmånad"].str[4:]
    assert crimes.loc[month.isin(["06", "07", "08"]), "Antal"].sum() > 1.15 * crimes.loc[month.isin(["01", "02", "03"]), "Antal"].sum()
    codes = pd.read_csv(REFERENCE_DIR / "brottskoder.csv", dtype=str, keep_default_na=False).set_index("crime_code")
    violence = crimes[crimes.Brottskod.map(codes["level2"]).eq("Våldsbrott") & crimes["Brottsdatum från"].ne("-")]
    weekday = pd.to_datetime(violence["Brottsdatum från"]).dt.day_of_week
    weekend, other = violence.Antal[weekday >= 4].sum() / 3, violence.Antal[weekday < 4].sum() / 4
    assert weekend > 1.5 * other
    sunne = crimes[(crimes.Kommunkod == "1766") & crimes.desokod.ne("")].groupby("desokod")["Antal"].sum().sort_values()
    assert sunne.index[-1].startswith("1766C") and sunne.iloc[-1] > 3 * sunne.iloc[-2]
    assert crimes["Brottsdatum från"].eq("-").mean() == pytest.approx(0.03, abs=0.01)
    assert crimes.Brottskod.isin(["9990", "9991"]).any() and not codes.index.isin(["9990", "9991"]).any()


def test_the_later_delivery_revises_the_months_it_shares_with_the_earlier(written):
    root = written[0] / "data" / "raw" / "polisen"
    early, late = read(root / "Brottsstatistik_Torsby_202510.csv"), read(root / "Brottsstatistik_Torsby_202610.csv")
    shared = sorted(set(early["Inskr årmånad"]) & set(late["Inskr årmånad"]))
    assert shared == ["202508", "202509", "202510"]
    before = early[early["Inskr årmånad"].isin(shared)].Antal.sum()
    after = late[late["Inskr årmånad"].isin(shared)].Antal.sum()
    assert 0.9 * before <= after < before  # some crimes written off
    assert sorted(late["Inskr årmånad"].unique())[-1] == "202610" and sorted(early["Inskr årmånad"].unique())[0] == "202411"
