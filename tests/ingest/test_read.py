"""The reader on real files: encodings, delimiters, quoting, header detection, Excel cells, row numbers."""
from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.ingest.read import ReadError, _read_csv, read_table

KNOWN_HEADERS = {"id", "datum", "ålder", "kommun", "substanser", "kön"}


def score(row: list[str]) -> int:
    """A header scorer independent of any contract: counts cells that are known names."""
    return sum(1 for cell in row if str(cell).strip().casefold() in KNOWN_HEADERS)


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def csv_text(rows: list[list[str]], delimiter: str, newline: str = "\r\n") -> str:
    """Join pre-quoted cells; quoting is done by hand so the bytes are exactly what a test wants."""
    return "".join(delimiter.join(row) + newline for row in rows)


def write_xlsx(path: Path, sheets: dict[str, list[tuple[int, list]]]) -> Path:
    """sheets: title -> [(excel row number, values starting in column A)]."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row_number, values in rows:
            for column, value in enumerate(values, start=1):
                if value is not None:
                    sheet.cell(row=row_number, column=column, value=value)
    book.save(path)
    return path


def rows_of(table) -> dict[int, list[str]]:
    return {int(index): list(row) for index, row in zip(table.cells.index, table.cells.itertuples(index=False))}


HEADER = ["id", "Datum", "Ålder", "Kommun", "Substanser"]
ROWS = [
    ["1", "2026-10-03", "17", "Årjäng", "Alkohol"],
    ["2", "2026-10-04", "45", "Västerås", "Cannabis"],
    ["3", "2026-10-05", "70", "Östersund", "Lustgas"],
]


# --- encodings -----------------------------------------------------------------------------------


def test_utf8_csv(tmp_path):
    path = write_bytes(tmp_path / "f.csv", csv_text([HEADER, *ROWS], ",").encode("utf-8"))
    table = read_table(path, score)
    assert table.format == "csv"
    assert table.encoding == "UTF-8"
    assert table.delimiter == ","
    assert table.headers == HEADER
    assert rows_of(table) == {2: ROWS[0], 3: ROWS[1], 4: ROWS[2]}


def test_utf8_with_bom_csv_header_has_no_bom(tmp_path):
    path = write_bytes(tmp_path / "f.csv", b"\xef\xbb\xbf" + csv_text([HEADER, *ROWS], ";").encode("utf-8"))
    table = read_table(path, score)
    assert table.encoding == "UTF-8 med BOM"
    assert table.headers[0] == "id"  # not "\ufeffid"
    assert table.headers == HEADER
    assert rows_of(table)[2] == ROWS[0]


def test_cp1252_semicolon_csv(tmp_path):
    data = csv_text([HEADER, *ROWS], ";").encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is Windows-1252, not UTF-8
    assert "Å".encode("cp1252") == b"\xc5" and b"\xc5rj\xe4ng" in data
    table = read_table(write_bytes(tmp_path / "f.csv", data), score)
    assert table.encoding == "Windows-1252"
    assert table.delimiter == ";"
    assert table.headers == HEADER
    assert rows_of(table) == {2: ROWS[0], 3: ROWS[1], 4: ROWS[2]}
    assert table.cells.loc[2, 3] == "Årjäng"
    assert table.cells.loc[4, 3] == "Östersund"


def test_utf16_tab_separated_excel_unicode_text(tmp_path):
    data = csv_text([HEADER, *ROWS], "\t").encode("utf-16")
    assert data[:2] in (b"\xff\xfe", b"\xfe\xff")
    table = read_table(write_bytes(tmp_path / "f.txt", data), score)
    assert table.encoding == "UTF-16"
    assert table.delimiter == "\t"
    assert table.headers == HEADER
    assert rows_of(table) == {2: ROWS[0], 3: ROWS[1], 4: ROWS[2]}


@pytest.mark.parametrize("delimiter,name", [(",", "komma"), (";", "semikolon"), ("\t", "tabb")])
def test_each_delimiter_is_detected(tmp_path, delimiter, name):
    path = write_bytes(tmp_path / "f.csv", csv_text([HEADER, *ROWS], delimiter).encode("utf-8"))
    table = read_table(path, score)
    assert table.delimiter == delimiter
    assert name in table.description
    assert table.headers == HEADER
    assert table.cells.shape == (3, 5)


def test_decimal_commas_do_not_fool_semicolon_detection(tmp_path):
    rows = [HEADER, ["1", "2026-10-03", "17,5", "Torsby", "Alkohol, cannabis"], ["2", "2026-10-04", "3,0", "Sunne", "Okänt"]]
    path = write_bytes(tmp_path / "f.csv", csv_text(rows, ";").encode("cp1252"))
    table = read_table(path, score)
    assert table.delimiter == ";"
    assert table.cells.loc[2, 4] == "Alkohol, cannabis"


# --- quoting and row numbers -----------------------------------------------------------------------


def test_quoted_delimiter_and_line_break_keep_row_numbers(tmp_path):
    text = (
        "id;Datum;Ålder;Kommun;Substanser\r\n"
        '1;2026-10-03;17;Torsby;"Alkohol; cannabis"\r\n'
        '2;2026-10-04;45;"Sunne";"Alkohol\r\nGHB"\r\n'  # one spreadsheet row over two lines of text
        '3;2026-10-05;70;Hagfors;"Lustgas, ""kapsel"""\r\n'
        "4;2026-10-06;33;Munkfors;Kokain\r\n"
    )
    table = read_table(write_bytes(tmp_path / "f.csv", text.encode("cp1252")), score)
    rows = rows_of(table)
    assert list(rows) == [2, 3, 4, 5]  # Excel numbers: header 1, then one row per record
    assert rows[2][4] == "Alkohol; cannabis"
    assert rows[3][4] == "Alkohol\r\nGHB"  # the line break is part of the cell
    assert rows[4][4] == 'Lustgas, "kapsel"'
    assert rows[5] == ["4", "2026-10-06", "33", "Munkfors", "Kokain"]


# Cells as exports write them, and as they go wrong: quoted or not, with delimiters, quotes and line
# breaks inside, a quote left open, text after a closing quote.
CELL = st.text(alphabet=["a", "å", " ", ";", ",", "\t", '"', "\r", "\n", "1"], max_size=6)
QUOTED = CELL.map(lambda cell: '"' + cell.replace('"', '""') + '"')
LINE_END = st.sampled_from(["\r\n", "\n", "\r"])


@st.composite
def csv_texts(draw) -> str:
    width = draw(st.integers(1, 4))
    records = draw(st.lists(st.lists(st.one_of(CELL, QUOTED), min_size=width, max_size=width), min_size=1, max_size=6))
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    text = "".join(delimiter.join(record) + draw(LINE_END) for record in records)
    return text if draw(st.booleans()) else text.rstrip("\r\n")


@settings(max_examples=300, deadline=None)
@given(csv_texts())
@example("a;b\r\n\r\nc;d\r\n")  # an empty line is a record of no fields
@example('a;b\n1;"x"y\n2;"open')  # text after a closing quote; a quote never closed
def test_csv_text_reads_as_the_csv_module_reads_it(text):
    """Plain files take a faster path than the csv module: the grid must be the csv module's, cell for cell."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_bytes(Path(folder) / "f.csv", text.encode("utf-8"))
        grid, meta = _read_csv(path)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=meta["delimiter"]))
    width = max(map(len, records), default=0)
    assert grid.to_numpy().tolist() == [record + [""] * (width - len(record)) for record in records]
    assert meta["field_counts"] == [len(record) for record in records]


def test_title_row_and_empty_row_above_header(tmp_path):
    rows = [["INTOX-export oktober 2026"], [""], HEADER, ROWS[0], ROWS[1]]
    table = read_table(write_bytes(tmp_path / "f.csv", csv_text(rows, ";").encode("utf-8")), score)
    assert table.header_row == 3
    assert table.headers == HEADER
    assert rows_of(table) == {4: ROWS[0], 5: ROWS[1]}
    assert table.blank_rows == 0  # rows above the header are not data rows


def test_blank_rows_are_counted_and_skipped(tmp_path):
    rows = [HEADER, ROWS[0], [""], ["", "", "", "", ""], ROWS[1], ["   ", "", "", "", ""], ROWS[2]]
    table = read_table(write_bytes(tmp_path / "f.csv", csv_text(rows, ";").encode("utf-8")), score)
    # row 3: an empty line, row 4: ";;;;", row 6: only whitespace
    assert table.blank_rows == 3
    assert rows_of(table) == {2: ROWS[0], 5: ROWS[1], 7: ROWS[2]}


def test_cells_are_stripped_and_nbsp_is_a_space(tmp_path):
    rows = [HEADER, [" 1 ", "2026-10-03\xa0", "17", "  Torsby", "Alkohol"]]
    table = read_table(write_bytes(tmp_path / "f.csv", csv_text(rows, ";").encode("utf-8")), score)
    assert rows_of(table)[2] == ["1", "2026-10-03", "17", "Torsby", "Alkohol"]


# --- Excel -------------------------------------------------------------------------------------------


def test_xlsx_dates_serials_floats_and_leading_blank_rows(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {
            "Blad1": [
                (3, HEADER),  # rows 1 and 2 are blank
                (4, [1, dt.date(2026, 10, 3), 17.0, 1737, "Alkohol"]),
                (5, [2.0, dt.datetime(2026, 10, 4, 0, 0), 45, "0114", "Cannabis"]),
                (6, [3, dt.datetime(2026, 10, 5, 14, 30), 70.5, 114.0, "Lustgas"]),
                (7, [4, 46298, 33, "Sunne", "Kokain"]),  # a date serial stored as a plain number
            ]
        },
    )
    table = read_table(path, score)
    assert table.format == "xlsx"
    assert table.sheet == "Blad1"
    assert table.header_row == 3
    assert table.headers == HEADER
    rows = rows_of(table)
    assert list(rows) == [4, 5, 6, 7]
    assert rows[4] == ["1", "2026-10-03", "17", "1737", "Alkohol"]
    assert rows[5] == ["2", "2026-10-04", "45", "0114", "Cannabis"]
    assert rows[6][1].startswith("2026-10-05") and "14:30" in rows[6][1]
    assert rows[6][2] == "70.5"  # a real fraction stays a fraction
    assert rows[6][3] == "114"
    assert rows[7][1] == "46298"


def test_xlsx_second_sheet_holds_the_data(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {
            "Info": [(1, ["Export från journalsystemet"]), (2, ["Skapad", dt.date(2026, 11, 1)])],
            "Data": [(1, HEADER), (2, [1, dt.date(2026, 10, 3), 17, "Torsby", "Alkohol"])],
        },
    )
    table = read_table(path, score)
    assert table.sheet == "Data"
    assert table.headers == HEADER
    assert rows_of(table) == {2: ["1", "2026-10-03", "17", "Torsby", "Alkohol"]}
    assert "Data" in table.description


def test_xlsx_blank_rows_between_data_are_counted(tmp_path):
    path = write_xlsx(
        tmp_path / "f.xlsx",
        {"Blad1": [(1, HEADER), (2, [1, "2026-10-03", 17, "Torsby", "Alkohol"]), (5, [2, "2026-10-04", 18, "Sunne", "Kokain"])]},
    )
    table = read_table(path, score)
    assert table.blank_rows == 2  # rows 3 and 4
    assert list(rows_of(table)) == [2, 5]


def test_xlsx_formatted_but_empty_cells_count_as_blank(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for column, name in enumerate(HEADER, start=1):
        sheet.cell(row=1, column=column, value=name)
    for column, value in enumerate([1, "2026-10-03", 17, "Torsby", "Alkohol"], start=1):
        sheet.cell(row=2, column=column, value=value)
    sheet.cell(row=3, column=2).number_format = "yyyy-mm-dd"  # styled, no value
    sheet.cell(row=3, column=4, value="   ")  # only spaces
    for column, value in enumerate([2, "2026-10-04", 18, "Sunne", "Kokain"], start=1):
        sheet.cell(row=4, column=column, value=value)
    book.save(tmp_path / "f.xlsx")
    table = read_table(tmp_path / "f.xlsx", score)
    assert table.blank_rows == 1
    assert list(rows_of(table)) == [2, 4]


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["export.pdf", "export.docx", "export"])
def test_unknown_file_type_is_a_swedish_read_error_naming_the_file(tmp_path, name):
    path = write_bytes(tmp_path / name, b"id;Datum\n1;2026-10-03\n")
    with pytest.raises(ReadError) as raised:
        read_table(path, score)
    message = str(raised.value)
    assert name in message
    assert "okänt filformat" in message


def test_corrupt_xlsx_is_a_swedish_read_error_naming_the_file(tmp_path):
    path = write_bytes(tmp_path / "trasig fil.xlsx", b"PK\x03\x04 this is not really a zip archive" * 10)
    with pytest.raises(ReadError) as raised:
        read_table(path, score)
    message = str(raised.value)
    assert "trasig fil.xlsx" in message
    assert "kan inte öppnas som Excel-arbetsbok" in message


def test_csv_saved_as_xlsx_is_a_read_error(tmp_path):
    path = write_bytes(tmp_path / "egentligen.xlsx", csv_text([HEADER, *ROWS], ";").encode("utf-8"))
    with pytest.raises(ReadError) as raised:
        read_table(path, score)
    assert "egentligen.xlsx" in str(raised.value)


def test_empty_csv_is_a_swedish_read_error(tmp_path):
    path = write_bytes(tmp_path / "tom.csv", b"")
    with pytest.raises(ReadError) as raised:
        read_table(path, score)
    assert "tom.csv" in str(raised.value)
    assert "tom" in str(raised.value).replace("tom.csv", "")
