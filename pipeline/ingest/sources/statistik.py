"""Official statistics: a tidy csv, Brå's municipal csv, Kolada's API JSON and Brå's workbooks
"Indikatorer för kommuners lägesbild" as tidy rows.

Every reader returns a `Statistik`: `rows`, one row per area × year × indicator (ROW_COLUMNS), and
Swedish messages for what was left out. A row holds what the source gave and nothing computed:

    area_code      '1766' (municipality, 4-digit text), 'lan-20' (county), 'riket', or a configured
                   region id from regions.yaml (tidy csv only)
    period         the year as text, '2023'
    indicator_id   an id of schemas/statistik.yaml
    count          Int64, the number of offences etc. (antal); NULL when the source gave none
    value          float, a rate or level the source itself published (Brå's "Per 100 000 inv.",
                   Kolada's value, the tidy csv's Värde); NaN when it gave none
    value_is_rate  True when `value` holds such a given figure. A Brå row keeps both: count and
                   the published rate, so one row per area × year × indicator and never two.
    source_row     the spreadsheet row (csv) or the record number (Kolada JSON, 1-based)

Brå's workbooks (read_workbook) fill the columns of WORKBOOK_COLUMNS too; the other readers leave them empty:

    sheet          the workbook's sheet the value comes from
    title, unit    the indicator's title and unit as the workbook gives them (an indicator the catalogue
                   does not know gets a derived id, and the reports name it by these)
    survey         'NTU' for a value of Brå's Nationella trygghetsundersökning
    ci_low, ci_high  the NTU value's 95 % confidence interval, from the workbook's sheets of bounds

The rates per 100 000 and regional pooling are computed from `count` in DuckDB
(pipeline/sql/statistik/); a given `value` is never averaged into a region.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from pipeline import places
from pipeline.config import PROJECT_SCHEMAS, Workspace
from pipeline.ingest.contract import fold
from pipeline.ingest.findings import FileReport
from pipeline.ingest.pnr import personal_number_columns
from pipeline.ingest.read import ReadError, decode_text, read_table, workbook_sheets

SOURCE = "statistik"
ROW_COLUMNS = ["area_code", "period", "indicator_id", "count", "value", "value_is_rate", "source_row"]
WORKBOOK_COLUMNS = {"sheet": str, "title": str, "unit": str, "survey": str, "ci_low": float, "ci_high": float}
ISSUE_COLUMNS = ["row", "column", "value", "rule", "message"]

# The staging table the readers' rows are stored in (one batch per file, keyed by its sha256). The
# columns of Brå's workbooks came later: a database made before them gets them, empty, when opened.
STAGING_DDL = """
CREATE TABLE IF NOT EXISTS stg_statistik (
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    area_code VARCHAR NOT NULL, period VARCHAR NOT NULL, indicator_id VARCHAR NOT NULL,
    count BIGINT, value DOUBLE, value_is_rate BOOLEAN NOT NULL
);
ALTER TABLE stg_statistik ADD COLUMN IF NOT EXISTS sheet VARCHAR;
ALTER TABLE stg_statistik ADD COLUMN IF NOT EXISTS title VARCHAR;
ALTER TABLE stg_statistik ADD COLUMN IF NOT EXISTS unit VARCHAR;
ALTER TABLE stg_statistik ADD COLUMN IF NOT EXISTS survey VARCHAR;
ALTER TABLE stg_statistik ADD COLUMN IF NOT EXISTS ci_low DOUBLE;
ALTER TABLE stg_statistik ADD COLUMN IF NOT EXISTS ci_high DOUBLE;
"""
MISSING_NUMBER = {"", ".", "..", "…", "x"}  # SCB/Brå: ".." uppgift saknas, "x" sekretess
ZERO_NUMBER = {"-", "–", "—"}  # SCB/Brå: "–" inget finns att redovisa
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass
class Statistik:
    rows: pd.DataFrame  # ROW_COLUMNS
    issues: pd.DataFrame  # ISSUE_COLUMNS: one per row or record left out
    file_errors: list[str] = field(default_factory=list)  # nothing could be read
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing lost

    @property
    def messages(self) -> list[str]:
        return self.file_errors + self.issues["message"].tolist()


# --- catalogue -----------------------------------------------------------------------------------


def catalogue(workspace: Workspace | None = None) -> dict[str, dict]:
    """schemas/statistik.yaml (the workspace's own copy if it has one): id -> entry."""
    if workspace is not None:
        spec = workspace.load_yaml("statistik.yaml")
    else:
        spec = yaml.safe_load((PROJECT_SCHEMAS / "statistik.yaml").read_text(encoding="utf-8"))
    return spec["indicators"]


def _loose(text: object) -> str:
    """fold() and then å/ä/ö to a/a/o: file names often lose them ("anmalda_brott_2023.csv")."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _indicator_lookup(indicators: dict[str, dict]) -> dict[str, str]:
    """Folded id, title, Brå name and Kolada KPI -> indicator id."""
    lookup = {}
    for indicator_id, spec in indicators.items():
        for text in [indicator_id, spec.get("title", ""), *spec.get("bra_names", []), *spec.get("kolada_kpi", [])]:
            if text:
                lookup[fold(text)] = indicator_id
                lookup.setdefault(_loose(text), indicator_id)
    return lookup


def match_indicator(texts: list[str], indicators: dict[str, dict]) -> str | None:
    """The indicator whose id, title or Brå name occurs as whole words in one of `texts`; the
    longest such name wins ("Våld i nära relationer, mot kvinnor" over a shorter one)."""
    names = sorted(
        ((_loose(name), indicator_id) for indicator_id, spec in indicators.items()
         for name in [indicator_id, spec.get("title", ""), *spec.get("bra_names", [])] if name),
        key=lambda item: -len(item[0]),
    )
    for text in texts:
        padded = f" {_loose(text)} "
        for name, indicator_id in names:
            if f" {name} " in padded:
                return indicator_id
    return None


# --- areas ---------------------------------------------------------------------------------------


def resolve_area(text: str, regions: dict[str, tuple[str, str]] | None = None) -> tuple[str | None, tuple[str, ...]]:
    """A cell naming an area -> (area code, suggestions); see pipeline.places.resolve_area."""
    _, code, suggestions = places.resolve_area(text, regions)
    return code, suggestions


def _resolve_column(values: pd.Series, regions: dict[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    distinct = {value: resolve_area(value, regions) for value in pd.unique(values)}
    return pd.DataFrame(
        {"code": values.map(lambda v: distinct[v][0]), "suggestions": values.map(lambda v: distinct[v][1])},
        index=values.index,
    )


def _area_problem(value: str, suggestions: tuple[str, ...]) -> str:
    if not value:
        return "område saknas."
    hint = f" Menade du {' eller '.join(suggestions)}?" if suggestions else ""
    return f"'{value}' är ingen känd kommun, län eller region (kommunkod, kommunnamn, län eller Riket).{hint}"


# --- numbers and years ---------------------------------------------------------------------------


def parse_number(text: object) -> tuple[float | None, bool]:
    """Swedish or English number text -> (number, ok). "12 345", "1 234,5", "1234.0", "–" (0);
    empty, ".." and "x" are missing: (None, True). Unreadable: (None, False)."""
    value = str(text).replace("\xa0", " ").replace("\u202f", " ").strip()
    if value in MISSING_NUMBER:
        return None, True
    if value in ZERO_NUMBER:
        return 0.0, True
    if re.fullmatch(r"[-−]?\d{1,3}(?: \d{3})+(?:[,.]\d+)?", value):
        value = value.replace(" ", "")
    value = value.replace("−", "-")
    if value.count(",") == 1 and "." not in value:
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None, False
    return (number, True) if number == number and abs(number) != float("inf") else (None, False)


def _numbers(values: pd.Series) -> pd.DataFrame:
    distinct = {value: parse_number(value) for value in pd.unique(values)}
    return pd.DataFrame(
        {"number": values.map(lambda v: distinct[v][0]).astype(float), "ok": values.map(lambda v: distinct[v][1]).astype(bool)},
        index=values.index,
    )


def parse_year(text: object) -> str | None:
    """'2023', '2023.0', 'År 2023', '2023-01-01 – 2023-12-31'? -> '2023' when exactly one year is named."""
    years = set(_YEAR.findall(str(text)))
    return years.pop() if len(years) == 1 else None


# --- shared finishing ----------------------------------------------------------------------------


class _Issues:
    def __init__(self, name: str, unit: str = "rad") -> None:
        self.name, self.unit, self.rows = name, unit, []

    def add(self, row: int, column: str, value: object, rule: str, text: str) -> None:
        self.rows.append((int(row), column, "" if value is None else str(value), rule, f"{self.name}, {self.unit} {row}, kolumn '{column}': {text}"))

    def frame(self) -> pd.DataFrame:
        issues = pd.DataFrame(self.rows, columns=ISSUE_COLUMNS)
        return issues.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def _finish(frame: pd.DataFrame, issues: _Issues, notes: list[str], key_column: str) -> Statistik:
    """Drop rows with issues and repeated keys (the first occurrence is kept); typed ROW_COLUMNS."""
    bad = {row for row, *_ in issues.rows}
    frame = frame[~frame["source_row"].isin(bad)]
    repeated = frame.duplicated(["area_code", "period", "indicator_id"], keep="first")
    if repeated.any():
        first = frame[~repeated].set_index(["area_code", "period", "indicator_id"])["source_row"]
        for row in frame[repeated].itertuples(index=False):
            issues.add(row.source_row, key_column, row.area_code, "dubblett",
                       f"{row.indicator_id} {row.period} för {row.area_code} finns redan på {issues.unit} "
                       f"{first[(row.area_code, row.period, row.indicator_id)]}; den raden används.")
        frame = frame[~repeated]
    return Statistik(_typed(frame), issues.frame(), [], notes)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """ROW_COLUMNS (and the WORKBOOK_COLUMNS a frame has) in their types."""
    rows = pd.DataFrame(
        {
            "area_code": frame["area_code"].astype(str),
            "period": frame["period"].astype(str),
            "indicator_id": frame["indicator_id"].astype(str),
            "count": pd.array(frame["count"].round(), dtype="Int64") if len(frame) else pd.array([], dtype="Int64"),
            "value": frame["value"].astype(float),
            "value_is_rate": frame["value"].notna().astype(bool),
            "source_row": frame["source_row"].astype(int),
        }
        | {column: frame[column].astype(object if kind is str else float) for column, kind in WORKBOOK_COLUMNS.items() if column in frame}
    )
    return rows.reset_index(drop=True)


def _empty(file_error: str) -> Statistik:
    rows = pd.DataFrame({c: pd.Series(dtype="Int64" if c == "count" else float if c == "value" else bool if c == "value_is_rate" else int if c == "source_row" else str) for c in ROW_COLUMNS})
    return Statistik(rows, pd.DataFrame(columns=ISSUE_COLUMNS), [file_error], [])


def _check_count(numbers: pd.DataFrame, cells: pd.Series, header: str, issues: _Issues) -> None:
    """A count must be a whole number ≥ 0."""
    whole = numbers["number"].isna() | ((numbers["number"] % 1 == 0) & numbers["number"].ge(0))
    for row in cells.index[~numbers["ok"] | ~whole]:
        issues.add(row, header, cells[row], "antal", f"'{cells[row]}' är inget antal (ett heltal 0 eller större).")


def _check_value(numbers: pd.DataFrame, cells: pd.Series, header: str, issues: _Issues) -> None:
    for row in cells.index[~numbers["ok"]]:
        issues.add(row, header, cells[row], "tal", f"'{cells[row]}' är inget tal.")


# --- tidy csv ------------------------------------------------------------------------------------

TIDY_HEADERS = {
    "area": ["områdeskod", "område", "kommunkod", "kommun", "kod", "area_code", "area", "region", "länskod", "geo_code", "kommun/län"],
    "period": ["år", "period", "year", "årtal"],
    "indicator": ["indikator", "indikator_id", "indicator_id", "indicator", "nyckeltal", "kpi", "brottstyp", "mått"],
    "value": ["värde", "value", "per 100 000 inv", "per 100 000 invånare", "antal per 100 000 inv", "andel", "nivå"],
    "count": ["antal", "count", "antal brott", "antal anmälda brott"],
}
_TIDY_BY_HEADER = {fold(alias): name for name, aliases in TIDY_HEADERS.items() for alias in aliases}


def _tidy_score(row: list[str]) -> int:
    return sum(1 for cell in row if fold(cell) in _TIDY_BY_HEADER)


def read_tidy(path: Path, workspace: Workspace | None = None) -> Statistik:
    """A tidy table (csv in utf-8/cp1252, ';' or ','; or xlsx): area, year, indicator, and a value
    or a count or both. The indicator may be its id, title, a Brå name or a Kolada KPI id."""
    path = Path(path)
    try:
        table = read_table(path, _tidy_score)
    except ReadError as error:
        return _empty(str(error))
    name = path.name
    columns: dict[str, int] = {}
    notes = []
    for position, header in enumerate(table.headers):
        field_name = _TIDY_BY_HEADER.get(fold(header))
        if field_name and field_name not in columns:
            columns[field_name] = position
        else:
            notes.append(f"{name}: kolumnen '{header or f'nr {position + 1}'}' känns inte igen och läses inte in.")
    missing = [label for key, label in (("area", "område (Områdeskod/Kommunkod)"), ("period", "år (År/Period)"), ("indicator", "indikator (Indikator)")) if key not in columns]
    if "value" not in columns and "count" not in columns:
        missing.append("värde eller antal (Värde/Antal)")
    if missing:
        return _empty(f"{name}: kolumn för {', '.join(missing)} saknas.")

    cells, headers = table.cells, table.headers
    issues = _Issues(name)
    frame = pd.DataFrame({"source_row": cells.index}, index=cells.index)

    area_cells = cells[columns["area"]]
    areas = _resolve_column(area_cells, places.region_lookup(workspace))
    frame["area_code"] = areas["code"]
    for row in cells.index[areas["code"].isna()]:
        issues.add(row, headers[columns["area"]], area_cells[row], "omrade", _area_problem(area_cells[row], areas["suggestions"][row]))

    year_cells = cells[columns["period"]]
    frame["period"] = year_cells.map(parse_year)
    for row in cells.index[frame["period"].isna()]:
        value = year_cells[row]
        issues.add(row, headers[columns["period"]], value, "ar",
                   "år saknas." if not value else f"'{value}' är inget år (skriv t.ex. 2023).")

    indicators = catalogue(workspace)
    lookup = _indicator_lookup(indicators)
    indicator_cells = cells[columns["indicator"]]
    frame["indicator_id"] = indicator_cells.map(lambda v: lookup.get(fold(v)) or lookup.get(_loose(v)))
    for row in cells.index[frame["indicator_id"].isna()]:
        value = indicator_cells[row]
        issues.add(row, headers[columns["indicator"]], value, "indikator",
                   "indikator saknas." if not value else
                   f"'{value}' finns inte i indikatorkatalogen (schemas/statistik.yaml); ange id, titel eller Kolada-id, t.ex. {', '.join(list(indicators)[:3])}.")

    frame["count"] = float("nan")
    frame["value"] = float("nan")
    if "count" in columns:
        count_cells = cells[columns["count"]]
        numbers = _numbers(count_cells)
        _check_count(numbers, count_cells, headers[columns["count"]], issues)
        frame["count"] = numbers["number"]
    if "value" in columns:
        value_cells = cells[columns["value"]]
        numbers = _numbers(value_cells)
        _check_value(numbers, value_cells, headers[columns["value"]], issues)
        frame["value"] = numbers["number"]
    nothing = frame["count"].isna() & frame["value"].isna()
    bad = {row for row, *_ in issues.rows}
    column = headers[columns.get("count", columns.get("value"))]
    for row in cells.index[nothing & ~cells.index.isin(bad)]:
        issues.add(row, column, "", "varde", "varken värde eller antal är ifyllt.")
    return _finish(frame, issues, notes, headers[columns["area"]])


# --- Brå municipal csv ---------------------------------------------------------------------------


def _bra_column(header: str) -> str | None:
    text = fold(header)
    if "100 000" in text or "100000" in text or "per 100" in text:
        return "value"
    if text.startswith("antal") or text in ("anmälda brott", "count"):
        return "count"
    if text.split(" ")[0] in ("kommun", "område", "region", "län", "kommunnamn", "kommunkod", "geografi"):
        return "area"
    return None


def _bra_score(row: list[str]) -> int:
    return sum(1 for cell in row if cell and _bra_column(cell))


def _title_lines(path: Path, header_row: int) -> list[str]:
    """The lines above the header (Brå's title: indicator, year), delimiters and quotes removed."""
    if header_row <= 1 or path.suffix.lower() not in (".csv", ".txt"):
        return []
    try:
        lines = decode_text(path)[0].splitlines()[: header_row - 1]
    except ReadError:
        return []
    return [t for t in (re.sub(r"[;,\t\"]+", " ", line).strip() for line in lines) if t]


def read_bra(path: Path, workspace: Workspace | None = None) -> Statistik:
    """Brå's municipal csv: one indicator and one year per file ("Kommun;Antal;Per 100 000 inv.").

    The year comes from a title line above the header, else from the file name; the indicator from
    a title line, else from the file or folder name, matched against the catalogue's `bra_names`.
    """
    path = Path(path)
    try:
        table = read_table(path, _bra_score)
    except ReadError as error:
        return _empty(str(error))
    name = path.name
    columns: dict[str, int] = {}
    for position, header in enumerate(table.headers):
        kind = _bra_column(header)
        if kind and kind not in columns:
            columns[kind] = position
    if "area" not in columns or not ({"count", "value"} & set(columns)):
        return _empty(f"{name}: hittar inte Brås rubrikrad (Kommun;Antal;Per 100 000 inv.) bland de {min(20, len(table.cells) + table.header_row)} första raderna.")

    titles = _title_lines(path, table.header_row)
    notes = []
    title_years = sorted({y for line in titles for y in _YEAR.findall(line)})
    name_years = sorted(set(_YEAR.findall(path.stem)))
    if title_years:
        year = title_years[-1]
        if len(title_years) > 1:
            notes.append(f"{name}: rubriken nämner flera år ({', '.join(title_years)}); {year} används.")
    elif len(name_years) == 1:
        year = name_years[0]
    else:
        return _empty(f"{name}: året framgår varken av rubriken eller av filnamnet; skriv året i filnamnet, t.ex. '{path.stem}_2023{path.suffix}'.")
    indicators = catalogue(workspace)
    indicator_id = match_indicator(titles, indicators) or match_indicator([path.stem, path.parent.name], indicators)
    if indicator_id is None:
        known = ", ".join(spec["bra_names"][0] for spec in list(indicators.values())[:4] if spec.get("bra_names"))
        return _empty(f"{name}: brottstypen framgår varken av rubriken eller av fil- eller mappnamnet; "
                      f"lägg till namnet i schemas/statistik.yaml (bra_names) eller döp filen efter den, t.ex. {known} ….")

    cells, headers = table.cells, table.headers
    issues = _Issues(name)
    numbers = {kind: _numbers(cells[columns[kind]]) for kind in ("count", "value") if kind in columns}
    area_cells = cells[columns["area"]]
    number_cells = cells[[columns[k] for k in numbers]]
    # Footnotes below the table ("Källa: Brå", "Uppgifterna är preliminära"): text, no numbers.
    footnote = number_cells.eq("").all(axis=1) & area_cells.map(lambda v: resolve_area(v)[0] is None)
    if footnote.any():
        notes.append(f"{name}: {_rows(int(footnote.sum()))} utan siffror (t.ex. '{area_cells[footnote].iloc[0]}') tolkas som fotnoter och läses inte in.")
    cells, area_cells = cells[~footnote], area_cells[~footnote]
    numbers = {kind: frame[~footnote] for kind, frame in numbers.items()}

    frame = pd.DataFrame({"source_row": cells.index, "period": year, "indicator_id": indicator_id}, index=cells.index)
    areas = _resolve_column(area_cells)
    frame["area_code"] = areas["code"]
    for row in cells.index[areas["code"].isna()]:
        issues.add(row, headers[columns["area"]], area_cells[row], "omrade", _area_problem(area_cells[row], areas["suggestions"][row]))
    frame["count"] = float("nan")
    frame["value"] = float("nan")
    if "count" in numbers:
        _check_count(numbers["count"], cells[columns["count"]], headers[columns["count"]], issues)
        frame["count"] = numbers["count"]["number"]
    if "value" in numbers:
        _check_value(numbers["value"], cells[columns["value"]], headers[columns["value"]], issues)
        frame["value"] = numbers["value"]["number"]
    notes.insert(0, f"{name}: {indicators[indicator_id]['title']}, {year} (Brå).")
    # Brå's ".." (uppgift saknas): nothing to store; the area simply has no figure that year.
    unknown = frame["count"].isna() & frame["value"].isna() & frame["area_code"].notna()
    unknown &= ~frame["source_row"].isin({row for row, *_ in issues.rows})
    if unknown.any():
        notes.append(f"{name}: {_rows(int(unknown.sum()))} utan uppgift (t.ex. '{area_cells[unknown].iloc[0]}') läses inte in.")
        frame = frame[~unknown]
    return _finish(frame, issues, notes, headers[columns["area"]])


# --- Kolada JSON ---------------------------------------------------------------------------------

_KOLADA_KEYS = {
    "kpi": ("kpi", "kpi_id", "kpiId"),
    "area": ("municipality", "municipality_id", "municipalityId", "area", "region"),
    "period": ("period", "year"),
    "values": ("values", "data"),
}


def _pick(record: dict, kind: str):
    return next((record[key] for key in _KOLADA_KEYS[kind] if key in record), None)


def _kolada_records(document) -> list | None:
    """The list of `data` records of a v2 or v3 response (or a saved list of them, or of pages)."""
    if isinstance(document, dict):
        for key in ("values", "data", "results"):
            if isinstance(document.get(key), list):
                return document[key]
        return None
    if isinstance(document, list):
        if document and all(isinstance(page, dict) and _kolada_records(page) is not None and _pick(page, "kpi") is None for page in document):
            return [record for page in document for record in _kolada_records(page)]  # saved pages
        return document
    return None


def read_kolada(path: Path, workspace: Workspace | None = None) -> Statistik:
    """Kolada's `data` response, API v2 or v3: values[].{kpi, municipality, period, values[].{gender,
    count, status, value}}. Only gender 'T' (totalt) is kept; Kolada's `count` is the number of
    units behind a value, not a count of events, so `count` stays NULL and `value` is the given
    figure. Municipality ids '0020' are counties (lan-20), '0000' the country."""
    path = Path(path)
    name = path.name
    document, problem = _load_json(path)
    if problem:
        return _empty(problem)
    records = _kolada_records(document)
    if records is None:
        return _empty(f"{name}: ser inte ut som ett svar från Koladas API (listan 'values' saknas eller är ingen lista).")
    indicators = catalogue(workspace)
    by_kpi = {str(kpi).upper(): indicator_id for indicator_id, spec in indicators.items() for kpi in spec.get("kolada_kpi", [])}
    issues = _Issues(name, "post")
    rows, unknown_kpi, other_gender, notes = [], {}, 0, []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            issues.add(number, "values", "", "post", "posten är inget objekt.")
            continue
        kpi = str(_pick(record, "kpi") or "").strip()
        area_text = str(_pick(record, "area") or "").strip()
        if "ou" in record and not area_text:
            issues.add(number, "ou", record["ou"], "enhet", "värden för organisatoriska enheter (ou) läses inte in, bara för kommun, län och riket.")
            continue
        if kpi.upper() not in by_kpi:
            unknown_kpi.setdefault(kpi, []).append(number)
            continue
        area_code, suggestions = resolve_area(area_text) if area_text else (None, ())
        if area_code is None:
            issues.add(number, "municipality", area_text, "omrade", _area_problem(area_text, suggestions))
            continue
        period = parse_year(_pick(record, "period") or "")
        if period is None:
            issues.add(number, "period", _pick(record, "period"), "ar", "år saknas." if _pick(record, "period") in (None, "") else f"'{_pick(record, 'period')}' är inget år.")
            continue
        values = _pick(record, "values")
        if values is None and "value" in record:  # a flat record: one value, no list by gender
            values = [record]
        if values is not None and not isinstance(values, list):
            shown = json.dumps(values, ensure_ascii=False)[:40]
            issues.add(number, "values", shown, "post",
                       f"{kpi} {period} för {area_text}: 'values' ska vara en lista med värden per kön, inte {shown}; posten läses inte in.")
            continue
        totals = [v for v in (values or []) if isinstance(v, dict) and str(v.get("gender", "T")).upper() == "T"]
        other_gender += sum(1 for v in (values or []) if isinstance(v, dict) and str(v.get("gender", "T")).upper() != "T")
        if not totals:
            issues.add(number, "values", "", "varde", f"{kpi} {period} för {area_text}: inget värde för totalt (gender 'T').")
            continue
        given = totals[0]
        value, ok = parse_number("" if given.get("value") is None else given.get("value"))
        if value is None:
            status = given.get("status") or ""
            issues.add(number, "value", given.get("value"), "varde",
                       f"{kpi} {period} för {area_text}: värde saknas" + (f" (status '{status}')." if status else ".") if ok else f"'{given.get('value')}' är inget tal.")
            continue
        rows.append({"area_code": area_code, "period": period, "indicator_id": by_kpi[kpi.upper()], "count": float("nan"), "value": value, "source_row": number})
    for kpi, numbers in unknown_kpi.items():
        issues.add(numbers[0], "kpi", kpi, "indikator",
                   f"nyckeltalet '{kpi}' finns inte i indikatorkatalogen (kolada_kpi i schemas/statistik.yaml); {'1 post' if len(numbers) == 1 else f'{len(numbers)} poster'} läses inte in.")
    if other_gender:
        notes.append(f"{name}: {other_gender} värden för kvinnor/män (gender K/M) läses inte in; bara totalt (T).")
    frame = pd.DataFrame(rows, columns=["area_code", "period", "indicator_id", "count", "value", "source_row"])
    return _finish(frame, issues, notes, "municipality")


# --- Brå's workbook "Indikatorer för kommuners lägesbild" ------------------------------------------
#
# One xlsx per municipality; one sheet per indicator: its title in A1, column headers in row 2 (the
# first is the geography), then a row per geography (the municipality, its county, "Hela landet").
#   * reported crimes: "(anmälda)" in the sheet's name, "(anmälda brott)" in the title, columns
#     "<unit> <year>" ("Antal 2024", "Antal per 100 000 inv 2024");
#   * NTU: years as columns, a title "<name>, enligt NTU 2017–2024. <unit>"; the 95 % confidence bounds
#     of an NTU indicator are sheets of their own with the same <name> and the unit
#     "KI (95 %) undre gräns" or "KI (95 %) övre gräns".
# (As Region Dalarna reads them: Analytikernatverket/hamta_data_playwright, bra_kommunindikatorer.R.)

NTU = "NTU"
CRIME_UNIT = "per 100 000 invånare"  # a reported-crime indicator's figure, as in the catalogue
_YEARS = r"(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?"
_NTU_TITLE = re.compile(rf"^(?P<name>.*?)[\s,]*\benligt NTU\b\s*(?:{_YEARS})?\s*\.?\s*(?P<unit>.*?)[\s.]*$", re.IGNORECASE)
_COLUMN = re.compile(rf"^(?P<unit>.*?)\s*(?P<years>{_YEARS})$")
_YEARS_AT_END = re.compile(rf"[\s,]*{_YEARS}[\s.]*$")
_SLUG_LENGTH = 48
_CELL_COLUMNS = ["source_row", "area_code", "period", "header", "column_unit", "number"]
_FRAME_COLUMNS = ["source_row", "area_code", "period", "indicator_id", "count", "value", *WORKBOOK_COLUMNS]


@dataclass
class _Sheet:
    name: str
    issues: _Issues
    geography: str = "A"  # the header of the geography column, as messages name it
    label: str = ""  # the indicator's name: the title without "(anmälda brott)", "i kommunen …" or ", enligt NTU …"
    crime: bool = False  # a reported-crime sheet ("<unit> <year>" columns); else an NTU sheet (years as columns)
    unit: str = ""  # an NTU sheet's unit, from its title ("Andel (%)")
    bound: str | None = None  # "ci_low" | "ci_high": a sheet of an NTU indicator's confidence bounds
    cells: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_CELL_COLUMNS))  # the readable cells

    @property
    def key(self) -> str:
        return _loose(self.label)


def _slug(text: str) -> str:
    """A stable id part from a title: its ascii words joined by '_'; a long one cut and given a hash."""
    slug = re.sub(r"[^a-z0-9]+", "_", _loose(text)).strip("_")
    if len(slug) > _SLUG_LENGTH:
        slug = slug[:_SLUG_LENGTH].rstrip("_") + "_" + hashlib.sha1(slug.encode()).hexdigest()[:8]
    return slug or "indikator"


def _bound_of(unit: str) -> str | None:
    words = fold(unit).split()
    if "ki" in words or "konfidensintervall" in words:
        return "ci_low" if "undre" in words else "ci_high" if "övre" in words else None
    return None


def _is_crime(name: str, title: str) -> bool:
    return not _NTU_TITLE.match(title) and ("(anmälda" in name.casefold() or "(anmälda brott)" in title.casefold())


def _is_workbook(sheets: list[tuple[str, list[list[str]]]]) -> bool:
    """Brå's layout: some sheet is a reported-crime or NTU sheet by its name or its title in A1."""
    titles = [(name, str(rows[0][0] or "") if rows and rows[0] else "") for name, rows in sheets]
    return any(_is_crime(name, title) or _NTU_TITLE.match(title) for name, title in titles)


def _grid(rows: list[list[str]]) -> pd.DataFrame:
    grid = pd.DataFrame(rows).fillna("").astype(str)
    return grid.apply(lambda column: column.str.replace("\xa0", " ").str.strip())


def _read_sheet(file: str, name: str, grid: pd.DataFrame, notes: list[str]) -> _Sheet | None:
    """One sheet's readable cells (area and year known, number parsed); its problems in its own _Issues."""
    sheet = _Sheet(name, _Issues(f"{file}, flik '{name}'"))
    if grid.eq("").all().all():
        return None
    title = grid.iat[0, 0]
    headers = grid.iloc[1].tolist() if len(grid) > 1 else []
    years = {position: match for position, header in enumerate(headers) if position and (match := _COLUMN.match(header))}
    if not years:
        notes.append(f"{file}: fliken '{name}' har inga kolumner för år i rad 2 och läses inte in.")
        return None
    if not title:
        sheet.issues.add(1, "A", "", "rubrik", "fliken saknar rubrik i cell A1, så det framgår inte vilken indikator den gäller; "
                                               "fliken läses inte in.")
        return sheet
    sheet.geography = headers[0] or "A"
    sheet.crime = _is_crime(name, title)
    if sheet.crime:
        label = re.sub(r"\s+i kommunen\b.*$", "", re.sub(r"\(anmälda brott\)", " ", title, flags=re.IGNORECASE), flags=re.IGNORECASE)
    else:
        ntu = _NTU_TITLE.match(title)
        label, sheet.unit = (ntu.group("name"), ntu.group("unit")) if ntu else (title, "")
        if not sheet.unit and fold(title).startswith("antal"):  # "Antal svarande i NTU."
            sheet.unit = "antal"
        sheet.bound = _bound_of(sheet.unit)
    sheet.label = re.sub(r"\s+", " ", _YEARS_AT_END.sub("", label)).strip(" ,.")
    spans = [headers[p] for p, match in years.items() if not parse_year(match.group("years"))]
    if spans:
        notes.append(f"{file}: fliken '{name}' har kolumnen '{spans[0]}' för flera år; värdet räknas till det sista året.")

    body = grid.iloc[2:, [0, *years]]
    body.index = body.index + 1  # spreadsheets count rows from 1
    body = body[body.ne("").any(axis=1)]
    areas = _resolve_column(body[0])
    numbers = {position: _numbers(body[position]) for position in years}
    empty = pd.concat([body[position].eq("") for position in years], axis=1).all(axis=1)
    footnote = empty & areas["code"].isna()  # "Källa: Brå" below the table: text, no numbers
    if footnote.any():
        notes.append(f"{file}: fliken '{name}' har {_rows(int(footnote.sum()))} utan siffror (t.ex. '{body.loc[footnote, 0].iloc[0]}'), "
                     "som tolkas som fotnoter och inte läses in.")
    for row in body.index[areas["code"].isna() & ~footnote]:
        sheet.issues.add(row, sheet.geography, body.at[row, 0], "omrade", _area_problem(body.at[row, 0], areas.at[row, "suggestions"]))
    known = areas["code"].notna()
    found = []
    for position, match in years.items():
        unit = match.group("unit") if sheet.crime else ""
        cells, parsed = body.loc[known, position], numbers[position][known]
        before = len(sheet.issues.rows)
        (_check_count if sheet.crime and fold(unit) == "antal" else _check_value)(parsed, cells, headers[position], sheet.issues)
        bad = {row for row, *_ in sheet.issues.rows[before:]}
        good = parsed["number"].notna() & ~parsed.index.isin(bad)
        found.append(pd.DataFrame({
            "source_row": parsed.index[good], "area_code": areas.loc[known, "code"][good].to_numpy(),
            "period": _YEAR.findall(match.group("years"))[-1], "header": headers[position], "column_unit": unit,
            "number": parsed.loc[good, "number"].to_numpy(),
        }, columns=_CELL_COLUMNS))
    sheet.cells = pd.concat(found, ignore_index=True)
    return sheet


def _workbook_indicator(sheet: _Sheet, indicators: dict[str, dict], made: set[str]) -> str:
    """A sheet's indicator id: the catalogue's entry whose name equals the sheet's (NTU entries for an
    NTU sheet, the others for reported crimes), else one made from the name ('ntu_…', 'anmalda_…')."""
    survey = not sheet.crime
    for indicator_id, spec in indicators.items():
        names = {_loose(name) for name in [indicator_id, spec.get("title", ""), *spec.get("bra_names", [])] if name}
        if (spec.get("survey") == NTU) == survey and sheet.key in names:
            return indicator_id
    indicator_id = ("ntu_" if survey else "anmalda_") + _slug(sheet.label)
    if indicator_id in made:  # the same name in another unit
        indicator_id += "_" + _slug(sheet.unit or sheet.name)
    made.add(indicator_id)
    return indicator_id


def read_workbook(path: Path, workspace: Workspace | None = None) -> Statistik:
    """Brå's "Indikatorer för kommuners lägesbild" (the layout above): every sheet's indicator with its unit,
    per geography and year; an NTU value with its confidence bounds from their own sheets.

    Values are kept as Brå gives them (a reported-crime count also becomes a rate, and a region's figure is
    pooled from counts only, in DuckDB). A sheet without a title, a cell that is no number and a geography
    that is no municipality, county or "Hela landet" are quarantined with file, sheet, row and column named;
    the rest of the workbook is read.
    """
    path = Path(path)
    file = path.name
    try:
        workbook = [(name, _grid(rows)) for name, rows in workbook_sheets(path)]
    except ReadError as error:
        return _empty(str(error))
    for name, grid in workbook:
        if len(grid) > 2 and (found := personal_number_columns(grid.iloc[2:], grid.iloc[1].tolist())):
            return _empty(f"{file}: filen avvisas eftersom kolumnen '{found[0]}' i fliken '{name}' innehåller personnummer. "
                          "Inget från filen har sparats.")
    notes: list[str] = []
    sheets = [sheet for name, grid in workbook if (sheet := _read_sheet(file, name, grid, notes)) is not None]
    values = [sheet for sheet in sheets if sheet.label and not sheet.bound]
    if not values:
        return _empty(f"{file}: ingen flik har Brås utformning för indikatorer för kommuners lägesbild "
                      "(indikatorns rubrik i A1, kolumnrubriker med år i rad 2, en rad per område).")
    indicators = catalogue(workspace)
    made: set[str] = set()
    frames, unknown = [], []
    for sheet in values:
        indicator_id = _workbook_indicator(sheet, indicators, made)
        if indicator_id not in indicators:
            unknown.append(f"'{sheet.label}' (flik '{sheet.name}', id {indicator_id})")
        frames += _sheet_rows(sheet, indicator_id)
    frame = _keep_first(pd.concat(frames, ignore_index=True), {sheet.name: sheet for sheet in sheets})
    frame = _with_bounds(frame, [sheet for sheet in sheets if sheet.bound], values)
    ntu = frame.loc[frame["survey"] == NTU, "indicator_id"].nunique()
    notes.insert(0, f"{file}: Brås indikatorer för kommuners lägesbild: {frame['indicator_id'].nunique() - ntu} om anmälda brott "
                    f"och {ntu} ur Nationella trygghetsundersökningen (NTU), för {frame['area_code'].nunique()} områden.")
    if unknown:
        listed = unknown[0] if len(unknown) == 1 else ", ".join(unknown[:-1]) + " och " + unknown[-1]
        notes.append(f"{file}: {'indikatorn' if len(unknown) == 1 else 'indikatorerna'} {listed} finns inte i "
                     "schemas/statistik.yaml och läses in med rubrik och enhet ur arbetsboken.")
    issues = [sheet.issues.frame().assign(sheet=sheet.name) for sheet in sheets if sheet.issues.rows]
    issues = pd.concat(issues, ignore_index=True) if issues else pd.DataFrame(columns=[*ISSUE_COLUMNS, "sheet"])
    return Statistik(_typed(frame), issues, [], notes)


def _sheet_rows(sheet: _Sheet, indicator_id: str) -> list[pd.DataFrame]:
    """A sheet's cells as rows: an NTU value, or a reported crime's count beside Brå's rate per 100 000
    (a column of another unit becomes an indicator of its own)."""
    cells, keys = sheet.cells, ["source_row", "area_code", "period"]
    if not sheet.crime:
        return [cells[keys].assign(indicator_id=indicator_id, count=float("nan"), value=cells["number"], sheet=sheet.name,
                                   title=sheet.label, unit=sheet.unit, survey=NTU)]
    units = cells["column_unit"].map(fold)
    rate, count = units.str.contains("100 000|100000"), units.eq("antal")
    counts = cells.loc[count, keys + ["number"]].rename(columns={"number": "count"})
    rates = cells.loc[rate, keys + ["number"]].rename(columns={"number": "value"})
    found = [counts.merge(rates, on=keys, how="outer").assign(indicator_id=indicator_id, sheet=sheet.name, title=sheet.label,
                                                              unit=CRIME_UNIT, survey=None)]
    for unit, other in cells[~rate & ~count].groupby("column_unit", sort=False):
        found.append(other[keys].assign(indicator_id=f"{indicator_id}_{_slug(unit)}", count=float("nan"), value=other["number"],
                                        sheet=sheet.name, title=f"{sheet.label} ({unit})", unit=unit, survey=None))
    return [frame.reindex(columns=_FRAME_COLUMNS) for frame in found]


def _keep_first(frame: pd.DataFrame, sheets: dict[str, _Sheet]) -> pd.DataFrame:
    """One row per area, year and indicator: a later sheet that gives it again is quarantined."""
    keys = ["area_code", "period", "indicator_id"]
    repeated = frame.duplicated(keys, keep="first")
    first = frame[~repeated].set_index(keys)["sheet"]
    for row in frame[repeated].itertuples(index=False):
        sheet = sheets[row.sheet]
        sheet.issues.add(row.source_row, sheet.geography, row.area_code, "dubblett",
                         f"{row.title} {row.period} finns redan i fliken '{first[(row.area_code, row.period, row.indicator_id)]}'; "
                         "den används.")
    return frame[~repeated].reset_index(drop=True)


def _with_bounds(frame: pd.DataFrame, bounds: list[_Sheet], values: list[_Sheet]) -> pd.DataFrame:
    """ci_low and ci_high from the sheets of bounds of the NTU value with the same name (its first sheet);
    bounds that do not enclose their value are quarantined, and the value is kept without an interval."""
    owner: dict[str, str] = {}
    for sheet in values:
        if not sheet.crime:
            owner.setdefault(sheet.key, sheet.name)
    keys = ["sheet", "area_code", "period"]
    parts = []
    for bound in bounds:
        if bound.key in owner:
            parts.append(bound.cells.assign(sheet=owner[bound.key], side=bound.bound, bound_sheet=bound.name))
        else:
            bound.issues.add(1, "A", bound.label, "ki", f"konfidensgränserna gäller '{bound.label}', men arbetsboken har ingen flik "
                                                        "med själva värdena; fliken läses inte in.")
    frame = frame.drop(columns=["ci_low", "ci_high"])
    given = pd.concat(parts, ignore_index=True).drop_duplicates([*keys, "side"]) if parts else pd.DataFrame(columns=[*keys, "side", "number"])
    wide = given.pivot(index=keys, columns="side", values="number").reindex(columns=["ci_low", "ci_high"])
    frame = frame.join(wide.astype(float), on=keys)
    cells = given.set_index([*keys, "side"])
    by_name = {sheet.name: sheet for sheet in bounds}
    for side, wrong in (("ci_low", frame["ci_low"] > frame["value"]), ("ci_high", frame["ci_high"] < frame["value"])):
        for row in frame[wrong].itertuples(index=False):
            cell = cells.loc[(row.sheet, row.area_code, row.period, side)]
            by_name[cell["bound_sheet"]].issues.add(
                cell["source_row"], cell["header"], _decimal(cell["number"]), "ki",
                f"intervallet {_decimal(row.ci_low)}–{_decimal(row.ci_high)} omsluter inte värdet {_decimal(row.value)} "
                f"i fliken '{row.sheet}'; värdet läses in utan intervall.")
    outside = (frame["ci_low"] > frame["value"]) | (frame["ci_high"] < frame["value"])
    frame.loc[outside, ["ci_low", "ci_high"]] = float("nan")
    return frame[_FRAME_COLUMNS]


def _decimal(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:g}".replace(".", ",")


# --- which reader --------------------------------------------------------------------------------


def _load_json(path: Path) -> tuple[object, str | None]:
    """The parsed JSON document, or a Swedish message saying where and why it cannot be read."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, f"{name}: filen kan inte läsas som text i UTF-8 (den ser ut att vara en binärfil eller ha en okänd teckenkodning)."
    try:
        return json.loads(text), None
    except json.JSONDecodeError as error:
        if not text.strip():
            return None, f"{name}: filen är tom."
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated"):
            return None, (f"{name}: JSON-filen är avklippt: den tar slut vid tecken {len(text.rstrip())} "
                          f"(rad {text.rstrip().count(chr(10)) + 1}) innan allt som öppnats har stängts. Hämta filen igen.")
        return None, (f"{name}: JSON-filen är trasig vid tecken {error.pos + 1} (rad {error.lineno}, kolumn {error.colno}); "
                      "den kan inte läsas. Hämta filen igen.")


def detect(path: Path) -> str | None:
    """'kolada' for a Kolada JSON response, 'bra' for Brå's municipal csv, 'bra_lagesbild' for Brå's workbook
    "Indikatorer för kommuners lägesbild", 'tidy' for a tidy table."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            if _is_workbook(workbook_sheets(path)):
                return "bra_lagesbild"
        except ReadError:
            return None
    if suffix == ".json":
        try:
            records = _kolada_records(json.loads(path.read_bytes().decode("utf-8-sig")))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
        return "kolada" if records is not None and (not records or any(isinstance(r, dict) and _pick(r, "kpi") for r in records)) else None
    if suffix not in (".csv", ".txt", ".xlsx", ".xlsm"):
        return None
    try:
        tidy = read_table(path, _tidy_score)
    except ReadError:
        return None
    tidy_fields = {_TIDY_BY_HEADER.get(fold(h)) for h in tidy.headers} - {None}
    if {"area", "period", "indicator"} <= tidy_fields and tidy_fields & {"value", "count"}:
        return "tidy"
    bra = read_table(path, _bra_score)
    bra_fields = {_bra_column(h) for h in bra.headers} - {None}
    if "area" in bra_fields and bra_fields & {"count", "value"} and "period" not in tidy_fields:
        return "bra"
    return None


def read(path: Path, workspace: Workspace | None = None) -> Statistik:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        document, problem = _load_json(path)
        if problem:
            return _empty(problem)
        if isinstance(document, dict) and {"values", "data"} & set(document) and _kolada_records(document) is None:
            return read_kolada(path, workspace)  # says that the list of records is missing
    elif suffix in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm"):
        try:  # a file that is no table at all (binary, damaged): say why, not merely "not recognised"
            read_table(path, _tidy_score)
        except ReadError as error:
            return _empty(str(error))
    kind = detect(path)
    if kind == "tidy":
        return read_tidy(path, workspace)
    if kind == "bra":
        return read_bra(path, workspace)
    if kind == "kolada":
        return read_kolada(path, workspace)
    if kind == "bra_lagesbild":
        return read_workbook(path, workspace)
    return _empty(f"{Path(path).name}: känns inte igen som officiell statistik (tidy csv, Brås kommun-csv, Kolada-JSON eller "
                  "Brås arbetsbok med indikatorer för kommuners lägesbild).")


# --- what `lagesbild check` and `ingest` see --------------------------------------------------


def examine(report: FileReport, workspace: Workspace) -> FileReport:
    """Official statistics have readers of their own (Brå's csv and workbook, Kolada's JSON, a tidy table)."""
    result = read(report.path, workspace)
    report.kind, report.notes = f"officiell statistik ({detect(report.path) or 'okänt format'})", result.notes
    if result.file_errors:
        report.refusal = " ".join(result.file_errors)
        return report
    report.issues = result.issues.assign(field=None)
    report.staging = {"stg_statistik": staging_rows(result, report.label, report.sha256).drop(columns=["path", "sha256"])}
    # a workbook's sheets number their rows each from 1
    where = [column for column in ("sheet", "row") if column in result.issues]
    report.rows_kept, report.dropped_rows = len(result.rows), len(result.issues.drop_duplicates(where))
    report.records = report.rows_kept + report.dropped_rows
    return report


# --- towards DuckDB ------------------------------------------------------------------------------


def staging_rows(result: Statistik, path: str, sha256: str) -> pd.DataFrame:
    """The rows of one file for `stg_statistik`."""
    rows = result.rows.copy()
    rows.insert(0, "sha256", sha256)
    rows.insert(0, "path", str(path))
    for column, kind in WORKBOOK_COLUMNS.items():  # empty for every reader but the workbook's
        if column not in rows:
            rows[column] = pd.Series(None if kind is str else float("nan"), index=rows.index, dtype=object if kind is str else float)
    return rows[["path", "sha256", "source_row", "area_code", "period", "indicator_id", "count", "value", "value_is_rate",
                 *WORKBOOK_COLUMNS]]


def _rows(n: int) -> str:
    return f"{n} rad" if n == 1 else f"{n} rader"
