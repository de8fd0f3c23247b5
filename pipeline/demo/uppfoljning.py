"""Demo material for the follow-up of the SuToHaMu agreement: official statistics and the register.

- `data/raw/statistik/bra/`: Brå's municipal csv (cp1252, ';', a title line naming year and
  offence), one file per year, for Värmland's municipalities and the county;
- `data/raw/statistik/kolada/`: a Kolada API v2 response for the same KPI, with the county as "0017";
- `data/raw/statistik/sutohamu_narkotikabrott.csv`: a tidy table (area, year, indicator, count) that
  the analyst compiled herself for the four SuToHaMu municipalities;
- `data/raw/avtal/sutohamu_medborgarloften.xlsx`: the register of citizen promises and activities.

The figures are synthetic (a plausible rate per municipality, Poisson counts on SCB's population)
and deterministic for a seed. Output is byte-identical for the same (end_period, seed).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from pipeline.files import workbook_bytes
from pipeline.places import mean_population, municipalities

YEARS = (2022, 2023, 2024)
OFFENCE = "Totalt antal anmälda brott"
KOLADA_KPI = "N07540"
SUTOHAMU = ("1766", "1737", "1783", "1762")
# promise, activity, responsible function, start, end, status, linked indicators, area
REGISTER = [
    ("Tryggare centrum i Sunne", "Trygghetsvandringar två gånger per termin", "Kommunpolis", "2025-02-01", "2026-12-31", "Pågår", "anmalda_brott_totalt", "Sunne"),
    ("Tryggare centrum i Sunne", "Bättre belysning vid busstationen", "Gatuchef", "2025-03-01", "2025-10-31", "Genomförd", "", "Sunne"),
    ("Färre unga i kriminalitet", "SSP-möten varje månad på högstadieskolorna", "SSP-samordnare", "2025-01-15", "2026-12-31", "Pågår", "intox_rate_r12", "SuToHaMu"),
    ("Färre unga i kriminalitet", "Föräldravandringar helger under sommaren", "Fritidschef", "2025-06-01", "2025-08-31", "Genomförd", "", "Torsby"),
    ("Färre unga i kriminalitet", "Ungdomsgård med kvällsöppet fredagar", "Fritidschef", "2025-09-01", "2026-06-30", "Ej påbörjad", "", "Hagfors"),
    ("Mindre langning och narkotika", "Tillsyn av serveringsställen med polisen", "Alkoholhandläggare", "2025-04-01", "2026-03-31", "Ej genomförd", "intox_cases_r12", "Munkfors"),
    ("Mindre langning och narkotika", "Kampanj mot langning inför studenten", "Säkerhetssamordnare", "2025-05-01", "2025-06-15", "Genomförd", "", "SuToHaMu"),
    ("Mindre langning och narkotika", "Utbildning om lustgas för skolpersonal", "Elevhälsochef", "2025-10-01", "2026-02-28", "Inställd", "", "Hagfors"),
]
REGISTER_HEADER = ["Kommun/område", "Medborgarlöfte", "Insats", "Ansvarig funktion", "Startdatum", "Slutdatum", "Status", "Kopplade indikatorer"]


def write_uppfoljning_demo(workspace: Path, end_period: str, seed: int = 2026) -> list[Path]:
    rng = np.random.default_rng(seed + 7)
    saved_at = dt.datetime(int(end_period[:4]), int(end_period[5:7]), 1, 7, 0)
    table = municipalities()
    varmland = table[table.county_code == "17"]
    mean = mean_population(YEARS[0], YEARS[-1]).set_index(["municipality_code", "year"])["population"]
    rates = {code: rng.uniform(5500, 9500) for code in varmland.municipality_code}  # per 100 000
    counts = {
        (code, year): int(rng.poisson(rates[code] * mean[(code, year)] / 100_000))
        for code in varmland.municipality_code for year in YEARS
    }
    written = []
    folder = workspace / "data" / "raw" / "statistik"
    for year in YEARS:
        lines = [f"Anmälda brott {year}, {OFFENCE}, efter kommun", "Källa: Brottsförebyggande rådet (demodata)", "",
                 "Kommun;Antal;Per 100 000 inv."]
        county = 0
        county_pop = 0.0
        for code, name in zip(varmland.municipality_code, varmland.municipality_name):
            lines.append(f"{code} {name};{_thousands(counts[(code, year)])};{_thousands(_rate(counts[(code, year)], mean[(code, year)]))}")
            county, county_pop = county + counts[(code, year)], county_pop + mean[(code, year)]
        lines.insert(4, f"Värmlands län;{_thousands(county)};{_thousands(_rate(county, county_pop))}")
        path = folder / "bra" / f"anmalda_brott_{year}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
        written.append(path)
    values = [
        {"kpi": KOLADA_KPI, "municipality": code, "period": year,
         "values": [{"gender": "T", "count": 1, "status": "", "value": float(_rate(counts[(code, year)], mean[(code, year)]))}]}
        for code in SUTOHAMU for year in YEARS
    ]
    path = folder / "kolada" / f"kolada_{KOLADA_KPI}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"count": len(values), "values": values}, ensure_ascii=False, indent=1), encoding="utf-8")
    written.append(path)
    written.append(_write_tidy(folder / "sutohamu_narkotikabrott.csv", mean, rng))
    written.append(_write_register(workspace / "data" / "raw" / "avtal" / "sutohamu_medborgarloften.xlsx", saved_at))
    return written


def _write_tidy(path: Path, mean, rng: np.random.Generator) -> Path:
    """Områdeskod;År;Indikator;Antal, in UTF-8 with BOM as Excel writes 'CSV UTF-8'."""
    lines = ["Områdeskod;År;Indikator;Antal"]
    for code in SUTOHAMU:
        rate = rng.uniform(250, 450)  # narcotics offences per 100 000
        lines += [f"{code};{year};narkotikabrott;{int(rng.poisson(rate * mean[(code, year)] / 100_000))}" for year in YEARS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    return path


def _rate(count: int, mean_population: float) -> int:
    return round(count / mean_population * 100_000)


def _thousands(number: int) -> str:
    """Brå writes 12 345 with a space between thousands."""
    return f"{number:,}".replace(",", " ")


def _write_register(path: Path, saved_at: dt.datetime) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Insatser"
    sheet.append(REGISTER_HEADER)
    for promise, activity, responsible, start, end, status, indicators, area in REGISTER:
        sheet.append([area, promise, activity, responsible, dt.date.fromisoformat(start), dt.date.fromisoformat(end), status, indicators])
    book.properties.creator = "lagesbild demo"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(book, saved_at))
    return path
