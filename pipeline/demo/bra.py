"""Demo material: Brå's "Indikatorer för kommuners lägesbild" for the four SuToHaMu municipalities.

One workbook per municipality in `data/raw/statistik/bra_lagesbild/` (as Brå publishes them, named after
the municipality), in Brå's layout (pipeline/ingest/sources/statistik.py, read_workbook): a sheet about
the statistics, then one sheet per indicator with its title in A1, the headers in row 2 and a row each
for the municipality, Värmlands län and Hela landet:
  * reported crimes, "<unit> <year>" columns: counts drawn on SCB's mean population and Brå's rate per
    100 000 beside them; one crime the catalogue does not know (Bedrägeribrott) is read by its title;
  * NTU shares, years as columns, and for each a sheet of lower and of upper 95 % bounds; the number of
    respondents. A municipality's share comes from about 2.5 % of its inhabitants answering (at least 180),
    so its interval is some ±4–7 points; the county's and the country's are far narrower. Hagfors's
    insecurity rises by some six points a year: a change over the years that the intervals call real.

Synthetic, deterministic for a seed: the same (end_period, seed) gives the same bytes.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from pipeline.demo.uppfoljning import SUTOHAMU, YEARS
from pipeline.files import workbook_bytes
from pipeline.places import mean_population, municipalities

FOLDER = Path("data") / "raw" / "statistik" / "bra_lagesbild"
COUNTY = "17"
SPAN = f"{YEARS[0]}–{YEARS[-1]}"
# sheet name, Brå's name of the offence, rate per 100 000 around which the municipalities' lie
CRIMES = [
    ("Misshandel (anmälda)", "Misshandel", 850),
    ("Skadegörelse (anmälda)", "Skadegörelsebrott", 1900),
    ("Bostadsinbrott (anmälda)", "Bostadsinbrott", 120),
    ("Bedrägeri (anmälda)", "Bedrägeribrott", 2200),
]
# sheet name's stem, Brå's name of the NTU indicator, share (%) in the county; per municipality its
# offset from the county and its change per year (points)
NTU = [
    ("Otrygghet kväll", "Otrygghet vid utevistelse sen kväll i det egna bostadsområdet", 17.0,
     {"1766": (-2, 0.0), "1737": (1, -0.5), "1783": (-3, 6.0), "1762": (2, 0.5)}),
    ("Avstått aktivitet", "Avstått från någon aktivitet på grund av oro för att utsättas för brott", 12.0,
     {"1766": (-1, 0.0), "1737": (0, 0.5), "1783": (1, 1.0), "1762": (-2, 0.0)}),
    ("Oro brottsligheten", "Oro för brottsligheten i samhället", 27.0,
     {"1766": (0, -1.0), "1737": (2, 0.0), "1783": (3, 0.5), "1762": (-1, 0.0)}),
    ("Utsatt person", "Utsatt för brott mot person", 11.0,
     {"1766": (-1, 0.0), "1737": (-2, 0.0), "1783": (0, 0.5), "1762": (-3, 0.0)}),
]
ANSWERING = 0.025  # share of the inhabitants who answer NTU
DESIGN_EFFECT = 1.1  # NTU's weighting widens the interval of a simple random sample


def write_bra_demo(workspace: Path, end_period: str, seed: int = 2026) -> list[Path]:
    rng = np.random.default_rng(seed + 11)
    saved_at = dt.datetime(int(end_period[:4]), int(end_period[5:7]), 1, 6, 30)
    table = municipalities()
    names = dict(zip(table.municipality_code, table.municipality_name))
    county = table[table.county_code == COUNTY]
    county_name = county.county_name.iloc[0]
    mean = mean_population(YEARS[0], YEARS[-1])
    population = {(code, int(year)): float(p) for code, year, p in zip(mean.municipality_code, mean.year, mean.population)}
    for year in YEARS:
        population["lan", year] = sum(population[code, year] for code in county.municipality_code)
        population["riket", year] = float(mean.loc[mean.year == year, "population"].sum())
    areas = [*SUTOHAMU, "lan", "riket"]
    crimes = {
        (sheet, area, year): int(rng.poisson(rate * rng.uniform(0.7, 1.3) * population[area, year] / 100_000))
        for sheet, _, rate in CRIMES for area in areas for year in YEARS
    }
    shares = {}
    for stem, _, level, offsets in NTU:
        for area in areas:
            offset, slope = offsets.get(area, (0, 0.0))
            for number, year in enumerate(YEARS):
                shares[stem, area, year] = _estimate(level + offset + slope * number + rng.normal(0, 0.8), _answers(population[area, year]))
    written = []
    for code in SUTOHAMU:
        rows_for = {code: names[code], "lan": county_name, "riket": "Hela landet"}
        book = Workbook()
        about = book.active
        about.title = "Om statistiken"
        about.append([f"Indikatorer för kommuners lägesbild – {names[code]}"])
        about.append(["Källa: Brottsförebyggande rådet (Brå), anmälda brott och Nationella trygghetsundersökningen (NTU). Demodata."])
        for sheet_name, offence, _ in CRIMES:
            sheet = book.create_sheet(sheet_name)
            sheet.append([f"{offence} (anmälda brott) i kommunen, länet och hela landet {SPAN}"])
            sheet.append(["Område", *[f"Antal {y}" for y in YEARS], *[f"Antal per 100 000 inv {y}" for y in YEARS]])
            for area in (code, "lan", "riket"):
                counts = [crimes[sheet_name, area, y] for y in YEARS]
                sheet.append([rows_for[area], *counts, *[round(c / population[area, y] * 100_000) for c, y in zip(counts, YEARS)]])
        for stem, name, _, _ in NTU:
            for suffix, unit, part in (("(NTU)", "Andel (%)", 0), ("KI undre", "KI (95 %) undre gräns", 1), ("KI övre", "KI (95 %) övre gräns", 2)):
                sheet = book.create_sheet(f"{stem} {suffix}")
                sheet.append([f"{name}, enligt NTU {SPAN}. {unit}"])
                sheet.append(["Område", *[str(y) for y in YEARS]])
                for area in (code, "lan", "riket"):
                    sheet.append([rows_for[area], *[shares[stem, area, y][part] for y in YEARS]])
        sheet = book.create_sheet("Antal svarande (NTU)")
        sheet.append(["Antal svarande i NTU."])
        sheet.append(["Område", *[str(y) for y in YEARS]])
        for area in (code, "lan", "riket"):
            sheet.append([rows_for[area], *[_answers(population[area, y]) for y in YEARS]])
        written.append(_save(book, workspace / FOLDER / f"{names[code]}.xlsx", saved_at))
    return written


def _answers(population: float) -> int:
    return max(180, round(population * ANSWERING))


def _estimate(share: float, answers: int) -> tuple[int, int, int]:
    """A share (%) and its 95 % interval from `answers` respondents, in whole percent as Brå shows them."""
    p = min(max(share, 1.0), 99.0) / 100
    half = 1.96 * math.sqrt(p * (1 - p) / answers) * DESIGN_EFFECT * 100
    return round(p * 100), round(p * 100 - half), round(p * 100 + half)


def _save(book: Workbook, path: Path, saved_at: dt.datetime) -> Path:
    book.properties.creator = "Brå (demodata)"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(book, saved_at))
    return path
