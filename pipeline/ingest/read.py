"""Read an export as it was produced: xlsx, or csv in any encoding and delimiter Swedish offices use.

The result is a table of stripped text cells, each row carrying the number the spreadsheet shows
for it, so that every later message can name the row an analyst will look for.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
from pyarrow import csv as pa_csv

DELIMITERS = (";", ",", "\t")
HEADER_SEARCH_ROWS = 20
READABLE = {".xlsx", ".xlsm", ".csv", ".txt", ".tsv", ".json"}  # JSON: Kolada's API responses
# A csv cell may be long (a pasted comment); the csv module's default limit of 131 072 characters
# would refuse the whole file. 64 MB is far beyond any real export and still bounds memory.
CSV_FIELD_LIMIT = 64 * 1024 * 1024
# Control characters other than tab, line feed, form feed and carriage return do not occur in text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


class ReadError(Exception):
    """The file cannot be read as a table at all; the message is Swedish and names the file."""


def unreadable_format(path: Path) -> str | None:
    """Why a file's suffix cannot be read (Swedish, names the file), or None when it can."""
    suffix = path.suffix.lower()
    if suffix in READABLE:
        return None
    if suffix == ".xls":
        return f"{path.name}: det gamla Excelformatet (.xls) kan inte läsas. Spara filen som .xlsx eller .csv."
    what = f"okänt filformat '{path.suffix}'" if suffix else "okänt filformat (filen saknar filändelse)"
    return (f"{path.name}: {what}; bara .xlsx, .xlsm, .csv, .txt, .tsv och .json kan läsas. "
            "Spara filen som .xlsx eller .csv, eller flytta den ur data/raw/.")


def binary_message(name: str) -> str:
    return f"{name}: filen kan inte läsas som text (den ser ut att vara en binärfil eller ha en okänd teckenkodning)."


def decode_text(path: Path, data: bytes | None = None) -> tuple[str, str]:
    """The text of a csv or json file and its encoding; ReadError when it is no text at all."""
    data = path.read_bytes() if data is None else data
    encoding = _sniff_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:  # cp1252 leaves five bytes undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d)
        raise ReadError(binary_message(path.name)) from error
    if _CONTROL.search(text, 0, 64 * 1024):
        raise ReadError(binary_message(path.name))
    return text, encoding


@dataclass
class RawTable:
    path: Path
    headers: list[str]
    cells: pd.DataFrame  # str cells, columns 0..n-1 in header order, index = spreadsheet row number
    format: str  # "xlsx" or "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 1
    blank_rows: int = 0
    notes: list[str] = field(default_factory=list)
    short_rows: dict[int, int] = field(default_factory=dict)  # csv: spreadsheet row -> its fields, when fewer than the header's
    header_fields: int = 0  # fields of the header record
    derived: dict[str, str] = field(default_factory=dict)  # added column header -> the column it was computed from

    @property
    def description(self) -> str:
        if self.format == "xlsx":
            return f"Excel-arbetsbok, blad '{self.sheet}', rubrikrad {self.header_row}"
        names = {";": "semikolon", ",": "komma", "\t": "tabb"}
        return f"CSV, {self.encoding}, avgränsare {names[self.delimiter]}, rubrikrad {self.header_row}"


def read_table(path: Path, header_score: Callable[[list[str]], int]) -> RawTable:
    """Read `path`; `header_score` counts how many cells of a row are known column names."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid, meta = _read_xlsx(path, header_score)
    elif suffix in (".csv", ".txt", ".tsv"):
        grid, meta = _read_csv(path)
    else:
        raise ReadError(unreadable_format(path) or f"{path.name}: okänt filformat '{path.suffix}'. Spara filen som .xlsx eller .csv.")
    return _to_table(path, grid, header_score, **meta)


def _to_table(path: Path, grid: pd.DataFrame, header_score, field_counts: list[int] | None = None, **meta) -> RawTable:
    grid = grid.fillna("").astype(str).apply(lambda col: col.str.replace("\xa0", " ").str.strip())
    if grid.empty:
        raise ReadError(f"{path.name}: filen är tom.")
    header_at = _find_header(grid, header_score)
    headers = grid.iloc[header_at].tolist()
    # A csv record with fewer fields than its header was cut off (a truncated export): remember it,
    # so that validation quarantines it instead of counting its missing half as not answered.
    short_rows = {}
    if field_counts is not None and min(field_counts[header_at + 1 :], default=0) < field_counts[header_at]:
        width = field_counts[header_at]
        filled = grid.ne("").any(axis=1).to_numpy()
        short_rows = {
            position + 1: field_counts[position]
            for position in range(header_at + 1, len(grid))
            if filled[position] and field_counts[position] < width
        }
    # Columns with neither a header nor any value are Excel's leftover formatting, not data.
    body = grid.iloc[header_at + 1 :]
    keep = [i for i, name in enumerate(headers) if name or body.iloc[:, i].ne("").any()]
    body = body.iloc[:, keep]
    headers = [headers[i] for i in keep]
    body.columns = range(len(headers))
    body.index = body.index + 1  # spreadsheets count rows from 1
    blank = body.eq("").all(axis=1)
    return RawTable(
        path=path,
        headers=headers,
        cells=body[~blank],
        header_row=header_at + 1,
        blank_rows=int(blank.sum()),
        short_rows=short_rows,
        header_fields=field_counts[header_at] if field_counts is not None else len(headers),
        **meta,
    )


def _find_header(grid: pd.DataFrame, header_score) -> int:
    """The first row that names at least two known columns; else the first row with content."""
    top = grid.head(HEADER_SEARCH_ROWS)
    for position, row in enumerate(top.itertuples(index=False)):
        if header_score(list(row)) >= 2:
            return position
    filled = top.ne("").any(axis=1).to_numpy().nonzero()[0]
    return int(filled[0]) if len(filled) else 0


# --- Excel -------------------------------------------------------------------------------------


def workbook_sheets(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every sheet of a workbook, in order, as (name, rows of text cells as _excel_text writes them)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or mislabelled file
        raise ReadError(f"{path.name}: kan inte öppnas som Excel-arbetsbok (filen är skadad, avklippt, krypterad "
                        "eller ingen riktig .xlsx-fil). Öppna den i Excel och spara den igen som .xlsx.") from error
    try:
        return [(sheet.title, [[_excel_text(value) for value in row] for row in sheet.iter_rows(values_only=True)])
                for sheet in book.worksheets]
    finally:
        book.close()


def _read_xlsx(path: Path, header_score) -> tuple[pd.DataFrame, dict]:
    best = None
    for title, rows in workbook_sheets(path):
        if not rows:
            continue
        score = max((header_score([str(v) for v in row]) for row in rows[:HEADER_SEARCH_ROWS]), default=0)
        if best is None or score > best[0]:
            best = (score, pd.DataFrame(rows), title)
    if best is None:
        raise ReadError(f"{path.name}: arbetsboken har inga ifyllda blad.")
    return best[1], {"format": "xlsx", "sheet": best[2]}


def _excel_text(value: object) -> str:
    if value is None:
        return ""
    # Excel's day 0 and the days before 1900-03-01 are no dates an analyst wrote: openpyxl gives a
    # time of day (serial 0) or a date in 1899/1900. Show the serial number the cell holds instead.
    if isinstance(value, dt.time) and value == dt.time(0):
        return "0"
    if isinstance(value, dt.datetime) and value < dt.datetime(1900, 3, 1):
        serial = (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
        return str(int(serial)) if serial.is_integer() else str(serial)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(path: Path) -> tuple[pd.DataFrame, dict]:
    text, encoding = decode_text(path)
    delimiter = _sniff_delimiter(text)
    label = {"utf-8-sig": "UTF-8 med BOM", "utf-8": "UTF-8", "cp1252": "Windows-1252", "utf-16": "UTF-16"}[encoding]
    meta = {"format": "csv", "encoding": label, "delimiter": delimiter}
    plain = _read_plain_csv(text, delimiter)
    if plain is not None:
        return plain, meta | {"field_counts": [plain.shape[1]] * len(plain)}
    # The csv module keeps quoted line breaks inside one record, as Excel numbers rows, and
    # tolerates rows of uneven width, which pandas' fast parser refuses.
    limit = csv.field_size_limit()
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        if "field larger" in str(error):
            problem = f"ett fält är större än {CSV_FIELD_LIMIT // (1024 * 1024)} MB"
        elif "NUL" in str(error):
            raise ReadError(binary_message(path.name)) from error
        else:
            problem = "ett citattecken öppnas men stängs aldrig"
        raise ReadError(f"{path.name}: kan inte läsas som CSV på rad {reader.line_num}: {problem}; kontrollera filen.") from error
    finally:
        csv.field_size_limit(limit)
    counts = [len(row) for row in rows]
    width = max(counts, default=0)
    grid = pd.DataFrame([row + [""] * (width - len(row)) for row in rows], dtype=str)
    return grid, meta | {"field_counts": counts}


def _read_plain_csv(text: str, delimiter: str) -> pd.DataFrame | None:
    """The grid the csv module reads, read by Arrow many times faster, when every record is as wide
    as the first and no line is empty (Arrow reads an empty line as a record of empty fields, the
    csv module as one of none). None otherwise: the csv module then reads the text, with all its
    tolerance and its messages. Arrow reads quotes, doubled quotes and quoted line breaks as the
    csv module does (tests/ingest/test_read.py compares the two on generated text)."""
    if not text or text[0] in "\r\n" or any(mark in text for mark in ("\x00", "\n\n", "\n\r", "\r\r")):
        return None
    try:
        width = len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
        names = [str(i) for i in range(width)]
        uneven = []
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False, newlines_in_values=True,
                ignore_empty_lines=False, invalid_row_handler=lambda row: uneven.append(row) or "skip",
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except (csv.Error, UnicodeEncodeError, pa.ArrowInvalid):  # a huge first field, a lone surrogate, a record beyond Arrow's block
        return None
    if uneven:
        return None
    return pd.DataFrame({i: pd.Series(table.column(i), dtype=str) for i in range(width)})


def _sniff_encoding(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"  # Excel's "Unicode-text"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        # Excel's Swedish "CSV (semikolonavgränsad)" and older systems write Windows-1252.
        return "cp1252"


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, equally many, fields."""
    sample = text[:64 * 1024].splitlines()[:50]
    best, best_key = ",", (-1, -1)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(sample, delimiter=delimiter) if any(cell.strip() for cell in row)]
        if not counts:
            continue
        widest = max(counts)
        key = (sum(count == widest for count in counts) if widest > 1 else 0, widest)
        if key > best_key:
            best, best_key = delimiter, key
    return best
