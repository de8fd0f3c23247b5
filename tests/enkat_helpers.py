"""Small helpers to write lägesbild questionnaire exports as the survey tools write them.

Used by test_enkat_read.py. Each writer produces the bytes a real tool produces: Microsoft Forms'
xlsx (openpyxl), Google Forms' csv (UTF-8, comma, every field quoted), Excel's Swedish
"CSV (semikolonavgränsad)" (cp1252, semicolon, CRLF) and a UTF-8 csv with BOM. Nothing here
computes an expected value.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
from intox_helpers import query  # noqa: F401  (shared by the questionnaire tests)

from pipeline.config import Workspace

# Google Forms' grid questions: "Prompt [Rad]".
PRESENCE_PROMPT = "Hur förekommer följande i kommunen? [{}]"
TREND_PROMPT = "Hur har följande utvecklats det senaste året? [{}]"


def enkat_path(root: Path, *parts: str) -> Path:
    """data/raw/enkat/<parts…> under a workspace root, folders created."""
    path = root.joinpath("data", "raw", "enkat", *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """A workbook with one sheet; cells keep their Python types (datetime, int, str, None)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Blad1"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _csv_text(rows: list[list[str]], delimiter: str, quoting: int) -> str:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=quoting).writerows(rows)
    return buffer.getvalue()


def write_excel_csv(path: Path, rows: list[list[str]]) -> Path:
    """Excel's Swedish "CSV (semikolonavgränsad)": cp1252, ';', CRLF, quotes only where needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_csv_text(rows, ";", csv.QUOTE_MINIMAL).encode("cp1252"))
    return path


def write_bom_csv(path: Path, rows: list[list[str]], delimiter: str = ";") -> Path:
    """Excel's "CSV UTF-8 (kommaavgränsad)" in a Swedish locale: UTF-8 with BOM."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + _csv_text(rows, delimiter, csv.QUOTE_MINIMAL).encode("utf-8"))
    return path


def write_google_csv(path: Path, rows: list[list[str]]) -> Path:
    """Google Forms' "Ladda ned svar (.csv)": UTF-8 without BOM, ',', every field quoted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_csv_text(rows, ",", csv.QUOTE_ALL).encode("utf-8"))
    return path


def staged(report) -> pd.DataFrame:
    """The stg_enkat rows of an examined file (fails with the refusal when there are none)."""
    assert report.refusal is None, report.refusal
    assert report.staging is not None
    return report.staging["stg_enkat"]


def answer(report, row: int, question_id: str) -> tuple:
    """(presence, trend) of one respondent (spreadsheet row) and question; None for NULL."""
    rows = staged(report)
    match = rows[(rows["source_row"] == row) & (rows["question_id"] == question_id)]
    assert len(match) == 1, f"rad {row}, {question_id}: {len(match)} rader i stg_enkat"
    record = match.iloc[0]
    return tuple(None if pd.isna(record[s]) else record[s] for s in ("presence", "trend"))


def every_text(workspace: Workspace) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(table, column) names of every table, and (table, column, text) of every non-NULL cell.

    Every cell is cast to VARCHAR (lists such as raw_files.notes included), so nothing a table
    holds escapes a scan for a value that must not be stored.
    """
    con = duckdb.connect(str(workspace.database), read_only=True)
    try:
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name, column_index"
        ).fetchall()
        cells = []
        for table, column in columns:
            values = con.execute(f'SELECT CAST("{column}" AS VARCHAR) FROM "{table}" WHERE "{column}" IS NOT NULL').fetchall()
            cells += [(table, column, value) for (value,) in values]
        return columns, cells
    finally:
        con.close()
