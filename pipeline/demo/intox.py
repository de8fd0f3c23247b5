"""Synthetic INTOX forms for a demo region: the 16 municipalities of Värmland (county 17).

`write_intox_demo` writes 24 months of acute-poisoning registrations as three emergency
departments would export them, each in its own layout:

- Centralsjukhuset Karlstad: one xlsx workbook per year, title rows above the header,
  one "X" column per substance;
- Arvika sjukhus: Excel's Swedish "CSV (semikolonavgränsad)" (cp1252, `;`, CRLF) per quarter,
  Swedish text dates, age bands, no unit column; its coverage starts in the 7th month;
- Torsby sjukhus: UTF-8 csv with BOM per month, ISO dates, municipality codes.

It also writes `schemas/intox_coverage.yaml` for the workspace. A handful of faulty cells and
blank rows are planted so the demo shows data-quality feedback. Output is byte-identical for
the same (end_period, seed). Labels and answer texts come from schemas/intox.yaml.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from openpyxl import Workbook
from openpyxl.styles import Font

from pipeline.config import PROJECT_SCHEMAS, REFERENCE_DIR
from pipeline.files import workbook_bytes

N_MONTHS = 24
POPULATION_YEAR = 2024
RATE_PER_10K = 30.0
WEEKEND_FACTOR = 1.6  # Friday to Sunday
# Relative volume per calendar month (January first); normalised to a mean of 1 below.
SEASON = np.array([0.95, 0.80, 0.95, 1.00, 1.05, 1.20, 1.25, 1.15, 0.95, 0.95, 0.90, 1.20])
OUTSIDE_SHARE = 0.01
UNKNOWN_HOME_SHARE = 0.003


@dataclass(frozen=True)
class Unit:
    name: str
    folder: str
    prefix: str  # of the case ids
    municipalities: tuple[str, ...]
    first_month: int  # index into the 24 months


UNITS = (
    Unit("Centralsjukhuset Karlstad", "csk-karlstad", "CSK",
         ("1780", "1761", "1715", "1763", "1764", "1781", "1760", "1782", "1785"), 0),
    Unit("Arvika sjukhus", "arvika-sjukhus", "ARV", ("1784", "1730", "1765"), 6),
    Unit("Torsby sjukhus", "torsby", "TOR", ("1737", "1766", "1783", "1762"), 0),
)
CSK, ARVIKA, TORSBY = UNITS

# Home municipalities outside Värmland: code, name, official name.
OUTSIDE = (("0180", "Stockholm", "Stockholms kommun"),
           ("1480", "Göteborg", "Göteborgs kommun"),
           ("1880", "Örebro", "Örebro kommun"))
UNKNOWN_HOME = "okänd"

INTENTS = ("rus", "sjalvskada", "oavsiktlig", "okand")
CARE_LEVELS = ("hemgang", "vardavdelning", "iva", "psykiatri", "avliden", "okand")
SEXES = ("man", "kvinna")

# P(substance | intent), columns in INTENTS order. Receptfria goes mostly with självskada.
SUBSTANCE_P = {
    "alkohol": (0.65, 0.40, 0.22, 0.45),
    "cannabis": (0.11, 0.03, 0.02, 0.05),
    "bensodiazepiner": (0.08, 0.24, 0.08, 0.10),
    "opioider": (0.055, 0.05, 0.03, 0.05),
    "ghb": (0.035, 0.002, 0.002, 0.01),
    "amfetamin": (0.07, 0.01, 0.005, 0.02),
    "kokain": (0.05, 0.005, 0.002, 0.01),
    "mdma": (0.018, 0.001, 0.001, 0.005),
    "nps": (0.017, 0.002, 0.002, 0.005),
    "lustgas": (0.022, 0.001, 0.002, 0.002),
    "receptfria": (0.03, 0.28, 0.08, 0.06),
    "andra_lakemedel": (0.02, 0.20, 0.38, 0.10),
    "okant": (0.015, 0.03, 0.04, 0.18),
    "annat": (0.015, 0.02, 0.05, 0.03),
}
MAX_SUBSTANCES = 3

# P(care level | intent), rows in INTENTS order, columns in CARE_LEVELS order.
CARE_P = np.array([
    [0.715, 0.19, 0.05, 0.02, 0.001, 0.024],
    [0.32, 0.27, 0.07, 0.31, 0.002, 0.028],
    [0.60, 0.30, 0.06, 0.01, 0.002, 0.028],
    [0.50, 0.28, 0.07, 0.10, 0.002, 0.048],
])
# P(PSS 0-4 | care level), rows in CARE_LEVELS order.
SEVERITY_P = np.array([
    [0.35, 0.55, 0.10, 0.00, 0.00],
    [0.05, 0.45, 0.40, 0.10, 0.00],
    [0.00, 0.05, 0.35, 0.55, 0.05],
    [0.20, 0.60, 0.20, 0.00, 0.00],
    [0.00, 0.00, 0.00, 0.00, 1.00],
    [0.30, 0.50, 0.20, 0.00, 0.00],
])

# Answer texts per layout: Arvika's Excel form uses aliases, the others the labels.
ARVIKA_INTENT = {"oavsiktlig": "Olyckshändelse", "okand": "Vet ej"}
ARVIKA_CARE = {"vardavdelning": "Inlagd", "iva": "Intensivvård",
               "psykiatri": "Psykiatrisk vård", "okand": "Uppgift saknas"}
MONTHS_SHORT = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
MONTHS_LONG = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
               "september", "oktober", "november", "december")

CSK_TITLE = "INTOX-registrering Centralsjukhuset Karlstad"
XLSX_DATE_FORMAT = "yyyy-mm-dd"


def write_intox_demo(workspace: Path, end_period: str, seed: int = 2026) -> list[Path]:
    """Write the demo INTOX exports and coverage config for the 24 months ending at end_period.

    Returns the written paths (the coverage config first). Existing files of the same names
    are overwritten; nothing else in the workspace is touched.
    """
    workspace = Path(workspace)
    months = _months_ending(end_period)
    contract = _load_contract()
    rng = np.random.default_rng(seed)

    forms = _simulate_forms(months, _municipalities(), rng)
    tables = {
        CSK: _csk_table(forms[forms.unit == CSK.name], contract),
        ARVIKA: _arvika_table(forms[forms.unit == ARVIKA.name], contract, rng),
        TORSBY: _torsby_table(forms[forms.unit == TORSBY.name], contract),
    }
    _plant_faults(tables, months, rng)
    _plant_blank_rows(tables, rng)

    raw = workspace / "data" / "raw" / "intox"
    written = [_write_coverage(workspace, months)]
    written += _write_xlsx_files(tables[CSK], raw / CSK.folder, _export_time(months))
    written += _write_csv_files(tables[ARVIKA], raw / ARVIKA.folder, _arvika_files(months),
                                encoding="cp1252", delimiter=";")
    written += _write_csv_files(tables[TORSBY], raw / TORSBY.folder, _torsby_files(months),
                                encoding="utf-8-sig", delimiter=",", newline="\n")
    return written


# --- calendar ---------------------------------------------------------------------------

def _months_ending(end_period: str) -> pd.PeriodIndex:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end_period or ""):
        raise ValueError(f"end_period must be YYYY-MM, got {end_period!r}")
    return pd.period_range(end=pd.Period(end_period, freq="M"), periods=N_MONTHS, freq="M")


def _export_time(months: pd.PeriodIndex) -> dt.datetime:
    """A fixed 'saved at' time: 07:00 on the first day after the last month."""
    return (months[-1] + 1).start_time.to_pydatetime().replace(hour=7)


def _arvika_files(months: pd.PeriodIndex) -> dict[str, list[str]]:
    covered = months[ARVIKA.first_month:]
    names = [f"intox_arvika_{m.year}_Q{m.quarter}.csv" for m in covered]
    return _group(names, covered)


def _torsby_files(months: pd.PeriodIndex) -> dict[str, list[str]]:
    covered = months[TORSBY.first_month:]
    return _group([f"intox_torsby_{m}.csv" for m in covered], covered)


def _group(names: list[str], months: pd.PeriodIndex) -> dict[str, list[str]]:
    """File name -> the months (YYYY-MM) it holds, in month order."""
    files: dict[str, list[str]] = {}
    for name, month in zip(names, months):
        files.setdefault(name, []).append(str(month))
    return files


# --- reference data and contract ----------------------------------------------------------

def _load_contract() -> dict:
    with open(PROJECT_SCHEMAS / "intox.yaml", encoding="utf-8") as handle:
        contract = yaml.safe_load(handle)
    _check_answer_texts(contract)
    return contract


def _check_answer_texts(contract: dict) -> None:
    """Fail early if an answer text used here is no longer a label or alias in the contract."""
    for codelist, texts in (("intent", ARVIKA_INTENT), ("care_level", ARVIKA_CARE)):
        for code, text in texts.items():
            entry = contract["codelists"][codelist][code]
            known = {entry["label"].lower(), *(a.lower() for a in entry.get("aliases", []))}
            if text.lower() not in known:
                raise ValueError(f"{text!r} is not an answer for {codelist}.{code} in intox.yaml")


def _municipalities() -> pd.DataFrame:
    """Code, name and population of Värmland's municipalities."""
    names = pd.read_csv(REFERENCE_DIR / "municipalities.csv", dtype=str)
    population = pd.read_csv(REFERENCE_DIR / "population.csv", dtype={"municipality_code": str})
    population = population[population.year == POPULATION_YEAR]
    codes = [code for unit in UNITS for code in unit.municipalities]
    table = names.merge(population, on="municipality_code").set_index("municipality_code")
    return table.loc[codes, ["municipality_name", "population"]]


def _label(contract: dict, codelist: str, code: str) -> str:
    return contract["codelists"][codelist][code]["label"]


# --- simulation ---------------------------------------------------------------------------

def _simulate_forms(months: pd.PeriodIndex, municipalities: pd.DataFrame,
                    rng: np.random.Generator) -> pd.DataFrame:
    """One row per form: date, unit, home municipality and the answers as codes."""
    forms = _draw_visits(months, municipalities, rng)
    n = len(forms)
    forms["sex"] = np.where(rng.random(n) < 0.6, "man", "kvinna")
    forms["age"] = _draw_ages(n, rng)
    forms["intent"] = _draw_intents(forms, rng)
    substances = _draw_substances(forms["intent"].to_numpy(), rng)
    forms = pd.concat([forms, substances], axis=1)
    forms["care_level"] = _draw_by_row(CARE_P[_index_of(forms["intent"], INTENTS)], CARE_LEVELS, rng)
    forms["severity"] = _draw_by_row(SEVERITY_P[_index_of(forms["care_level"], CARE_LEVELS)],
                                     range(5), rng).astype(int)
    forms["concern"] = (forms["age"] < 18) & (rng.random(n) < 0.75)
    forms["home"] = _draw_home(forms["municipality"].to_numpy(), rng)
    return forms


def _draw_visits(months: pd.PeriodIndex, municipalities: pd.DataFrame,
                 rng: np.random.Generator) -> pd.DataFrame:
    """Poisson counts per day and municipality, expanded to one row per visit, sorted by date."""
    days = pd.date_range(months[0].start_time, months[-1].end_time.normalize(), freq="D")
    season = SEASON / SEASON.mean()
    weekday = np.where(days.day_of_week >= 4, WEEKEND_FACTOR, 1.0)
    weekday /= (4 + 3 * WEEKEND_FACTOR) / 7
    day_weight = season[days.month - 1] * weekday

    factor = rng.uniform(0.7, 1.3, len(municipalities))
    per_day = municipalities["population"].to_numpy() * RATE_PER_10K / 10_000 / 365.25 * factor
    lam = day_weight[:, None] * per_day[None, :]
    lam *= _covered(days, months, municipalities.index)
    counts = rng.poisson(lam)

    day_idx, muni_idx = np.nonzero(counts)
    reps = counts[day_idx, muni_idx]
    day_idx, muni_idx = np.repeat(day_idx, reps), np.repeat(muni_idx, reps)
    # Shuffle so that forms of one day are not ordered by municipality, then sort by date.
    order = rng.permutation(len(day_idx))
    order = order[np.argsort(day_idx[order], kind="stable")]
    codes = municipalities.index.to_numpy()[muni_idx[order]]
    unit_of = {code: unit.name for unit in UNITS for code in unit.municipalities}
    return pd.DataFrame({
        "date": days[day_idx[order]],
        "municipality": codes,
        "unit": [unit_of[code] for code in codes],
    })


def _covered(days: pd.DatetimeIndex, months: pd.PeriodIndex, codes: pd.Index) -> np.ndarray:
    """1 where the municipality's unit reports on that day, else 0 (days x municipalities)."""
    first_day = {code: months[unit.first_month].start_time
                 for unit in UNITS for code in unit.municipalities}
    starts = np.array([first_day[code] for code in codes], dtype="datetime64[ns]")
    return (days.to_numpy()[:, None] >= starts[None, :]).astype(float)


def _draw_ages(n: int, rng: np.random.Generator) -> np.ndarray:
    ages = np.arange(12, 91)
    # Young adults peak, a broad middle-age hump and a small elderly one.
    weight = (0.50 * _bump(ages, 21, 4.5) + 0.42 * _bump(ages, 44, 14)
              + 0.08 * _bump(ages, 78, 7))
    return rng.choice(ages, size=n, p=weight / weight.sum())


def _bump(x: np.ndarray, centre: float, width: float) -> np.ndarray:
    density = np.exp(-0.5 * ((x - centre) / width) ** 2)
    return density / density.sum()


def _draw_intents(forms: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    age = forms["age"].to_numpy()
    woman = (forms["sex"] == "kvinna").to_numpy()
    p = np.tile([0.56, 0.30, 0.085, 0.05], (len(forms), 1))
    p[:, 1] *= np.where(woman, 1.6, 0.65)
    p[:, 1] *= np.where((age >= 13) & (age <= 24), 1.4, 0.85)
    p[:, 0] *= np.where((age >= 18) & (age <= 44), 1.25, 0.8)
    p[:, 2] *= np.where(age >= 65, 2.5, 1.0)
    return _draw_by_row(p, INTENTS, rng)


def _draw_substances(intents: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Boolean column per substance code; every form gets 1 to MAX_SUBSTANCES of them."""
    codes = list(SUBSTANCE_P)
    p = np.array([SUBSTANCE_P[code] for code in codes]).T[_index_of(intents, INTENTS)]
    taken = rng.random(p.shape) < p

    # A form without any gets one, drawn with the same weights.
    none = np.flatnonzero(~taken.any(axis=1))
    taken[none, _draw_by_row(p[none], range(len(codes)), rng)] = True

    # Keep a random MAX_SUBSTANCES of the drawn ones where more were drawn.
    keys = np.where(taken, rng.random(taken.shape), np.inf)
    rank = keys.argsort(axis=1).argsort(axis=1)
    taken &= rank < MAX_SUBSTANCES
    return pd.DataFrame(taken, columns=[f"s_{code}" for code in codes])


def _draw_home(municipality: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Home municipality code; a few outside the region or unknown."""
    u = rng.random(len(municipality))
    outside = np.array([code for code, _, _ in OUTSIDE])[rng.integers(0, len(OUTSIDE), len(u))]
    home = np.where(u < OUTSIDE_SHARE, outside, municipality)
    return np.where((u >= OUTSIDE_SHARE) & (u < OUTSIDE_SHARE + UNKNOWN_HOME_SHARE),
                    UNKNOWN_HOME, home)


def _draw_by_row(p: np.ndarray, values, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of the probability matrix p (rows need not sum to 1)."""
    cumulative = np.cumsum(p, axis=1)
    u = rng.random(len(p)) * cumulative[:, -1]
    idx = (cumulative < u[:, None]).sum(axis=1)
    return np.asarray(list(values))[idx]


def _index_of(values, universe: tuple[str, ...]) -> np.ndarray:
    lookup = {value: i for i, value in enumerate(universe)}
    return np.array([lookup[v] for v in values], dtype=int)


# --- layouts ------------------------------------------------------------------------------

def _case_ids(forms: pd.DataFrame, prefix: str, digits: int) -> list[str]:
    """Running number per year in date order: CSK-2025-00017."""
    years = forms["date"].dt.year
    number = years.groupby(years).cumcount() + 1
    return [f"{prefix}-{y}-{n:0{digits}d}" for y, n in zip(years, number)]


def _substance_cells(forms: pd.DataFrame, contract: dict, separator: str) -> list[str]:
    labels = np.array([_label(contract, "substance", code) for code in SUBSTANCE_P])
    taken = forms[[f"s_{code}" for code in SUBSTANCE_P]].to_numpy()
    return [separator.join(labels[row]) for row in taken]


def _answers(forms: pd.DataFrame, column: str, codelist: str, contract: dict,
             overrides: dict[str, str] | None = None) -> pd.Series:
    texts = {code: entry["label"] for code, entry in contract["codelists"][codelist].items()}
    texts.update(overrides or {})
    return forms[column].map(texts)


def _home_names(homes: pd.Series, municipalities: pd.DataFrame, official: bool) -> pd.Series:
    names = municipalities["municipality_name"].to_dict()
    names.update({code: name for code, name, _ in OUTSIDE})
    if official:
        names = {code: _official_name(name) for code, name in names.items()}
        names.update({code: name for code, _, name in OUTSIDE})
    names[UNKNOWN_HOME] = "Okänd" if official else UNKNOWN_HOME
    return homes.map(names)


def _official_name(name: str) -> str:
    """'Arvika kommun', 'Årjängs kommun': genitive s after a consonant, as most of Värmland's."""
    return f"{name} kommun" if name[-1] in "aeiouyåäös" else f"{name}s kommun"


def _csk_table(forms: pd.DataFrame, contract: dict) -> pd.DataFrame:
    forms = forms.reset_index(drop=True)
    table = pd.DataFrame({
        "Formulär-id": _case_ids(forms, CSK.prefix, 5),
        "Besöksdatum": forms["date"].dt.date,
        "Ålder": forms["age"].astype(object),
        "Kön": forms["sex"].map({"man": "M", "kvinna": "K"}),
        "Hemkommun": _home_names(forms["home"], _municipalities(), official=False),
    })
    for code in SUBSTANCE_P:
        table[_label(contract, "substance", code)] = np.where(forms[f"s_{code}"], "X", None)
    table["Avsikt"] = _answers(forms, "intent", "intent", contract)
    table["Vårdnivå"] = _answers(forms, "care_level", "care_level", contract)
    table["Enhet"] = CSK.name
    table["PSS"] = forms["severity"].astype(object)
    table["_file"] = [f"intox_csk_{y}.xlsx" for y in forms["date"].dt.year]
    return table


def _arvika_table(forms: pd.DataFrame, contract: dict, rng: np.random.Generator) -> pd.DataFrame:
    forms = forms.reset_index(drop=True)
    months = forms["date"].dt.month - 1
    # Typed by hand: mostly abbreviated month names, sometimes written out.
    month_names = np.where(rng.random(len(forms)) < 0.7,
                           np.array(MONTHS_SHORT)[months], np.array(MONTHS_LONG)[months])
    bands = contract["age_bands"]
    band_of = pd.cut(forms["age"], bins=[b[1] - 1 for b in bands] + [bands[-1][2]],
                     labels=[b[0] for b in bands])
    return pd.DataFrame({
        "Ärendenummer": _case_ids(forms, ARVIKA.prefix, 4),
        "Datum": forms["date"].dt.day.astype(str) + " " + month_names + " "
                 + forms["date"].dt.year.astype(str),
        "Åldersgrupp": band_of.astype(str),
        "Kön": forms["sex"].map({"man": "Man", "kvinna": "Kvinna"}),
        "Kommun": _home_names(forms["home"], _municipalities(), official=True),
        "Substanser": _substance_cells(forms, contract, ", "),
        "Avsikt": _answers(forms, "intent", "intent", contract, ARVIKA_INTENT),
        "Vårdnivå": _answers(forms, "care_level", "care_level", contract, ARVIKA_CARE),
        "Orosanmälan": np.where(forms["concern"], "Ja", "Nej"),
        "_file": [f"intox_arvika_{d.year}_Q{d.quarter}.csv" for d in forms["date"]],
    })


def _torsby_table(forms: pd.DataFrame, contract: dict) -> pd.DataFrame:
    forms = forms.reset_index(drop=True)
    return pd.DataFrame({
        "id": _case_ids(forms, TORSBY.prefix, 4),
        "Besöksdatum": forms["date"].dt.strftime("%Y-%m-%d"),
        "Ålder": forms["age"].astype(str),
        "Kön": forms["sex"],
        "Kommunkod": forms["home"],
        "Preparat": _substance_cells(forms, contract, "; "),
        "Avsikt": _answers(forms, "intent", "intent", contract),
        "Vårdnivå": _answers(forms, "care_level", "care_level", contract),
        "Enhet": TORSBY.name,
        "_file": [f"intox_torsby_{d:%Y-%m}.csv" for d in forms["date"]],
    })


# --- planted faults -----------------------------------------------------------------------

def _plant_faults(tables: dict[Unit, pd.DataFrame], months: pd.PeriodIndex,
                  rng: np.random.Generator) -> None:
    """Replace one cell in each of eight otherwise normal rows."""
    februaries = [m for m in months if m.month == 2]
    torsby_feb, arvika_feb = februaries[0], februaries[-1]  # Arvika reports late in the window

    csk, arvika, torsby = tables[CSK], tables[ARVIKA], tables[TORSBY]
    _fault(csk, rng, "Ålder", 130)
    _fault(csk, rng, "Kön", "X")
    _fault(torsby, rng, "Besöksdatum", f"{torsby_feb.year}-02-30",
           where=torsby["Besöksdatum"].str.startswith(str(torsby_feb)), last=True)
    _fault(torsby, rng, "Kommunkod", "Tosby", where=torsby["Kommunkod"] == "1737")
    _fault(torsby, rng, "Preparat", lambda cell: f"{cell}; Ketamin",
           where=torsby["Avsikt"] == "Rus")
    _fault(arvika, rng, "Datum", f"30 februari {arvika_feb.year}",
           where=arvika["Datum"].str.contains(f" feb(?:ruari)? {arvika_feb.year}$"), last=True)
    _fault(arvika, rng, "Kommun", "Arvka kommun", where=arvika["Kommun"] == "Arvika kommun")
    _fault(arvika, rng, "Avsikt", "Okänt syfte")


def _fault(table: pd.DataFrame, rng: np.random.Generator, column: str, value,
           where: pd.Series | None = None, last: bool = False) -> None:
    """Set `column` in one eligible row not faulty yet: a random one, or the last one."""
    eligible = pd.Series(True, index=table.index) if where is None else where.copy()
    if "_faulty" in table:
        eligible &= ~table["_faulty"]
    else:
        table["_faulty"] = False
    rows = table.index[eligible.to_numpy()]
    if len(rows) == 0:
        return
    row = rows[-1] if last else rows[rng.integers(len(rows))]
    table.at[row, column] = value(table.at[row, column]) if callable(value) else value
    table.at[row, "_faulty"] = True


def _plant_blank_rows(tables: dict[Unit, pd.DataFrame], rng: np.random.Generator) -> None:
    """One completely blank row in the first CSK workbook and in the first Arvika csv."""
    for unit in (CSK, ARVIKA):
        table = tables[unit]
        first_file = table["_file"].iloc[0]
        rows = np.flatnonzero(table["_file"].to_numpy() == first_file)
        at = rows[len(rows) // 4 + rng.integers(len(rows) // 2)]
        blank = pd.DataFrame({c: [None] for c in table.columns})
        blank["_file"], blank["_faulty"] = first_file, True
        tables[unit] = pd.concat([table.iloc[:at], blank, table.iloc[at:]], ignore_index=True)


# --- writers ------------------------------------------------------------------------------

def _data_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if not c.startswith("_")]


def _write_csv_files(table: pd.DataFrame, folder: Path, files: dict[str, list[str]],
                     encoding: str, delimiter: str, newline: str = "\r\n") -> list[Path]:
    """One csv per file name, header-only when a covered period has no forms."""
    folder.mkdir(parents=True, exist_ok=True)
    columns = _data_columns(table)
    written = []
    for name in files:
        rows = table.loc[table["_file"] == name, columns]
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
        writer.writerow(columns)
        writer.writerows(rows.fillna("").astype(str).itertuples(index=False))
        path = folder / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        written.append(path)
    return written


def _write_xlsx_files(table: pd.DataFrame, folder: Path, saved_at: dt.datetime) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    columns = _data_columns(table)
    written = []
    for name in table["_file"].unique():
        rows = table.loc[table["_file"] == name, columns]
        path = folder / name
        path.write_bytes(_xlsx_bytes(columns, rows, saved_at))
        written.append(path)
    return written


def _xlsx_bytes(columns: list[str], rows: pd.DataFrame, saved_at: dt.datetime) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "INTOX"
    sheet.append([CSK_TITLE])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(columns)
    date_column = columns.index("Besöksdatum") + 1
    for values in rows.astype(object).where(rows.notna(), None).itertuples(index=False):
        sheet.append(list(values))
        cell = sheet.cell(row=sheet.max_row, column=date_column)
        if isinstance(cell.value, dt.date):
            cell.number_format = XLSX_DATE_FORMAT
    workbook.properties.creator = "lagesbild demo"
    return workbook_bytes(workbook, saved_at)


def _write_coverage(workspace: Path, months: pd.PeriodIndex) -> Path:
    lines = [
        "# Reporting units of the demo region (Värmland), written by pipeline.demo.",
        "# Same format as the project's schemas/intox_coverage.yaml.",
        "units:",
    ]
    for unit in UNITS:
        aliases = ", ".join([unit.folder, *_extra_aliases(unit)])
        codes = ", ".join(f'"{code}"' for code in unit.municipalities)
        lines += [
            f"  - unit: {unit.name}",
            f"    aliases: [{aliases}]",
            f"    municipalities: [{codes}]",
            f"    from: {months[unit.first_month]}",
        ]
    path = workspace / "schemas" / "intox_coverage.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _extra_aliases(unit: Unit) -> list[str]:
    return {
        "csk-karlstad": ["csk", "centralsjukhuset i karlstad", "akutmottagningen karlstad"],
        "arvika-sjukhus": ["arvika", "akutmottagningen arvika"],
        "torsby": ["akutmottagningen torsby", "torsby akutmottagning"],
    }[unit.folder]
