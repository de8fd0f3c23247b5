"""The county board's Excel export: data/processed/<period>/indicators.xlsx.

Reads only the published snapshot (after small-number suppression) and the indicator catalogue.
One sheet per area level (Kommuner, Län, Samverkansområden, Riket) in long format with Swedish
headers, a sheet "Definitioner" from the catalogue and a sheet "Om filen" that says what the file
holds and what the suppression marker means.

The file is written with XlsxWriter in constant_memory mode: each row is streamed to a temporary
file as it is written, so the national month's 260 000 rows need little memory and less than half
the time of an openpyxl cell object per value.

Safety rules, each tested in tests/publish/test_export_xlsx.py:
- A suppressed row has empty Värde, Antal and Nämnare cells, whatever the frame holds, and the one
  marker ".." in Röjandeskydd, whatever hid it: a small count and a value hidden to protect one
  look the same, so the marker never tells them apart.
- No cell is ever a formula. Every text cell is written as a string cell (write_string, its type
  never inferred from the text, which would make "=…" a formula and "#N/A" an error value); text that a
  spreadsheet would read as the start of a formula (=, +, -, @, tab, line break) also gets the
  cell's quotePrefix flag — what Excel itself stores when a user types a leading apostrophe — so
  it shows literally and stays text when the cell is edited. The text itself is not changed.
- The same input gives the same bytes (fixed document times and zip timestamps), and the file is
  only written when its bytes change, so an unchanged re-run touches nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline.files import write_bytes_if_changed
from pipeline.periods import last_month, period_text

FILE_NAME = "indicators.xlsx"
MONTHS_SHOWN = 24
SHEETS = {"kommun": "Kommuner", "lan": "Län", "region": "Samverkansområden", "riket": "Riket"}
HEADERS = [
    "Område", "Kod", "Indikator", "Period", "Uppdelning", "Kategori", "Värde", "Antal (täljare)",
    "Nämnare", "Befolkningsunderlag", "Enhet", "Röjandeskydd",
]
TEXT_COLUMNS = {"Område", "Kod", "Indikator", "Period", "Uppdelning", "Kategori", "Befolkningsunderlag", "Enhet", "Röjandeskydd"}
# Regions pool the municipalities the data cover: the regional sheets say how many those were.
COVERAGE_HEADERS = ["Kommuner med data", "Kommuner i området"]
DEFINITION_HEADERS = ["Indikator-id", "Indikator", "Beskrivning", "Enhet"]
HIDDEN = ".."  # every hidden row, whatever hid it
NOT_AVAILABLE = "–"
# What a spreadsheet may take as the start of a formula (also in full-width form).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
EXCEL_MAX_TEXT = 32_767
EXCEL_MAX_ROWS = 1_048_576
CHUNK = 10_000  # rows taken out of the frame at a time
MAX_WIDTH = 60
MONTH_NAMES = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]
NUMBER_WORDS = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio"}
WRAP = {"text_wrap": True, "valign": "top"}
PIXELS_PER_CHARACTER = 7  # the default font's digit: a column of width n is 7·n pixels wide


def write_indicators_xlsx(
    published: pd.DataFrame, catalogue: pd.DataFrame, target: Path, period: str, *, threshold: int = 5
) -> Path:
    """Write indicators.xlsx into the snapshot folder `target` (or to `target` if it ends in .xlsx).

    `published` is the suppressed snapshot (indicators.parquet), `catalogue` the indicator
    catalogue (the built ref_indicators, pipeline.build.indicators.catalogue), `period` the snapshot's month (YYYY-MM). Only the
    MONTHS_SHOWN months up to `period` are exported. Returns the path of the workbook.
    """
    target = Path(target)
    path = target if target.suffix == ".xlsx" else target / FILE_NAME
    rows = export_rows(published, catalogue, period)
    source = path.parent / "indicators.parquet"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12] if source.exists() else None
    data = _workbook_bytes(rows, catalogue, period, threshold, digest)
    write_bytes_if_changed(path, data)
    return path


def export_rows(published: pd.DataFrame, catalogue: pd.DataFrame, period: str) -> pd.DataFrame:
    """The rows of the area sheets: area_type, the HEADERS and COVERAGE_HEADERS columns and each value's decimals, sorted.

    Every hidden row is marked HIDDEN, whatever its `suppression` says.
    """
    frame = published[_in_window(published.period.astype(str), period)].copy()
    hidden = frame.suppressed.fillna(True).astype(bool) | frame.suppression.fillna("").ne("")
    order = {indicator: position for position, indicator in enumerate(catalogue.indicator_id)}
    base_of = dict(zip(catalogue.indicator_id, catalogue["base_id"] if "base_id" in catalogue else catalogue.indicator_id))
    title_of = dict(zip(catalogue.indicator_id, catalogue.title))
    dimension = frame.dimension.fillna("").astype(str)
    breakdown = frame.indicator_id.map(base_of).map(title_of)
    label = frame.category_label.fillna("").astype(str) if "category_label" in frame else pd.Series("", index=frame.index)
    category = frame.category.fillna("").astype(str)

    def number(column: str) -> pd.Series:
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        # a suppressed row shows no number, whatever the frame holds
        return values.where(~hidden & np.isfinite(values))

    value = number("value")
    marker = pd.Series(np.where(hidden, HIDDEN, np.where(value.isna(), NOT_AVAILABLE, "")), index=frame.index)
    rows = pd.DataFrame({
        "area_type": frame.area_type.astype(str),
        "Område": frame.area_name.fillna(frame.area_code).astype(str),
        "Kod": frame.area_code.astype(str),
        "Indikator": frame.title.fillna(frame.indicator_id).astype(str) if "title" in frame else frame.indicator_id.map(title_of),
        "Period": frame.period.astype(str),
        "Uppdelning": np.where(dimension.eq(""), "", breakdown.fillna(dimension)),
        "Kategori": label.where(label.ne(""), category),
        "Värde": value,
        "Antal (täljare)": number("numerator"),
        "Nämnare": number("denominator"),
        "Befolkningsunderlag": frame.population_basis.fillna("").astype(str),
        "Enhet": frame.unit.fillna("").astype(str),
        "Röjandeskydd": marker,
        "Kommuner med data": pd.to_numeric(frame.areas_covered, errors="coerce").astype(float) if "areas_covered" in frame else np.nan,
        "Kommuner i området": pd.to_numeric(frame.areas_total, errors="coerce").astype(float) if "areas_total" in frame else np.nan,
        "decimals": pd.to_numeric(frame.decimals, errors="coerce").fillna(0).astype(int).clip(0, 10),
        "_indicator": frame.indicator_id.map(order).fillna(len(order)),
        "_dimension": dimension,
        "_sort": frame.sort_order.fillna(0).astype(int) if "sort_order" in frame else 0,
        "_category": category,
    })
    rows = rows.sort_values(["Kod", "_indicator", "Period", "_dimension", "_sort", "_category"], kind="stable")
    return rows.drop(columns=["_indicator", "_dimension", "_sort", "_category"]).reset_index(drop=True)


# --- the window of months ------------------------------------------------------------------------


def _month(period: str) -> int:
    """The period's last month (a quarter, tertial, half-year or year ends the workbook's window there)."""
    end = last_month(period)
    return int(end[:4]) * 12 + int(end[5:7]) - 1


def _month_text(index: int) -> str:
    return f"{MONTH_NAMES[index % 12]} {index // 12}"


def _in_window(periods: pd.Series, period: str) -> pd.Series:
    """Periods that overlap the MONTHS_SHOWN months up to `period`: months, quarters, tertials, half-years, years.

    A period in a form not known here is kept rather than silently dropped.
    """
    end = _month(period)
    start = end - MONTHS_SHOWN + 1
    parts = periods.str.extract(r"^(\d{4})(?:-(\d{2})|-H([12])|-Q([1-4])|-T([1-3]))?$")
    year = pd.to_numeric(parts[0], errors="coerce") * 12
    first = year.copy()
    last = year + 11
    month, half, quarter, tertial = (pd.to_numeric(parts[i], errors="coerce") for i in (1, 2, 3, 4))
    for number, length in ((month, 1), (half, 6), (quarter, 3), (tertial, 4)):
        first = first.mask(number.notna(), year + (number - 1) * length)
        last = last.mask(number.notna(), year + number * length - 1)
    return (year.isna() | ((last >= start) & (first <= end))).to_numpy()


# --- the workbook --------------------------------------------------------------------------------


def _workbook_bytes(rows: pd.DataFrame, catalogue: pd.DataFrame, period: str, threshold: int, digest: str | None) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    formats = _Formats(workbook)
    for area_type, name in SHEETS.items():
        headers = HEADERS if area_type == "kommun" else HEADERS + COVERAGE_HEADERS
        _area_sheet(workbook.add_worksheet(name), formats, rows[rows.area_type == area_type], headers)
    _definitions_sheet(workbook.add_worksheet("Definitioner"), formats, catalogue)
    _about_sheet(workbook.add_worksheet("Om filen"), formats, period, threshold, digest)
    # a fixed creation time (XlsxWriter also writes it as the modified time; its zip entries have a fixed date)
    workbook.set_properties({"title": f"Indikatorer {period}", "author": "lagesbild", "created": _fixed_time(period)})
    workbook.close()
    return buffer.getvalue()


def _fixed_time(period: str) -> dt.datetime:
    """The first moment after the period: the same for every run on the same snapshot."""
    following = _month(period) + 1
    return dt.datetime(following // 12, following % 12 + 1, 1)


class _Formats:
    """The workbook's cell formats, each made once: text by (bold, wrap, quote prefix), numbers by decimals."""

    def __init__(self, workbook) -> None:
        self.workbook = workbook
        self.made: dict[tuple, object] = {}

    def text(self, bold: bool = False, wrap: bool = False, quote: bool = False):
        if not (bold or wrap or quote):
            return None
        key = ("text", bold, wrap, quote)
        if key not in self.made:
            self.made[key] = self.workbook.add_format({"bold": bold, "quote_prefix": quote, **(WRAP if wrap else {})})
        return self.made[key]

    def number(self, decimals: int):
        key = ("number", decimals)
        if key not in self.made:
            self.made[key] = self.workbook.add_format({"num_format": "#,##0" + ("." + "0" * decimals if decimals else "")})
        return self.made[key]


def _area_sheet(sheet, formats: _Formats, rows: pd.DataFrame, headers: list[str]) -> None:
    if len(rows) + 1 > EXCEL_MAX_ROWS:
        raise ValueError(f"fliken {sheet.name} skulle få {len(rows)} rader, fler än Excel kan visa")
    text_columns = [header in TEXT_COLUMNS for header in headers]
    widths = [max(len(header), 10) for header in headers]
    for index, header in enumerate(headers):
        if text_columns[index] and len(rows):
            widths[index] = max(len(header), int(rows[header].str.len().max()))
    _layout(sheet, widths, len(rows))
    for column, header in enumerate(headers):
        _write_text(sheet, formats, 0, column, header, bold=True)
    value_formats = {d: formats.number(d) for d in range(11)}
    integer_format = formats.number(0)
    value_column, denominator_column = headers.index("Värde"), headers.index("Nämnare")
    # the same few texts repeat on every row: clean each once
    texts: dict[object, tuple[str, object]] = {}
    write_string, write_number = sheet.write_string, sheet.write_number
    for row, record in enumerate(_records(rows, headers + ["decimals"]), 1):
        for column, item in enumerate(record[:-1]):
            if text_columns[column]:
                cell = texts.get(item)
                if cell is None:
                    cell = texts[item] = _text_cell(formats, item)
                if cell[0]:
                    write_string(row, column, *cell)
            elif item != item:  # NaN: an empty cell
                continue
            elif column == value_column:
                write_number(row, column, item, value_formats[record[-1]])
            elif column == denominator_column and item != round(item):
                write_number(row, column, item, value_formats[1])  # a mean population, e.g. 12 073,5
            else:
                write_number(row, column, item, integer_format)


def _records(rows: pd.DataFrame, columns: list[str]) -> Iterator[tuple]:
    """The rows' `columns` as tuples of plain Python values, a chunk at a time: quicker than itertuples, memory stays flat."""
    for start in range(0, len(rows), CHUNK):
        chunk = rows.iloc[start:start + CHUNK]
        yield from zip(*(chunk[column].tolist() for column in columns))


def _definitions_sheet(sheet, formats: _Formats, catalogue: pd.DataFrame) -> None:
    columns = ["indicator_id", "title", "description", "unit"]
    table = catalogue.reindex(columns=columns).fillna("").astype(str).drop_duplicates("indicator_id")
    widths = [max(len(header), int(table[column].str.len().max()) if len(table) else 0) for header, column in zip(DEFINITION_HEADERS, columns)]
    _layout(sheet, widths, len(table))
    for column, header in enumerate(DEFINITION_HEADERS):
        _write_text(sheet, formats, 0, column, header, bold=True)
    for row, record in enumerate(table.itertuples(index=False, name=None), 1):
        for column, item in enumerate(record):
            _write_text(sheet, formats, row, column, item, wrap=column == 2)


def _about_sheet(sheet, formats: _Formats, period: str, threshold: int, digest: str | None) -> None:
    end = _month(period)
    fewer = NUMBER_WORDS.get(threshold, str(threshold))
    source = f"data/processed/{period}/indicators.parquet" + (f" (sha256 {digest}…)" if digest else "")
    lines = [
        ("Period", f"{period_text(period)} ({period})"),
        ("Innehåll", f"Indikatorvärden för de {MONTHS_SHOWN} månaderna {_month_text(end - MONTHS_SHOWN + 1)} – {_month_text(end)}, "
                     "en rad per område, indikator, period och kategori. Äldre perioder är utelämnade för att hålla filen liten; "
                     "hela tidsserien finns i ögonblicksbilden (se Källa)."),
        ("Flikar", "Kommuner, Län, Samverkansområden (kommuner som samverkar, t.ex. SuToHaMu) och Riket: en flik per områdesnivå. "
                   "Definitioner: vad varje indikator mäter och i vilken enhet."),
        ("Regioner", "Län, samverkansområden och riket är sammanvägda: summan av täljarna genom summan av nämnarna för de kommuner "
                     "som ingår, aldrig ett medelvärde av kommunernas värden. Bara kommuner som data täcker den perioden ingår: "
                     "kolumnerna Kommuner med data och Kommuner i området säger hur många av områdets kommuner det är."),
        ("Röjandeskydd", f"Varje uppgift i filen har passerat röjandeskyddet innan filen skrevs: antal från 1 till {threshold - 1} visas inte, "
                         "och fler uppgifter döljs där en dold uppgift annars skulle kunna räknas fram ur summor eller närliggande celler. "
                         "En dold uppgift har tomma celler under Värde, Antal (täljare) och Nämnare och samma markering i kolumnen "
                         "Röjandeskydd, vad som än dolde den:"),
        (HIDDEN, f"visas inte av sekretesskäl: antingen är antalet färre än {fewer} (eller bygger uppgiften på ett sådant antal), "
                 "eller så är uppgiften dold för att ett sådant antal inte ska kunna räknas fram, och det går inte att se vilket."),
        (NOT_AVAILABLE, "uppgift saknas (inget värde att visa)."),
        ("Tal", "Talen är sparade som tal och visas med indikatorns antal decimaler; decimaltecknet följer datorns språkinställning."),
        ("Koder", "Kommunkoder är text med fyra siffror och behåller sin inledande nolla (0114)."),
        ("Text", "All text är sparad som text: ingen cell i filen är en formel, även om texten börjar med =, +, - eller @."),
        ("Källa", f"Ögonblicksbilden {source}, efter röjandeskydd, skriven av lagesbild."),
    ]
    _width(sheet, 0, 24)
    _width(sheet, 1, 100)
    _write_text(sheet, formats, 0, 0, f"Indikatorer för {_month_text(end)}", bold=True)
    for row, (label, text) in enumerate(lines, 2):  # after an empty row
        _write_text(sheet, formats, row, 0, label, bold=True)
        _write_text(sheet, formats, row, 1, text, wrap=True)


def _layout(sheet, widths: list[int], rows: int) -> None:
    for index, width in enumerate(widths):
        _width(sheet, index, min(MAX_WIDTH, width + 2))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, rows, len(widths) - 1)


def _width(sheet, column: int, width: int) -> None:
    """A column `width` characters wide, stored as that width (set_column would add Excel's 5 pixels of padding)."""
    sheet.set_column_pixels(column, column, width * PIXELS_PER_CHARACTER)


def _text_cell(formats: _Formats, value: object, bold: bool = False, wrap: bool = False) -> tuple[str, object]:
    """The text a cell shows ("" for an empty cell) and its format: see the module docstring."""
    text = ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))[:EXCEL_MAX_TEXT]
    return text, formats.text(bold, wrap, quote=text.startswith(FORMULA_START))


def _write_text(sheet, formats: _Formats, row: int, column: int, value: object, bold: bool = False, wrap: bool = False) -> None:
    text, cell_format = _text_cell(formats, value, bold, wrap)
    if text:
        sheet.write_string(row, column, text, cell_format)  # forced: never inferred as a formula or an error
