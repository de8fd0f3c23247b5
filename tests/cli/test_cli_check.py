"""The installed `lagesbild` console script: `check`, help texts and usage errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import LAGESBILD, err, out, run

HEADER = ["Formulär-id", "Besöksdatum", "Ålder", "Kön", "Hemkommun", "Substanser", "Avsikt", "Vårdnivå"]
GOOD = [
    ["A1", "2026-10-03", "34", "Kvinna", "Årjäng", "Alkohol, cannabis", "Rus", "Hemgång"],
    ["A2", "4 okt 2026", "17", "Man", "Torsby kommun", "Lustgas", "Oavsiktlig/olyckshändelse", "Vårdavdelning"],
    ["A3", "05/10/2026", "65+", "Kvinna", "Sunne", "Receptfria läkemedel", "Självskada", "Psykiatri"],
]


def write_cp1252_csv(path: Path, rows: list[list[str]]) -> Path:
    data = "".join(";".join(row) + "\r\n" for row in rows).encode("cp1252")
    path.write_bytes(data)
    return path



def snapshot(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


@pytest.fixture(scope="module", autouse=True)
def script_exists():
    assert LAGESBILD.is_file(), f"{LAGESBILD} is not installed"


def test_clean_file_exits_0_and_stores_nothing(tmp_path):
    write_cp1252_csv(tmp_path / "oktober.csv", [HEADER, *GOOD])
    before = snapshot(tmp_path)
    result = run(["check", "oktober.csv"], tmp_path)
    assert result.returncode == 0, out(result) + err(result)
    text = out(result)
    assert "oktober.csv" in text
    assert "inga fel" in text
    assert "Windows-1252" in text and "semikolon" in text
    assert re.search(r"\b3 rader lästa\b", text), text
    assert re.search(r"\b3 inlästa\b", text), text
    assert re.search(r"\b0 i karantän\b", text), text
    assert not (tmp_path / "data" / "processed").exists()
    assert snapshot(tmp_path) == before


def test_file_with_a_bad_row_exits_1_and_names_row_and_column(tmp_path):
    bad = ["A4", "2026-10-06", "40", "Kvinna", "Tosby", "Alkohol", "Rus", "Hemgång"]  # spreadsheet row 5
    write_cp1252_csv(tmp_path / "oktober.csv", [HEADER, *GOOD, bad])
    before = snapshot(tmp_path)
    result = run(["check", "oktober.csv"], tmp_path)
    assert result.returncode == 1, out(result) + err(result)
    text = out(result)
    issue_lines = [line for line in text.splitlines() if "Tosby" in line]
    assert len(issue_lines) == 1, text
    line = issue_lines[0]
    assert re.search(r"\brad 5\b", line), line
    assert "Hemkommun" in line
    assert "ingen svensk kommun" in line
    assert "Torsby" in line  # the suggestion
    assert re.search(r"\b1 rader skulle hamna i karantän\b", text), text
    assert re.search(r"\b3 inlästa\b", text), text
    assert not (tmp_path / "data" / "processed").exists()
    assert snapshot(tmp_path) == before


def test_row_number_after_a_quoted_line_break(tmp_path):
    text = (
        ";".join(HEADER) + "\r\n"
        + 'A1;2026-10-03;34;Kvinna;Torsby;"Alkohol\r\nCannabis";Rus;Hemgång\r\n'
        + "A2;2026-10-04;34;Kvinna;Torsby;Alkohol;Rus;Bastu\r\n"  # spreadsheet row 3, text line 4
    )
    (tmp_path / "f.csv").write_bytes(text.encode("cp1252"))
    result = run(["check", "f.csv"], tmp_path)
    assert result.returncode == 1
    (line,) = [line for line in out(result).splitlines() if "Bastu" in line]
    assert re.search(r"\brad 3\b", line) and "Vårdnivå" in line


def test_file_with_personal_numbers_is_refused_without_echo(tmp_path):
    rows = [row + [number] for row, number in zip(GOOD, ["19121212-1212", "191212121212", "121212-1212"])]
    write_cp1252_csv(tmp_path / "pnr.csv", [HEADER + ["Personnr"], *rows])
    result = run(["check", "pnr.csv"], tmp_path)
    assert result.returncode != 0
    text = out(result) + err(result)
    assert "AVVISAS" in text and "'Personnr'" in text and "personnummer" in text
    for trace in ("19121212-1212", "191212121212", "121212-1212", "1212121212"):
        assert trace not in text
    assert not (tmp_path / "data").exists()


def test_missing_file_exits_2_in_swedish(tmp_path):
    result = run(["check", "finns-inte.csv"], tmp_path)
    assert result.returncode == 2
    assert "Filen finns inte" in err(result)
    assert "finns-inte.csv" in err(result)
    assert "Traceback" not in err(result)


def test_unknown_option_exits_2_in_swedish(tmp_path):
    write_cp1252_csv(tmp_path / "oktober.csv", [HEADER, *GOOD])
    result = run(["check", "--bogus", "oktober.csv"], tmp_path)
    assert result.returncode == 2
    message = err(result)
    assert "okänd flagga" in message
    assert "--bogus" in message
    assert "Användning" in message
    assert "No such option" not in message
    assert "Traceback" not in message


def test_check_without_files_exits_2(tmp_path):
    result = run(["check"], tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in err(result)
    assert "Missing" not in err(result)


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["check", "--help"], ["check", "-h"]])
def test_help_has_swedish_headings(tmp_path, args):
    result = run(args, tmp_path)
    assert result.returncode == 0, err(result)
    text = out(result)
    assert "Användning:" in text
    assert "Flaggor" in text
    assert "Usage:" not in text and "Options:" not in text
    if args[0] == "check":
        assert "FIL..." in text
        assert "Kontrollera filer" in text
    else:
        assert "Kommandon" in text and "check" in text


def test_check_xlsx_and_several_files(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["B1", 46298, 34, "Kvinna", 1737, "Alkohol", "Rus", "Hemgång"])
    book.save(tmp_path / "b.xlsx")
    write_cp1252_csv(tmp_path / "a.csv", [HEADER, *GOOD])
    result = run(["check", "a.csv", "b.xlsx"], tmp_path)
    assert result.returncode == 0, out(result)
    text = out(result)
    assert "a.csv" in text and "b.xlsx" in text
    assert text.count("inga fel") == 2
    assert not (tmp_path / "data").exists()
