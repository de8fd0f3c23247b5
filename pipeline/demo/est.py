"""Synthetic EST incident reports for five Värmland municipalities, as their users keep them.

`write_est_demo` writes 24 months of events (Effektiv samordning för trygghet) in four layouts:

- Sunne reports every week in the project's own workbook (`lagesbild template est`), one per year;
- Karlstad (every week) exports from its incident tool to xlsx, one per year, with the time of day
  and other header names;
- Torsby (every second week) exports Excel's Swedish csv (cp1252, `;`) per quarter, with the
  checklist's long texts and functions written as the reporters write them;
- Hagfors (every second week) keeps UTF-8 csv per half-year in data/raw/est/hagfors/, without a
  Kommun column; Munkfors exports the year so far twice a year, so its files overlap (the build
  counts an event in two exports once).

Volumes are a few to a few dozen events a month, with seasons (störande samlingar, nedskräpning
and traffic on footpaths in summer, fires around Valborg and New Year, unsafe places in the dark
months), named places with DeSO codes in SCB's format, and a few clear hotspots: Resecentrum in
Sunne, Skolgården Västra skolan in Hagfors and Stora torget in Karlstad grow in the last twelve
months; Centrumtorget in Torsby calms down. Things seen on a round (klotter, nedskräpning,
skadegörelse, otrygg plats) are dated on the reporting day. Three faulty rows are planted: an
unknown category, a DeSO in another municipality and a description that names a person. Output
is byte-identical for the same (end_period, seed).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook

from pipeline.config import Workspace
from pipeline.files import workbook_bytes
from pipeline.ingest.contract import fold
from pipeline.ingest.forms import EST_SHEET, FIRST_ROW, write_est_template
from pipeline.ingest.sources.est import contract as est_contract

N_MONTHS = 24
CATEGORIES = ("skadegorelse", "klotter", "nedskrapning", "incident_anstalld", "droghantering", "ran", "misshandel",
              "anlagd_brand", "storande_samlingar", "otillaten_trafik", "otrygg_plats", "annat")
ROUND_SEEN = {"skadegorelse", "klotter", "nedskrapning", "otrygg_plats"}  # dated on the reporting day
# Share of the events per category (a municipality's place profiles shift it) ...
CATEGORY_WEIGHT = np.array([0.16, 0.14, 0.14, 0.05, 0.07, 0.015, 0.035, 0.04, 0.14, 0.08, 0.07, 0.04])
# ... and its season, January first: a factor per category and month.
SEASONS = {
    "nedskrapning": [0.5, 0.5, 0.7, 1.0, 1.3, 1.6, 1.7, 1.5, 1.0, 0.8, 0.7, 0.7],
    "storande_samlingar": [0.6, 0.6, 0.8, 1.0, 1.3, 1.6, 1.5, 1.4, 1.0, 0.8, 0.7, 0.9],
    "otillaten_trafik": [0.3, 0.3, 0.6, 1.0, 1.5, 1.7, 1.6, 1.5, 1.2, 0.8, 0.4, 0.3],
    "anlagd_brand": [1.5, 0.6, 0.7, 1.8, 1.1, 1.0, 0.9, 0.8, 0.7, 0.9, 0.8, 2.2],
    "otrygg_plats": [1.6, 1.4, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.9, 1.3, 1.7, 1.8],
}
# Time band (00-06, 06-12, 12-18, 18-24, unknown) per category.
BANDS = ("00-06", "06-12", "12-18", "18-24", "okand")
BAND_P = {
    "incident_anstalld": [0.02, 0.35, 0.50, 0.12, 0.01], "otillaten_trafik": [0.05, 0.15, 0.40, 0.38, 0.02],
    "skadegorelse": [0.35, 0.15, 0.15, 0.25, 0.10], "klotter": [0.30, 0.10, 0.10, 0.20, 0.30],
    "nedskrapning": [0.10, 0.30, 0.25, 0.15, 0.20], "otrygg_plats": [0.25, 0.05, 0.10, 0.55, 0.05],
}
DEFAULT_BAND_P = [0.25, 0.08, 0.20, 0.45, 0.02]
REPORTERS = ("kommunen", "bostadsbolaget", "polisen", "bevakningsforetag", "raddningstjansten", "annan")
REPORTER_P = {
    "anlagd_brand": [0.10, 0.10, 0.10, 0.15, 0.50, 0.05], "droghantering": [0.20, 0.10, 0.50, 0.15, 0.0, 0.05],
    "ran": [0.05, 0.0, 0.85, 0.10, 0.0, 0.0], "misshandel": [0.10, 0.05, 0.70, 0.15, 0.0, 0.0],
    "incident_anstalld": [0.70, 0.15, 0.05, 0.05, 0.0, 0.05],
}
DEFAULT_REPORTER_P = [0.40, 0.30, 0.10, 0.15, 0.0, 0.05]
ASSESSMENTS = ("akut", "atgard", "bevaka", "ingen_atgard")
URGENT = {"anlagd_brand", "ran", "misshandel", "incident_anstalld"}
DESCRIPTIONS = {
    "skadegorelse": ["Krossad ruta i entrén.", "Sönderslagen belysningsstolpe.", "Sparkad dörr, låset trasigt."],
    "klotter": ["Nytt klotter på fasaden.", "Tags på busskuren.", "Klotter med kränkande text, bör saneras."],
    "nedskrapning": ["Mycket skräp efter helgen.", "Glaskross på marken.", "Fimpar och burkar vid bänkarna."],
    "incident_anstalld": ["Personal hotad vid stängning.", "Anställd hindrad i arbetet av en grupp.", "Personal provocerad."],
    "droghantering": ["Misstänkt försäljning vid cykelstället.", "Lukt av cannabis, flera personer.", "Bortglömda påsar."],
    "ran": ["Ung person rånad på mobil.", "Rånförsök på kvällen."],
    "misshandel": ["Bråk som slutade i misshandel.", "Slagsmål mellan några unga."],
    "anlagd_brand": ["Brand i papperskorg.", "Containerbrand under natten.", "Eldat i buskage."],
    "storande_samlingar": ["Större grupp unga, hög musik.", "Samling med mopeder sent på kvällen.", "Störande grupp vid entrén."],
    "otillaten_trafik": ["Mopeder på gång- och cykelvägen.", "Epatraktorer kör på cykelvägen.", "Bil på gångvägen."],
    "otrygg_plats": ["Trasig belysning gör platsen mörk.", "Buskar skymmer sikten.", "Upplevs otryggt efter mörkrets inbrott."],
    "annat": ["Övergivna cyklar.", "Hund lös i lekparken.", "Oklart ärende, följs upp."],
}


@dataclass(frozen=True)
class Place:
    name: str
    deso: str  # SCB's format: municipality code, A/B/C, four digits; an area of the police demo's DeSO table
    weight: float
    trend: float = 1.0  # factor on its weight in the last 12 months: a hotspot grows, a calmed place shrinks
    boost: tuple[str, ...] = ()  # categories that happen more here


@dataclass(frozen=True)
class Reporting:
    code: str
    name: str
    per_month: float  # mean events a month
    every_weeks: int  # 1: every week, 2: every second week
    weekday: int  # the reporting round's weekday (Monday 0)
    places: tuple[Place, ...]
    position: tuple[float, float]  # latitude, longitude of the centre


SCHOOL, CENTRE, HOUSING = ("skadegorelse", "klotter", "nedskrapning"), ("storande_samlingar", "droghantering"), ("skadegorelse", "otrygg_plats")
MUNICIPALITIES = (
    Reporting("1766", "Sunne", 14, 1, 1, (
        Place("Resecentrum", "1766C0110", 0.24, 2.0, CENTRE), Place("Centrumtorget", "1766C0120", 0.16, 1.0, CENTRE),
        Place("Skolgården Västra skolan", "1766C0130", 0.12, 1.0, SCHOOL), Place("Badplatsen Kolsnäs", "1766A0110", 0.08, 1.0, ("nedskrapning",)),
        Place("Gång- och cykelvägen längs Fryken", "1766C0120", 0.10, 1.0, ("otillaten_trafik",)),
        Place("Bostadsområdet Solberga", "1766B0110", 0.16, 0.9, HOUSING), Place("Idrottsplatsen", "1766B0120", 0.07),
        Place("Lekparken Rottneros", "1766A0120", 0.07),
    ), (59.837, 13.143)),
    Reporting("1780", "Karlstad", 45, 1, 4, (
        Place("Stora torget", "1780C0110", 0.16, 1.8, CENTRE), Place("Resecentrum", "1780C0120", 0.14, 1.0, CENTRE),
        Place("Kroppkärr centrum", "1780B0110", 0.10, 1.0, HOUSING), Place("Rud centrum", "1780B0410", 0.09, 0.8, HOUSING),
        Place("Skolgården Kronoparksskolan", "1780B0310", 0.08, 1.0, SCHOOL), Place("Sandgrundsparken", "1780C0130", 0.10, 1.0, CENTRE),
        Place("Gång- och cykeltunneln vid Välsviken", "1780B0320", 0.07, 1.0, ("otillaten_trafik", "otrygg_plats")),
        Place("Bostadsområdet Orrholmen", "1780B0210", 0.09, 1.0, HOUSING), Place("Hamnen", "1780C0120", 0.07),
        Place("Mariebergsskogen", "1780B0610", 0.05), Place("Lekplatsen Herrhagen", "1780B0120", 0.05),
    ), (59.380, 13.504)),
    Reporting("1737", "Torsby", 11, 2, 3, (
        Place("Centrumtorget", "1737C0110", 0.26, 0.45, CENTRE), Place("Resecentrum", "1737C0120", 0.16, 1.0, CENTRE),
        Place("Skolgården Frykenskolan", "1737C0130", 0.14, 1.0, SCHOOL), Place("Bostadsområdet Holmen", "1737B0110", 0.16, 1.0, HOUSING),
        Place("Badplatsen Nedre Fryken", "1737A0110", 0.10, 1.0, ("nedskrapning",)), Place("Ishallen", "1737B0120", 0.09),
        Place("Gång- och cykelvägen mot Vitsand", "1737A0120", 0.09, 1.0, ("otillaten_trafik",)),
    ), (60.135, 12.996)),
    Reporting("1783", "Hagfors", 12, 2, 0, (
        Place("Skolgården Västra skolan", "1783C0110", 0.20, 2.4, SCHOOL), Place("Resecentrum", "1783C0120", 0.15, 1.0, CENTRE),
        Place("Stortorget", "1783C0110", 0.15, 1.0, CENTRE), Place("Bostadsområdet Sporthallsvägen", "1783B0110", 0.16, 1.0, HOUSING),
        Place("Uddeholms badplats", "1783A0110", 0.10, 1.0, ("nedskrapning",)), Place("Fritidsgården", "1783C0130", 0.12),
        Place("Gång- och cykelvägen vid Älvstranden", "1783B0120", 0.12, 1.0, ("otillaten_trafik",)),
    ), (60.033, 13.692)),
    Reporting("1762", "Munkfors", 5, 2, 2, (
        Place("Centrum", "1762C0110", 0.35, 1.0, CENTRE), Place("Skolgården Hagaskolan", "1762C0120", 0.25, 1.0, SCHOOL),
        Place("Badplatsen Ransäter", "1762B0110", 0.15, 1.0, ("nedskrapning",)), Place("Bostadsområdet Forsnäs", "1762B0110", 0.25, 1.0, HOUSING),
    ), (59.837, 13.545)),
)
SUNNE, KARLSTAD, TORSBY, HAGFORS, MUNKFORS = MUNICIPALITIES

# How each layout writes its answers where it does not use the contract's labels (checked against schemas/est.yaml).
TORSBY_TEXTS = {
    "category": {"storande_samlingar": "Störande samlingar av ungdomar eller andra", "droghantering": "Misstänkt droghantering",
                 "incident_anstalld": "Hot mot personal", "otillaten_trafik": "Trafik på GC-väg"},
    "reporter": {"polisen": "Kommunpolis", "bevakningsforetag": "Väktare", "bostadsbolaget": "Fastighetsägare"},
    "assessment": {"akut": "Prio 1", "atgard": "Prio 2", "bevaka": "Prio 3", "ingen_atgard": "Prio 4"},
}
KARLSTAD_TEXTS = {"time_band": {"00-06": "Natt", "06-12": "Förmiddag", "12-18": "Eftermiddag", "18-24": "Kväll", "okand": "Okänd"}}
TORSBY_HEADER = ["Händelsedatum", "Tid på dygnet", "Kommun", "Händelsetyp", "Plats", "DeSO", "Rapporterad av", "Bedömning", "Fritext"]
HAGFORS_HEADER = ["Datum", "Tidsintervall", "Kategori", "Plats", "DeSO", "Rapportör", "Bedömning", "Beskrivning"]
KARLSTAD_HEADER = ["Datum/tid", "Tid på dygnet", "Kommun", "Typ av händelse", "Platsnamn", "Desokod", "Position",
                   "Rapportörens organisation", "Prioritering", "Händelsebeskrivning"]


def write_est_demo(workspace: Path, end_period: str, seed: int = 2026) -> list[Path]:
    """Write the demo's EST reports for the 24 months ending at `end_period`; returns the written paths."""
    workspace = Path(workspace)
    months = pd.period_range(end=pd.Period(end_period, freq="M"), periods=N_MONTHS, freq="M")
    rng = np.random.default_rng(seed + 11)
    labels = _labels(workspace)
    events = {m.code: _simulate(m, months, rng) for m in MUNICIPALITIES}
    _plant_faults(events)
    raw = workspace / "data" / "raw" / "est"
    saved_at = (months[-1] + 1).start_time.to_pydatetime().replace(hour=7)
    written = _write_sunne(events[SUNNE.code], labels, workspace, raw, saved_at)
    written += _write_karlstad(events[KARLSTAD.code], labels, raw, saved_at)
    written += _write_csv(events[TORSBY.code], _torsby_rows(labels), TORSBY_HEADER, raw, "EST-export_Torsby_{year}_Q{quarter}.csv",
                          lambda d: (d.year, (d.month - 1) // 3 + 1), "cp1252", ";")
    written += _write_csv(events[HAGFORS.code], _hagfors_rows(labels), HAGFORS_HEADER, raw / "hagfors", "est_hagfors_{year}_h{half}.csv",
                          lambda d: (d.year, 1 if d.month <= 6 else 2), "utf-8", ",")
    written += _write_munkfors(events[MUNKFORS.code], labels, raw, months)
    return written


# --- simulation ------------------------------------------------------------------------------


def _simulate(where: Reporting, months: pd.PeriodIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One row per event: date, time band, category, place, DeSO, reporter, assessment, description (codes)."""
    rows = []
    season = np.ones((12, len(CATEGORIES)))
    for code, factors in SEASONS.items():
        season[:, CATEGORIES.index(code)] = factors
    for index, month in enumerate(months):
        recent = index >= len(months) - 12
        place_weight = np.array([p.weight * (p.trend if recent else 1.0) for p in where.places])
        expected = where.per_month * place_weight.sum() * (season[month.month - 1] @ CATEGORY_WEIGHT) / CATEGORY_WEIGHT.sum()
        count = rng.poisson(expected)
        places = rng.choice(len(where.places), size=count, p=place_weight / place_weight.sum())
        days = rng.integers(1, month.days_in_month + 1, size=count)
        for place_index, day in zip(places, days):
            place = where.places[place_index]
            weight = CATEGORY_WEIGHT * season[month.month - 1] * [3.0 if c in place.boost else 1.0 for c in CATEGORIES]
            category = CATEGORIES[rng.choice(len(CATEGORIES), p=weight / weight.sum())]
            date = dt.date(month.year, month.month, int(day))
            if category in ROUND_SEEN:  # seen on the next reporting round, within the month
                date = _round_day(date, where, month)
            rows.append(_event(where, place, category, date, index / (len(months) - 1), rng))
    return pd.DataFrame(rows).sort_values(["date", "place"], kind="stable").reset_index(drop=True)


def _round_day(date: dt.date, where: Reporting, month: pd.Period) -> dt.date:
    """The first reporting day on or after `date` (rounds every `every_weeks` weeks), kept in the month."""
    first = dt.date(2020, 1, 6) + dt.timedelta(days=where.weekday)  # a Monday, plus the round's weekday
    cycle = 7 * where.every_weeks
    ahead = (-(date - first).days) % cycle
    return min(date + dt.timedelta(days=ahead), month.end_time.date())


def _event(where: Reporting, place: Place, category: str, date: dt.date, progress: float, rng: np.random.Generator) -> dict:
    """An event's answers; the share of reports with an assessment grows over the two years."""
    band = BANDS[rng.choice(len(BANDS), p=BAND_P.get(category, DEFAULT_BAND_P))]
    reporter = REPORTERS[rng.choice(len(REPORTERS), p=REPORTER_P.get(category, DEFAULT_REPORTER_P))]
    assessed = rng.random() < 0.55 + 0.3 * progress
    if category in URGENT:
        assessment = ASSESSMENTS[rng.choice(4, p=[0.55, 0.30, 0.15, 0.0])]
    else:
        assessment = ASSESSMENTS[rng.choice(4, p=[0.08, 0.45, 0.35, 0.12])]
    texts = DESCRIPTIONS[category]
    lat, lon = where.position
    return {
        "date": date, "time_band": band, "category": category, "place": place.name,
        "deso": place.deso if rng.random() < 0.7 else "", "reporter": reporter,
        "assessment": assessment if assessed else "",
        "description": texts[rng.integers(len(texts))] if rng.random() < 0.6 else "",
        "coordinates": f"{lat + rng.normal(0, 0.004):.4f}, {lon + rng.normal(0, 0.008):.4f}" if rng.random() < 0.3 else "",
    }


def _plant_faults(events: dict[str, pd.DataFrame]) -> None:
    """Three rows the check keeps out, each with its file, row and column named."""
    torsby, hagfors, karlstad = events[TORSBY.code], events[HAGFORS.code], events[KARLSTAD.code]
    torsby.loc[len(torsby) // 3, "category"] = "Cykelstöld"  # no category of the checklist
    hagfors.loc[len(hagfors) // 2, "deso"] = "1766C0110"  # Sunne's DeSO in a Hagfors report
    karlstad.loc[len(karlstad) // 4, "description"] = "Väktaren Kalle Lindqvist blev hotad vid entrén."  # a person named


# --- layouts ---------------------------------------------------------------------------------


def _labels(workspace: Path) -> dict[str, dict[str, str]]:
    """Code -> label per code list of schemas/est.yaml; the layouts' own texts must be known answers."""
    contract = est_contract(Workspace(workspace))
    for texts in (TORSBY_TEXTS, KARLSTAD_TEXTS):
        for field, answers in texts.items():
            codes = contract.codelists[contract.fields[field]["codelist"]]
            for code, text in answers.items():
                if codes.lookup.get(fold(text)) != code:
                    raise ValueError(f"{text!r} is not an answer for {field} {code} in est.yaml")
    return {field: contract.codelists[spec["codelist"]].labels for field, spec in contract.fields.items() if spec["kind"] == "code"}


def _text(labels: dict, field: str, code: str, own: dict | None = None) -> str:
    if not code or code not in labels[field]:
        return code  # empty, or a planted text that is no code
    return (own or {}).get(field, {}).get(code) or labels[field][code]


def _sunne_row(event, labels: dict) -> list:
    return [SUNNE.name, event.date, _text(labels, "time_band", event.time_band) if event.time_band != "okand" else None,
            _text(labels, "category", event.category), event.place, event.deso or None, event.coordinates or None,
            _text(labels, "reporter", event.reporter), _text(labels, "assessment", event.assessment) or None,
            event.description or None]


def _write_sunne(events: pd.DataFrame, labels: dict, workspace: Path, raw: Path, saved_at: dt.datetime) -> list[Path]:
    """The project's workbook, one per year, filled in below its header row."""
    written = []
    for year, rows in events.groupby(events.date.map(lambda d: d.year)):
        path = raw / f"EST_Sunne_{year}.xlsx"
        write_est_template(path, Workspace(workspace), SUNNE.name)
        book = load_workbook(path)
        sheet = book[EST_SHEET]
        for offset, event in enumerate(rows.itertuples(index=False)):
            for column, value in enumerate(_sunne_row(event, labels), start=1):
                sheet.cell(row=FIRST_ROW + offset, column=column, value=value)
        written.append(_save(book, path, saved_at))
    return written


def _write_karlstad(events: pd.DataFrame, labels: dict, raw: Path, saved_at: dt.datetime) -> list[Path]:
    """An incident tool's export: the time of the event, and the time of day in words."""
    hours = {"00-06": 2, "06-12": 9, "12-18": 15, "18-24": 21, "okand": 12}
    written = []
    for year, rows in events.groupby(events.date.map(lambda d: d.year)):
        book = Workbook()
        sheet = book.active
        sheet.title = "Export"
        sheet.append(KARLSTAD_HEADER)
        for number, event in enumerate(rows.itertuples(index=False)):
            moment = dt.datetime.combine(event.date, dt.time(hours[event.time_band], (number * 7) % 60))
            sheet.append([moment, _text(labels, "time_band", event.time_band, KARLSTAD_TEXTS), f"{KARLSTAD.name} kommun",
                          _text(labels, "category", event.category), event.place, event.deso or None, event.coordinates or None,
                          _text(labels, "reporter", event.reporter), _text(labels, "assessment", event.assessment) or None,
                          event.description or None])
            sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd hh:mm"
        written.append(_save(book, raw / f"Karlstad_EST_{year}.xlsx", saved_at))
    return written


def _save(book, path: Path, saved_at: dt.datetime) -> Path:
    book.properties.creator = "lagesbild demo"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(book, saved_at))
    return path


def _torsby_rows(labels: dict):
    def row(event) -> list[str]:
        return [event.date.isoformat(), _text(labels, "time_band", event.time_band) if event.time_band != "okand" else "",
                "Torsby kommun", _text(labels, "category", event.category, TORSBY_TEXTS), event.place, event.deso,
                _text(labels, "reporter", event.reporter, TORSBY_TEXTS), _text(labels, "assessment", event.assessment, TORSBY_TEXTS),
                event.description]
    return row


def _hagfors_rows(labels: dict):
    def row(event) -> list[str]:
        return [event.date.isoformat(), _text(labels, "time_band", event.time_band), _text(labels, "category", event.category),
                event.place, event.deso, _text(labels, "reporter", event.reporter), _text(labels, "assessment", event.assessment),
                event.description]
    return row


def _write_csv(events: pd.DataFrame, row, header: list[str], folder: Path, name: str, group, encoding: str, delimiter: str) -> list[Path]:
    """One csv per group of dates (a quarter, a half-year), named by `name` with the group's year and number."""
    written = []
    keys = events.date.map(group)
    for key in dict.fromkeys(keys):
        year, number = key
        path = folder / name.format(year=year, quarter=number, half=number)
        _write_csv_file(path, header, [row(e) for e in events[keys == key].itertuples(index=False)], encoding, delimiter)
        written.append(path)
    return written


def _write_csv_file(path: Path, header: list[str], rows: list[list[str]], encoding: str, delimiter: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _write_munkfors(events: pd.DataFrame, labels: dict, raw: Path, months: pd.PeriodIndex) -> list[Path]:
    """The year so far, exported after June and after the year's (or the demo's) last month: the
    second export of a year holds the first one's events again."""
    header = HAGFORS_HEADER[:1] + ["Kommun"] + HAGFORS_HEADER[1:]
    hagfors_row = _hagfors_rows(labels)
    written = []
    event_months = pd.PeriodIndex([pd.Period(d, freq="M") for d in events.date], freq="M")
    for year in dict.fromkeys(m.year for m in months):
        in_year = [m for m in months if m.year == year]
        for last in sorted({m for m in in_year if m.month == 6} | {in_year[-1]}):
            chosen = events[(event_months.year == year) & (event_months <= last)]
            path = raw / f"EST_Munkfors_{year}_jan-{last.strftime('%m')}.csv"
            rows = [[r[0], MUNKFORS.name, *r[1:]] for r in map(hagfors_row, chosen.itertuples(index=False))]
            _write_csv_file(path, header, rows, "utf-8-sig", ";")
            written.append(path)
    return written
