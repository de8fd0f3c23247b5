"""Swedish personal identity numbers: detection, and refusal of a file that holds them."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pipeline.config import Workspace
from pipeline.ingest.examine import examine
from pipeline.ingest.pnr import personal_number_columns, valid_mask


def luhn_digit(nine_digits: str) -> int:
    """Check digit of a personnummer: Luhn over YYMMDDNNN, weights 2,1,2,... from the left."""
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def personnummer(century: str, yymmdd: str, serial: str) -> str:
    """12 digits without separator, with a correct check digit."""
    assert len(yymmdd) == 6 and len(serial) == 3
    return f"{century}{yymmdd}{serial}{luhn_digit(yymmdd + serial)}"


def forms(twelve: str) -> list[str]:
    """The ways a personnummer is written: 12 or 10 digits, with or without separator."""
    ten = twelve[2:]
    return [twelve, f"{twelve[:8]}-{twelve[8:]}", ten, f"{ten[:6]}-{ten[6:]}", f"{ten[:6]}+{ten[6:]}"]


def mask(values: list[str]) -> list[bool]:
    return valid_mask(pd.Series(values, dtype=str)).tolist()


# --- the helper itself ---------------------------------------------------------------------------


def test_own_luhn_on_published_examples():
    assert luhn_digit("121212121") == 2  # Skatteverket's 19121212-1212
    assert luhn_digit("811218987") == 6  # the classic 811218-9876
    assert luhn_digit("640823323") == 4  # 640823-3234, Wikipedia's example


# --- valid_mask ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", forms("191212121212"))
def test_skatteverket_test_number_in_every_form(text):
    assert mask([text]) == [True]


@pytest.mark.parametrize(
    "century,yymmdd,serial",
    [("19", "811218", "987"), ("19", "640823", "323"), ("20", "050101", "123"), ("19", "991231", "998"), ("20", "240229", "004")],
)
def test_computed_numbers_in_every_form(century, yymmdd, serial):
    assert mask(forms(personnummer(century, yymmdd, serial))) == [True] * 5


def test_samordningsnummer_day_plus_60():
    number = personnummer("19", "701063", "239")  # born 1970-10-03, day 03 + 60
    assert number[-1] == "1"  # independently known: 701063-2391 is a published example
    assert mask(forms(number)) == [True] * 5
    assert mask(forms(personnummer("19", "120291", "123"))) == [True] * 5  # day 31 + 60


@pytest.mark.parametrize("base", ["191212121212", personnummer("19", "811218", "987"), personnummer("19", "701063", "239")])
def test_every_wrong_check_digit_is_invalid(base):
    for digit in "0123456789":
        if digit == base[-1]:
            continue
        wrong = base[:-1] + digit
        assert mask(forms(wrong)) == [False] * 5, wrong


@pytest.mark.parametrize("yymmdd", ["121312", "120012", "121200", "121232", "121260", "121292", "129912"])
def test_impossible_month_or_day_with_a_correct_check_digit_is_invalid(yymmdd):
    number = personnummer("19", yymmdd, "121")
    assert mask(forms(number)) == [False] * 5, number


@pytest.mark.parametrize(
    "text",
    ["", "abc", "2026-10-03", "12121212", "12121212121", "1912121212123", "18121212-1212", "19121212_1212", "12121-21212", "46298", "0701234567x"],
)
def test_things_that_are_not_personal_numbers(text):
    assert mask([text]) == [False]


def test_mask_keeps_the_index():
    values = pd.Series(["x", "191212121212", "1212121213"], index=[17, 4, 99])
    result = valid_mask(values)
    assert result.index.tolist() == [17, 4, 99]
    assert result.tolist() == [False, True, False]


# --- personal_number_columns ------------------------------------------------------------------------


def frame(columns: dict[str, list[str]]) -> tuple[pd.DataFrame, list[str]]:
    headers = list(columns)
    cells = pd.DataFrame({i: values for i, values in enumerate(columns.values())}, index=range(2, 2 + len(next(iter(columns.values())))))
    return cells, headers


VALID = [personnummer("19", f"8{m}0115", "23" + str(m)) for m in range(1, 10)] + [personnummer("20", "100115", "230")]
INVALID = [number[:-1] + str((int(number[-1]) + 1) % 10) for number in VALID]


def test_column_of_valid_numbers_without_separator_is_found():
    cells, headers = frame({"Id": [str(i) for i in range(10)], "Personnr": VALID, "Ålder": ["30"] * 10})
    assert personal_number_columns(cells, headers) == ["Personnr"]


def test_ten_digit_numbers_are_found():
    cells, headers = frame({"Anteckning": [v[2:] for v in VALID]})
    assert personal_number_columns(cells, headers) == ["Anteckning"]


def test_one_number_with_separator_is_enough():
    values = ["ring tillbaka"] * 19 + [f"{VALID[0][2:8]}-{VALID[0][8:]}"]
    cells, headers = frame({"Kommentar": values})
    assert personal_number_columns(cells, headers) == ["Kommentar"]


def test_share_threshold_for_ten_digits_without_separator():
    one_in_ten = [VALID[0][2:]] + ["x"] * 9
    two_in_ten = [v[2:] for v in VALID[:2]] + ["x"] * 8
    cells, headers = frame({"En": one_in_ten, "Två": two_in_ten})
    assert personal_number_columns(cells, headers) == ["Två"]


def test_one_twelve_digit_number_is_enough():
    cells, headers = frame({"Formulär-id": [f"F{i}" for i in range(19)] + [VALID[0]]})
    assert personal_number_columns(cells, headers) == ["Formulär-id"]


def test_nine_digits_from_an_excel_number_cell_are_found():
    # 0501011234-style numbers of those born 2000-2009 lose their leading zero in a number cell
    born_2000s = [personnummer("20", f"0{y}0101", "123")[3:] for y in range(1, 9)]
    assert all(len(v) == 9 for v in born_2000s)
    cells, headers = frame({"Nr": born_2000s})
    assert personal_number_columns(cells, headers) == ["Nr"]


def test_invalid_check_digits_and_empty_columns_are_not_found():
    cells, headers = frame({"Telefon": INVALID, "Tom": [""] * 10})
    assert personal_number_columns(cells, headers) == []


def test_unnamed_column_is_named_by_position():
    cells, headers = frame({"Id": [str(i) for i in range(10)], "": VALID})
    assert personal_number_columns(cells, headers) == ["kolumn 2"]


# --- refusal through examine ------------------------------------------------------------------------


HEADER = ["Formulär-id", "Besöksdatum", "Ålder", "Kön", "Hemkommun", "Substanser", "Avsikt", "Vårdnivå"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def intox_rows(extra: list[str]) -> list[list[str]]:
    return [[f"A{i}", "2026-10-03", "34", "Kvinna", "Torsby", "Alkohol", "Rus", "Hemgång", value] for i, value in enumerate(extra)]


def every_trace(value: str) -> list[str]:
    """The value as written, its digits, and its 10-digit form: none of these may be echoed."""
    digits = "".join(ch for ch in value if ch.isdigit())
    traces = {value, digits, digits[-10:], digits[-10:-4] + "-" + digits[-4:]}
    return sorted(traces)


def assert_refused_without_echo(report, column_name: str, values: list[str], tmp_path: Path) -> None:
    assert report.refusal is not None
    assert f"'{column_name}'" in report.refusal
    assert "personnummer" in report.refusal
    assert report.staging is None
    assert report.rows_loaded == 0
    assert report.issues.empty
    said = " ".join([report.refusal, *report.notes])
    for value in values:
        for trace in every_trace(value):
            assert trace not in said, trace
    assert not (tmp_path / "data" / "processed").exists()


PERSONAL = [
    "19121212-1212",
    "191212121212",
    f"{VALID[0][:8]}-{VALID[0][8:]}",
    VALID[1][2:],
    f"{VALID[2][2:8]}+{VALID[2][8:]}",
    personnummer("19", "701063", "239"),  # samordningsnummer
]


def test_personnr_column_refuses_the_file(tmp_path):
    path = write_csv(tmp_path / "export.csv", [HEADER + ["Personnr"], *intox_rows(PERSONAL)])
    report = examine(path, Workspace(tmp_path))
    assert "export.csv" in report.refusal
    assert_refused_without_echo(report, "Personnr", PERSONAL, tmp_path)


def test_unnamed_column_with_personal_numbers_refuses_the_file(tmp_path):
    path = write_csv(tmp_path / "export.csv", [HEADER + [""], *intox_rows(PERSONAL)])
    report = examine(path, Workspace(tmp_path))
    assert_refused_without_echo(report, f"kolumn {len(HEADER) + 1}", PERSONAL, tmp_path)


def test_innocent_header_with_personal_numbers_refuses_the_file(tmp_path):
    notes = ["lugn", "", "pat. " + "x", "", "", ""]
    notes[1] = PERSONAL[1]
    notes[3] = PERSONAL[4]
    path = write_csv(tmp_path / "export.csv", [HEADER + ["Anteckning"], *intox_rows(notes)])
    report = examine(path, Workspace(tmp_path))
    assert_refused_without_echo(report, "Anteckning", [PERSONAL[1], PERSONAL[4]], tmp_path)


def test_personal_numbers_as_form_ids_refuse_the_file(tmp_path):
    rows = intox_rows([""] * len(PERSONAL))
    for row, value in zip(rows, PERSONAL):
        row[0] = value
    path = write_csv(tmp_path / "export.csv", [HEADER + ["Övrigt"], *rows])
    report = examine(path, Workspace(tmp_path))
    assert_refused_without_echo(report, "Formulär-id", PERSONAL, tmp_path)


def test_xlsx_with_numeric_personal_numbers_refuses_the_file(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER + ["Patient"])
    numbers = [int(v) for v in VALID[:5]]  # 12-digit numbers stored as numbers, as Excel does
    for i, number in enumerate(numbers):
        sheet.append([f"A{i}", "2026-10-03", 34, "Kvinna", "Torsby", "Alkohol", "Rus", "Hemgång", number])
    book.save(tmp_path / "export.xlsx")
    report = examine(tmp_path / "export.xlsx", Workspace(tmp_path))
    assert_refused_without_echo(report, "Patient", [str(n) for n in numbers], tmp_path)


def test_numbers_with_wrong_check_digits_do_not_refuse(tmp_path):
    path = write_csv(tmp_path / "export.csv", [HEADER + ["Telefon"], *intox_rows(INVALID[:6])])
    report = examine(path, Workspace(tmp_path))
    assert report.refusal is None
    assert report.rows_loaded == 6
