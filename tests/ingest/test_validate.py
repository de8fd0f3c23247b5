"""Validation of INTOX forms through `examine`, on real files written to disk."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.config import Workspace
from pipeline.ingest.examine import examine

HEADER = ["Formulär-id", "Besöksdatum", "Ålder", "Kön", "Hemkommun", "Substanser", "Avsikt", "Vårdnivå"]
SWEDISH_WORDS = re.compile(r"\b(är|inget|ingen|varken|saknas|finns|okänt|måste|ligger|utanför)\b")


def good_row(case_id: str, day: int = 3) -> list[str]:
    return [case_id, f"2026-10-{day:02d}", "34", "Kvinna", "Torsby", "Alkohol", "Rus", "Hemgång"]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "cp1252", delimiter: str = ";") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def check(tmp_path: Path, header: list[str], rows: list[list[str]], name: str = "export.csv"):
    return examine(write_csv(tmp_path / name, [header, *rows]), Workspace(tmp_path))


def staged(report) -> dict[int, dict]:
    """Staging rows keyed by spreadsheet row."""
    assert report.staging is not None, report.refusal
    return {int(row["source_row"]): row for row in report.staging["stg_intox"].to_dict("records")}


def messages_for(report, row: int) -> list[str]:
    return report.issues.loc[report.issues["row"] == row, "message"].tolist()


def assert_message(message: str, file: str, row: int, header: str, value: str) -> None:
    assert file in message
    assert re.search(rf"\brad {row}\b", message), message
    assert header in message, message
    assert value in message, message
    assert SWEDISH_WORDS.search(message), message


# --- headers ---------------------------------------------------------------------------------------


def test_header_aliases_in_other_spellings(tmp_path):
    header = ["ID", "BESÖKS-DATUM", "Ålder (år)", "KÖN", "Hemkommun ", "Substanser/preparat", "avsikt", "Vård-nivå"]
    report = check(tmp_path, header, [good_row("A1"), ["A2", "2026-10-04", "19", "man", "Sunne", "Cannabis", "Självskada", "IVA"]])
    assert report.refusal is None, report.refusal
    assert report.notes == []  # every column was recognised
    rows = staged(report)
    assert rows[2]["case_id"] == "A1"
    assert rows[2]["visit_date"] == dt.date(2026, 10, 3)
    assert rows[2]["age"] == 34
    assert rows[2]["sex"] == "kvinna"
    assert rows[2]["municipality_code"] == "1737"
    assert list(rows[2]["substances"]) == ["alkohol"]
    assert rows[2]["intent"] == "rus"
    assert rows[2]["care_level"] == "hemgang"
    assert rows[3]["sex"] == "man"
    assert rows[3]["municipality_code"] == "1766"
    assert rows[3]["intent"] == "sjalvskada"
    assert rows[3]["care_level"] == "iva"


@pytest.mark.parametrize("spelling", ["Besöksdatum", "besöksdatum", "BESÖKSDATUM", "Besöks-datum", "Besöks datum", " Datum ", "Datum för besök"])
def test_date_header_spellings(tmp_path, spelling):
    header = [spelling if h == "Besöksdatum" else h for h in HEADER]
    report = check(tmp_path, header, [good_row("A1")])
    assert report.refusal is None, report.refusal
    assert staged(report)[2]["visit_date"] == dt.date(2026, 10, 3)


def test_missing_required_column_refuses_the_file_naming_the_field(tmp_path):
    header = [h for h in HEADER if h != "Besöksdatum"]
    rows = [[c for h, c in zip(HEADER, good_row("A1")) if h != "Besöksdatum"]]
    report = check(tmp_path, header, rows, name="utan datum.csv")
    assert report.refusal is not None
    assert "utan datum.csv" in report.refusal
    assert "Besöksdatum" in report.refusal
    assert "saknas" in report.refusal
    assert report.staging is None
    assert report.rows_loaded == 0


def test_unknown_column_is_noted_by_name_and_not_stored(tmp_path):
    header = HEADER + ["Sköterskans anteckning"]
    report = check(tmp_path, header, [good_row("A1") + ["Pratade om sin bror Kalle"]])
    assert any("Sköterskans anteckning" in note for note in report.notes), report.notes
    assert report.rows_loaded == 1
    staging = report.staging["stg_intox"]
    assert "Sköterskans anteckning" not in staging.columns
    assert not staging.astype(str).apply(lambda col: col.str.contains("Kalle")).any().any()


# --- substances ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("Alkohol, cannabis", ["alkohol", "cannabis"]),
        ("alkohol; GHB", ["alkohol", "ghb"]),
        ("Alkohol och Cannabis", ["alkohol", "cannabis"]),
        ("GHB/GBL", ["ghb"]),
        ("Alkohol/GHB/GBL", ["alkohol", "ghb"]),
        ("Bensodiazepiner/opioider", ["bensodiazepiner", "opioider"]),
        ("Nya psykoaktiva substanser", ["nps"]),
        ("Receptfria läkemedel (t.ex. paracetamol)", ["receptfria"]),
        ("", ["okant"]),
    ],
)
def test_substances_in_one_delimited_cell(tmp_path, cell, expected):
    row = good_row("A1")
    row[HEADER.index("Substanser")] = cell
    report = check(tmp_path, HEADER, [row])
    assert report.issues.empty, report.issues["message"].tolist()
    assert sorted(staged(report)[2]["substances"]) == expected


def test_unknown_substance_is_an_error_naming_it(tmp_path):
    row = good_row("A1")
    row[HEADER.index("Substanser")] = "Alkohol, Kaffe"
    report = check(tmp_path, HEADER, [row])
    assert report.rows_quarantined == 1
    (message,) = messages_for(report, 2)
    assert_message(message, "export.csv", 2, "Substanser", "Kaffe")


def yes_no_file(tmp_path, substance_headers: list[str], answers: list[list[str]]):
    base = ["Formulär-id", "Besöksdatum", "Ålder", "Kön", "Hemkommun"]
    rows = [[f"A{i}", "2026-10-03", "30", "Man", "Torsby", *cells] for i, cells in enumerate(answers)]
    return check(tmp_path, base + substance_headers, rows)


def test_substances_as_x_or_blank_columns(tmp_path):
    report = yes_no_file(tmp_path, ["Alkohol", "Cannabis", "GHB/GBL"], [["X", "", "x"], ["", "X", ""], ["", "", ""]])
    assert report.issues.empty, report.issues["message"].tolist()
    rows = staged(report)
    assert sorted(rows[2]["substances"]) == ["alkohol", "ghb"]
    assert list(rows[3]["substances"]) == ["cannabis"]
    assert list(rows[4]["substances"]) == ["okant"]  # nothing ticked: unknown, not "no substance"


def test_substances_as_ja_nej_columns_with_prefix(tmp_path):
    report = yes_no_file(tmp_path, ["Substans: Alkohol", "Substans: Cannabis", "Substans: Lustgas"], [["Ja", "Nej", "Ja"], ["Nej", "JA", "nej"]])
    assert report.issues.empty, report.issues["message"].tolist()
    assert report.notes == []
    rows = staged(report)
    assert sorted(rows[2]["substances"]) == ["alkohol", "lustgas"]
    assert list(rows[3]["substances"]) == ["cannabis"]


def test_yes_no_column_with_other_answer_is_an_error(tmp_path):
    report = yes_no_file(tmp_path, ["Alkohol", "Cannabis"], [["X", ""], ["kanske", ""]])
    assert report.rows_loaded == 1
    assert report.rows_quarantined == 1
    (message,) = messages_for(report, 3)
    assert_message(message, "export.csv", 3, "Alkohol", "kanske")


# --- dates and ages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    ["2026-10-03", "2026-10-03 14:35", "2026-10-03 14:35:12", "3 okt 2026", "3 oktober 2026", "03/10/2026", "3.10.2026", "46298", "20261003"],
)
def test_date_formats(tmp_path, cell):
    row = good_row("A1")
    row[1] = cell
    report = check(tmp_path, HEADER, [row])
    assert report.issues.empty, report.issues["message"].tolist()
    assert staged(report)[2]["visit_date"] == dt.date(2026, 10, 3)
    assert staged(report)[2]["period"] == "2026-10"


@pytest.mark.parametrize("cell", ["2026-13-03", "31/02/2026", "3 oktobr 2026", "igår", "2026-10-32"])
def test_bad_dates_are_errors(tmp_path, cell):
    row = good_row("A1")
    row[1] = cell
    report = check(tmp_path, HEADER, [row])
    assert report.rows_quarantined == 1
    assert report.rows_loaded == 0
    (message,) = messages_for(report, 2)
    assert_message(message, "export.csv", 2, "Besöksdatum", cell)


def test_future_date_is_an_error(tmp_path):
    row = good_row("A1")
    future = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    row[1] = future
    report = check(tmp_path, HEADER, [row])
    assert report.rows_quarantined == 1
    assert_message(messages_for(report, 2)[0], "export.csv", 2, "Besöksdatum", future)


def test_xlsx_date_cells_and_serials(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["A1", dt.date(2026, 10, 3), 34, "Kvinna", 1737, "Alkohol", "Rus", "Hemgång"])
    sheet.append(["A2", 46298, 34.0, "Kvinna", 114, "Alkohol", "Rus", "Hemgång"])
    sheet.append(["A3", dt.datetime(2026, 10, 3, 23, 59), "34", "Kvinna", "0114", "Alkohol", "Rus", "Hemgång"])
    book.save(tmp_path / "export.xlsx")
    report = examine(tmp_path / "export.xlsx", Workspace(tmp_path))
    assert report.issues.empty, report.issues["message"].tolist()
    rows = staged(report)
    assert [rows[r]["visit_date"] for r in (2, 3, 4)] == [dt.date(2026, 10, 3)] * 3
    assert [rows[r]["municipality_code"] for r in (2, 3, 4)] == ["1737", "0114", "0114"]
    assert [rows[r]["age"] for r in (2, 3, 4)] == [34, 34, 34]


@pytest.mark.parametrize(
    "cell,age,band",
    [
        ("17", 17, "0-17"),
        ("18", 18, "18-24"),
        ("44 år", 44, "25-44"),
        ("65", 65, "65+"),
        ("18-24", None, "18-24"),
        ("65+", None, "65+"),
        ("0–17 år", None, "0-17"),
        ("45-64", None, "45-64"),
        ("20-22", None, "18-24"),  # inside one canonical band
        ("", None, "okand"),
    ],
)
def test_ages_and_age_bands(tmp_path, cell, age, band):
    row = good_row("A1")
    row[2] = cell
    report = check(tmp_path, HEADER, [row])
    assert report.issues.empty, report.issues["message"].tolist()
    staged_row = staged(report)[2]
    assert staged_row["age_band"] == band
    if age is None:
        assert pd.isna(staged_row["age"])
    else:
        assert staged_row["age"] == age


@pytest.mark.parametrize("cell", ["15-19", "60-70", "121", "-3", "tonåring", "17.5"])
def test_bad_ages_are_errors(tmp_path, cell):
    row = good_row("A1")
    row[2] = cell
    report = check(tmp_path, HEADER, [row])
    assert report.rows_quarantined == 1
    (message,) = messages_for(report, 2)
    assert_message(message, "export.csv", 2, "Ålder", cell)


# --- counts and messages ---------------------------------------------------------------------------


def test_counts_for_good_bad_and_blank_rows(tmp_path):
    rows = [
        good_row("A1"),                                                         # 2 good
        ["A2", "2026-10-03", "34", "Kvinna", "Tosby", "Alkohol", "Rus", "Hemgång"],  # 3 bad municipality
        ["", "", "", "", "", "", "", ""],                                       # 4 blank
        good_row("A3"),                                                         # 5 good
        ["A4", "igår", "15-19", "Kvinna", "Torsby", "Alkohol", "Rus", "Hemgång"],  # 6 two bad cells
        good_row("A5"),                                                         # 7 good
        [""],                                                                   # 8 blank
        ["A6", "2026-10-03", "34", "Kvinna", "", "Alkohol", "Rus", "Hemgång"],  # 9 required cell empty
        good_row("A7"),                                                         # 10 good
    ]
    report = check(tmp_path, HEADER, rows, name="oktober.csv")
    assert report.refusal is None
    assert report.rows_loaded == 4
    assert report.rows_quarantined == 3
    assert report.rows_blank == 2
    assert report.rows_read == 9
    assert report.rows_read == report.rows_loaded + report.rows_quarantined + report.rows_blank
    assert sorted(staged(report)) == [2, 5, 7, 10]
    assert len(report.issues) == 4
    assert sorted(report.issues["row"].unique().tolist()) == [3, 6, 9]

    (municipality,) = messages_for(report, 3)
    assert_message(municipality, "oktober.csv", 3, "Hemkommun", "Tosby")
    assert "Torsby" in municipality  # suggestion

    two = messages_for(report, 6)
    assert len(two) == 2
    date_message = next(m for m in two if "Besöksdatum" in m)
    age_message = next(m for m in two if "Ålder" in m)
    assert_message(date_message, "oktober.csv", 6, "Besöksdatum", "igår")
    assert_message(age_message, "oktober.csv", 6, "Ålder", "15-19")

    (empty,) = messages_for(report, 9)
    assert "oktober.csv" in empty and re.search(r"\brad 9\b", empty) and "Hemkommun" in empty
    assert "saknas" in empty


def test_message_uses_the_header_as_written_in_the_file(tmp_path):
    header = ["Formulär-id", "DATUM FÖR BESÖK", "Ålder (år)", "Kön", "Patientens hemkommun", "Substanser", "Avsikt", "Vårdnivå"]
    row = ["A1", "2026-10-03", "34", "Kvinna", "Habo kommunn", "Alkohol", "Rus", "Hemgång"]
    row2 = ["A2", "32/10/2026", "fyrtio", "Kvinna", "Torsby", "Alkohol", "Rus", "Hemgång"]
    report = check(tmp_path, header, [row, row2])
    messages = report.issues["message"].tolist()
    assert len(messages) == 3
    assert_message(messages_for(report, 2)[0], "export.csv", 2, "'Patientens hemkommun'", "Habo kommunn")
    third = messages_for(report, 3)
    assert any("'DATUM FÖR BESÖK'" in m and "32/10/2026" in m for m in third)
    assert any("'Ålder (år)'" in m and "fyrtio" in m for m in third)


def test_bad_codes_name_value_and_column(tmp_path):
    row = good_row("A1")
    row[3], row[6], row[7] = "Robot", "Tristess", "Bastu"
    report = check(tmp_path, HEADER, [row])
    assert report.rows_quarantined == 1
    messages = messages_for(report, 2)
    assert len(messages) == 3
    for header, value in [("Kön", "Robot"), ("Avsikt", "Tristess"), ("Vårdnivå", "Bastu")]:
        message = next(m for m in messages if f"'{header}'" in m)
        assert_message(message, "export.csv", 2, header, value)


def test_duplicate_form_id_quarantines_the_second_occurrence_only(tmp_path):
    rows = [good_row("F-100"), good_row("F-101"), good_row("F-100", day=5), good_row("F-102")]
    report = check(tmp_path, HEADER, rows)
    assert report.rows_loaded == 3
    assert report.rows_quarantined == 1
    rows_staged = staged(report)
    assert sorted(rows_staged) == [2, 3, 5]
    assert rows_staged[2]["case_id"] == "F-100"
    assert rows_staged[2]["visit_date"] == dt.date(2026, 10, 3)  # the first one is the one kept
    (message,) = messages_for(report, 4)
    assert_message(message, "export.csv", 4, "Formulär-id", "F-100")


def test_empty_form_ids_are_not_duplicates(tmp_path):
    report = check(tmp_path, HEADER, [good_row(""), good_row(""), good_row("")])
    assert report.rows_quarantined == 0
    assert report.rows_loaded == 3


def test_personal_number_in_a_bad_cell_is_never_echoed(tmp_path):
    # one stray 10-digit number per column, below the share that makes a column a personal-number
    # column (12 digits or a separator would refuse the whole file, see test_pnr.py)
    rows = [good_row(f"A{i}") for i in range(10)]
    rows[3][3] = "1212121212"  # Kön, row 5
    rows[6][1] = "pnr 1212121212"  # Besöksdatum, row 8
    rows[8][2] = "1212121212"  # Ålder, row 10
    report = check(tmp_path, HEADER, rows)
    assert report.refusal is None
    assert report.rows_quarantined == 3
    assert len(report.issues) == 3
    text = " ".join(report.issues["message"]) + " " + " ".join(report.issues["value"].astype(str))
    for number in ("191212121212", "1212121212", "121212-1212", "121212"):
        assert number not in text
    for row, header in [(5, "Kön"), (8, "Besöksdatum"), (10, "Ålder")]:
        (message,) = messages_for(report, row)
        assert "export.csv" in message and re.search(rf"\brad {row}\b", message) and header in message


def test_municipality_forms_in_the_file(tmp_path):
    cells = ["Torsby", "Torsby kommun", "1737", "114", "Falu kommun", "Stockholms stad", "okänd", "HABO", "håbo kommun"]
    rows = []
    for i, cell in enumerate(cells):
        row = good_row(f"A{i}")
        row[4] = cell
        rows.append(row)
    report = check(tmp_path, HEADER, rows)
    assert report.issues.empty, report.issues["message"].tolist()
    codes = [staged(report)[r]["municipality_code"] for r in range(2, 2 + len(cells))]
    assert codes[:6] == ["1737", "1737", "1737", "0114", "2080", "0180"]
    assert codes[6] is None or pd.isna(codes[6])
    assert [bool(staged(report)[r]["home_known"]) for r in range(2, 2 + len(cells))] == [True] * 6 + [False, True, True]
    assert codes[7:] == ["0643", "0305"]


@pytest.mark.parametrize(
    "column,cell",
    [
        ("Substanser", "Alkohol, 191212121212"),
        ("Substanser", "19121212-1212 och alkohol"),
        ("Kön", "pnr 191212121212"),
        ("Hemkommun", "Torsby 121212-1212"),
    ],
)
def test_personal_number_inside_a_cell_refuses_the_file_without_echoing_it(tmp_path, column, cell):
    # 12 digits or a separator make one number unmistakable, even inside a longer text
    rows = [good_row(f"A{i}") for i in range(10)]
    rows[4][HEADER.index(column)] = cell  # row 6
    report = check(tmp_path, HEADER, rows)
    assert report.refusal is not None and f"'{column}'" in report.refusal
    assert report.staging is None
    said = report.refusal + " " + " ".join(report.notes)
    for trace in ("191212121212", "19121212-1212", "121212-1212", "1212121212", "121212"):
        assert trace not in said, said
