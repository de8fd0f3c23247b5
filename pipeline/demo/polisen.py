"""Synthetic police crime-statistics deliveries for the demo's Värmland municipalities (county 17).

`write_polisen_demo` writes, for each of the 16 municipalities, the files its cooperation agreement
brings, into data/raw/polisen/:

- `Brottsstatistik_<Kommun>_<YYYYMM>.csv` for the first 12 of the demo's 24 months, and a later
  delivery named for the last month that covers its last 15 months: the police revised the three
  months the two share (a few crimes written off, a few re-coded), so the later file replaces the
  earlier one there;
- most as the police's Excel export (cp1252, `;`, CRLF, one row per crime); Arvika and Kristinehamn
  as UTF-8 with BOM and `,`; Karlstad with a count column `Antal` (rows of the same crime, place and
  day added up).

It also writes the workspace's DeSO table, data/reference/deso.csv (pipeline.places.WORKSPACE_DESO),
with synthetic DeSO areas in SCB's format (municipality code + A/B/C + four digits), their RegSO
names and population. Volumes are 60-90 registered crimes per 1 000 inhabitants a year, with a
summer peak, violence and public-order crimes peaking Friday to Sunday, and a centre DeSO with many
more crimes than the rest. A few crimes have no crime date ('-') or no DeSO, a few carry crime codes
that brottskoder.csv does not know, and two rows of Hagfors name a DeSO of Torsby (quarantined), so
the demo shows how each is handled. Output is byte-identical for the same (end_period, seed).
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config import REFERENCE_DIR
from pipeline.demo.intox import N_MONTHS, POPULATION_YEAR, SEASON
from pipeline.places import DESO_COLUMNS, WORKSPACE_DESO

HEADER = ["LPO/Sektion nivå 4 brottsplats", "Län", "Kommunnamn", "Kommunkod", "desokod", "Brottskod", "Brottskod text",
          "Inskr år", "Inskr årmånad", "Inskrivningsdatum", "Brottsdatum från", "Brottsdatum till"]
RATE_PER_1000 = (60.0, 90.0)  # registered crimes per 1 000 inhabitants a year, drawn per municipality
FIRST_DELIVERY_MONTHS = 12  # the first delivery: months 1-12; the second: the last 15 (10-24)
REVISED_MONTHS = 3
WEEKEND_FACTOR = 1.9  # violence and public order, Friday to Sunday
CENTRE_FACTOR = 4.0  # crimes per inhabitant in the centre DeSO against the rest
UNKNOWN_DATE_SHARE = 0.03
NO_DESO_SHARE = 0.02
UNKNOWN_CODE_SHARE = 0.002
UNKNOWN_CODES = ("9990", "9991")  # codes that brottskoder.csv does not have
DESO_PEOPLE = 1500  # inhabitants per DeSO, roughly (SCB: 700-2 700)
# Share of the registered crimes per Brå category (level2), roughly as in Brå's statistics.
CATEGORY_SHARE = {
    "Tillgreppsbrott (exkl i butik)": 0.24, "Tillgrepp i butik": 0.06, "Bedrägeribrott m.m.": 0.18,
    "Våldsbrott": 0.12, "Övriga brott mot person": 0.08, "Skadegörelsebrott": 0.10, "Narkotikabrott": 0.07,
    "Trafikbrott": 0.06, "Övriga BrB-brott": 0.05, "Övriga specialstraffrättsliga brott": 0.04,
}
WEEKEND_CATEGORIES = {"Våldsbrott", "Skadegörelsebrott"}  # with the public-order question area (Fråga 1)
LPO = {"Karlstad": ("1780", "1761", "1715", "1763", "1764"),
       "Arvika": ("1784", "1730", "1765", "1785"),
       "Kristinehamn": ("1781", "1760", "1782"),
       "Hagfors": ("1783", "1737", "1766", "1762")}
UTF8_COMMA = ("1784", "1781")  # Arvika, Kristinehamn
WITH_COUNT = ("1780",)  # Karlstad
WRONG_DESO = ("1783", "1737")  # two rows of Hagfors name a DeSO of Torsby
DIRECTIONS = ("norra", "södra", "östra", "västra", "nordost", "sydväst", "sydost", "nordväst")


def write_polisen_demo(workspace: Path, end_period: str, seed: int = 2026) -> list[Path]:
    """Write the demo's police deliveries and DeSO table for the 24 months ending at end_period;
    returns the written paths (the DeSO table first)."""
    workspace = Path(workspace)
    rng = np.random.default_rng(seed + 11)
    months = pd.period_range(end=pd.Period(end_period, freq="M"), periods=N_MONTHS, freq="M")
    municipalities = _municipalities()
    deso = _deso_table(municipalities, months, rng)
    crimes = _simulate(municipalities, deso, months, _codes(rng), rng)
    written = [_write_deso(workspace, deso)]
    folder = workspace / "data" / "raw" / "polisen"
    folder.mkdir(parents=True, exist_ok=True)
    first, second = months[:FIRST_DELIVERY_MONTHS], months[FIRST_DELIVERY_MONTHS - REVISED_MONTHS:]
    revised = _revise(crimes[crimes.month.isin(first[-REVISED_MONTHS:])], rng)
    for code, name in municipalities["municipality_name"].items():
        own = crimes[crimes.municipality_code == code]
        early = own[own.month.isin(first)]
        late = pd.concat([revised[revised.municipality_code == code], own[own.month.isin(months[FIRST_DELIVERY_MONTHS:])]])
        if code == WRONG_DESO[0]:
            late = _plant_wrong_deso(late, deso)
        for rows, last in ((early, first[-1]), (late, second[-1])):
            written.append(_write_delivery(folder / f"Brottsstatistik_{name}_{last.strftime('%Y%m')}.csv", rows, code, name))
    return written


# --- places --------------------------------------------------------------------------------------


def _municipalities() -> pd.DataFrame:
    names = pd.read_csv(REFERENCE_DIR / "municipalities.csv", dtype=str)
    population = pd.read_csv(REFERENCE_DIR / "population.csv", dtype={"municipality_code": str})
    table = names[names.county_code == "17"].merge(population[population.year == POPULATION_YEAR], on="municipality_code")
    return table.set_index("municipality_code")[["municipality_name", "population"]].sort_index()


def _deso_table(municipalities: pd.DataFrame, months: pd.PeriodIndex, rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic DeSO areas per municipality and year (DESO_COLUMNS), plus each area's crime weight.

    The centre's RegSO (letter C) holds the municipality's centre DeSO; towns are B, the rural rest A.
    """
    rows = []
    for code, (name, population) in municipalities.iterrows():
        count = max(3, round(population / DESO_PEOPLE))
        regsos = max(2, round(count / 3))
        towns = regsos // 2
        kinds = [("C", 1, f"{name} centrum")]  # letter, number within the letter, RegSO name
        kinds += [("B", i + 1, f"{name} {_direction(i)}") for i in range(towns)]
        kinds += [("A", i + 1, f"{name} landsbygd {_direction(i)}") for i in range(regsos - 1 - towns)]
        people = rng.gamma(8.0, 1.0, count)
        people = np.round(people / people.sum() * population).astype(int)
        for k in range(count):
            letter, regso, regso_name = kinds[k % regsos]
            number = k // regsos + 1
            rows.append({
                "deso_code": f"{code}{letter}{regso * 100 + number * 10:04d}", "regso_name": regso_name,
                "municipality_code": code, "municipality_name": name, "population": int(people[k]),
                "weight": people[k] * (CENTRE_FACTOR if k == 0 else rng.uniform(0.6, 1.4)),
            })
    areas = pd.DataFrame(rows)
    # The RegSO's DeSO areas are numbered: "Sunne norra 1", "Sunne norra 2" (one alone keeps the RegSO's name).
    number = areas.groupby("regso_name").cumcount() + 1
    several = areas.groupby("regso_name")["regso_name"].transform("size") > 1
    areas["deso_name"] = areas["regso_name"] + np.where(several, " " + number.astype(str), "")
    years = range(months[0].year - 2, months[-1].year + 1)
    frames = [areas.assign(year=year, population=(areas["population"] * (1 + 0.004 * (year - POPULATION_YEAR))).round().astype(int))
              for year in years]
    return pd.concat(frames, ignore_index=True)


def _direction(i: int) -> str:
    return DIRECTIONS[i % len(DIRECTIONS)] + (f" {i // len(DIRECTIONS) + 1}" if i >= len(DIRECTIONS) else "")


def _write_deso(workspace: Path, deso: pd.DataFrame) -> Path:
    path = workspace / WORKSPACE_DESO
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(deso[DESO_COLUMNS].to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    return path


# --- crimes --------------------------------------------------------------------------------------


def _codes(rng: np.random.Generator) -> pd.DataFrame:
    """Crime codes with a drawing weight: the category's share spread unevenly over its codes."""
    codes = pd.read_csv(REFERENCE_DIR / "brottskoder.csv", dtype=str, keep_default_na=False)
    codes = codes[codes.level2.isin(CATEGORY_SHARE)].reset_index(drop=True)
    within = rng.pareto(1.2, len(codes)) + 0.05  # a few codes of a category are most of it
    codes["weight"] = within / codes.groupby("level2")["level2"].transform(lambda s: within[s.index].sum())
    codes["weight"] *= codes["level2"].map(CATEGORY_SHARE)
    codes["weekend"] = codes["level2"].isin(WEEKEND_CATEGORIES) | codes["question_area"].str.startswith("Fråga 1")
    return codes


def _simulate(municipalities: pd.DataFrame, deso: pd.DataFrame, months: pd.PeriodIndex, codes: pd.DataFrame,
              rng: np.random.Generator) -> pd.DataFrame:
    """One row per crime: municipality, DeSO, code, crime and registration dates, registration month."""
    days = pd.date_range(months[0].start_time - pd.Timedelta(days=31), months[-1].end_time.normalize(), freq="D")
    season = (SEASON / SEASON.mean())[days.month - 1]
    weekend = np.where(days.day_of_week >= 4, WEEKEND_FACTOR, 1.0)
    day_p = {False: season / season.sum(), True: season * weekend / (season * weekend).sum()}
    areas = deso[deso.year == deso.year.min()]
    code_p = (codes["weight"] / codes["weight"].sum()).to_numpy()
    frames = []
    for code, (_, population) in municipalities.iterrows():
        expected = population * rng.uniform(*RATE_PER_1000) / 1000 * len(days) / 365.25
        n = int(rng.poisson(expected))
        drawn = codes.iloc[rng.choice(len(codes), n, p=code_p)].reset_index(drop=True)
        own = areas[areas.municipality_code == code]
        committed = np.empty(n, dtype="datetime64[ns]")
        for weekend_peak in (False, True):
            chosen = drawn["weekend"].to_numpy() == weekend_peak
            committed[chosen] = days.to_numpy()[rng.choice(len(days), chosen.sum(), p=day_p[weekend_peak])]
        lag = np.where(rng.random(n) < 0.85, rng.geometric(0.5, n) - 1, rng.integers(3, 60, n))
        frame = pd.DataFrame({
            "municipality_code": code,
            "deso_code": own["deso_code"].to_numpy()[rng.choice(len(own), n, p=(own["weight"] / own["weight"].sum()).to_numpy())],
            "crime_code": drawn["crime_code"], "crime_text": drawn["level5"],
            "committed": committed, "registered": committed + pd.to_timedelta(lag, unit="D"),
            "span": np.where(rng.random(n) < 0.8, 0, rng.integers(1, 5, n)),
        })
        frame.loc[rng.random(n) < NO_DESO_SHARE, "deso_code"] = ""
        unknown = rng.random(n) < UNKNOWN_CODE_SHARE
        frame.loc[unknown, "crime_code"] = rng.choice(UNKNOWN_CODES, unknown.sum())
        frame.loc[unknown, "crime_text"] = "Brottskod saknas i kodlistan"
        frame["date_known"] = rng.random(n) >= UNKNOWN_DATE_SHARE
        frames.append(frame)
    crimes = pd.concat(frames, ignore_index=True)
    crimes["month"] = crimes["registered"].dt.to_period("M")
    crimes = crimes[crimes.month.isin(months)]
    return crimes.sort_values(["municipality_code", "registered", "committed", "crime_code"], kind="stable").reset_index(drop=True)


def _revise(crimes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The police's revision of months already delivered: some crimes written off, some re-coded."""
    kept = crimes[rng.random(len(crimes)) >= 0.02].copy()
    recoded = rng.random(len(kept)) < 0.03
    others = kept[["crime_code", "crime_text"]].to_numpy()[rng.integers(0, len(kept), recoded.sum())]
    kept.loc[recoded, ["crime_code", "crime_text"]] = others
    return kept


def _plant_wrong_deso(crimes: pd.DataFrame, deso: pd.DataFrame) -> pd.DataFrame:
    """Two rows naming a DeSO of the neighbouring municipality: the reader quarantines them."""
    crimes = crimes.copy()
    other = deso.loc[deso.municipality_code == WRONG_DESO[1], "deso_code"].iloc[0]
    crimes.iloc[[3, 40], crimes.columns.get_loc("deso_code")] = other
    return crimes


# --- files ---------------------------------------------------------------------------------------


def _write_delivery(path: Path, crimes: pd.DataFrame, code: str, name: str) -> Path:
    lpo = next(name for name, members in LPO.items() if code in members)
    dates = crimes["committed"].dt.strftime("%Y-%m-%d")
    table = pd.DataFrame({
        HEADER[0]: f"LPO {lpo}", HEADER[1]: "Värmlands län", HEADER[2]: name,
        HEADER[3]: code, HEADER[4]: crimes["deso_code"], HEADER[5]: crimes["crime_code"], HEADER[6]: crimes["crime_text"],
        HEADER[7]: crimes["registered"].dt.strftime("%Y"), HEADER[8]: crimes["registered"].dt.strftime("%Y%m"),
        HEADER[9]: crimes["registered"].dt.strftime("%Y-%m-%d"),
        HEADER[10]: dates.where(crimes["date_known"], "-"),
        HEADER[11]: (crimes["committed"] + pd.to_timedelta(crimes["span"], unit="D")).dt.strftime("%Y-%m-%d").where(crimes["date_known"], "-"),
    })
    if code in WITH_COUNT:  # rows of the same crime, place and day added up
        table = table.groupby(HEADER, sort=False, as_index=False).size().rename(columns={"size": "Antal"})
        table["Antal"] = table["Antal"].astype(str)
    encoding, delimiter, newline = ("utf-8-sig", ",", "\n") if code in UTF8_COMMA else ("cp1252", ";", "\r\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(table.columns)
    writer.writerows(table.itertuples(index=False))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
