"""Hostile files (issue 12): each a real file with one planted fault, through the installed CLI.

Every test writes real bytes (csv in a real encoding, xlsx via openpyxl, JSON), runs `lagesbild check`
and `lagesbild ingest`, and asserts the exit codes of README's table, the Swedish message (file, row,
column), that the valid rows are kept (the DuckDB file, read-only) and that no traceback is printed.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest
from cli_helpers import run
from intox_helpers import HEADER, csv_text, form, write_coverage, write_regions

from pipeline.config import Workspace
from pipeline.ingest.sources.enkat import contract

PRESENCE = "Hur förekommer följande i kommunen? [{}]"
TREND = "Hur har följande utvecklats det senaste året? [{}]"


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    write_coverage(tmp_path, {"torsby": (["1737", "1766"], "2024-01")})
    write_regions(tmp_path, {})
    (tmp_path / "data" / "raw").mkdir(parents=True)
    return tmp_path


def raw(ws: Path, *parts: str) -> Path:
    path = ws.joinpath("data", "raw", *parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def lagesbild(*args: str):
    result = run(list(args))
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def check(ws: Path, path: Path):
    return lagesbild("check", str(path), "--workspace", str(ws))


def ingest(ws: Path):
    return lagesbild("ingest", "--workspace", str(ws))


def db(ws: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(Workspace(ws).database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def good_forms(ws: Path) -> Path:
    path = raw(ws, "intox", "torsby", "bra.csv")
    path.write_text(csv_text([form("A1", "2024-01-05"), form("A2", "2024-01-09")]), encoding="utf-8")
    return path


def intox_rows(ws: Path) -> list[tuple]:
    return db(ws, "SELECT path, source_row FROM stg_intox ORDER BY path, source_row")


# --- the questionnaire: a Google Forms export with 60 fields ----------------------------------------


def enkat_header(ws: Path, round_column: bool = True) -> list[str]:
    """Tidstämpel, Kommun, Sektor, (Omgång), a presence and a trend column per question, six comments."""
    catalogue = contract(Workspace(ws))
    questions = [q.text for q in catalogue.questions]
    comments = ["Kommentar om extremism", "Kommentar om kriminella nätverk", "Kommentar om skolan",
                "Kommentar om fritid", "Kommentar om ANDT", "Kommentar om sociala risker"]
    front = ["Tidstämpel", "Kommun", "Sektor"] + (["Omgång"] if round_column else [])
    return front + [PRESENCE.format(q) for q in questions] + [TREND.format(q) for q in questions] + comments


def enkat_row(header: list[str], timestamp: str, sector: str, comment: str = "", skola_comment: str = "") -> list[str]:
    row = []
    for name in header:
        row.append({"Tidstämpel": timestamp, "Kommun": "Sunne", "Sektor": sector, "Omgång": "2026-H1",
                    "Kommentar om kriminella nätverk": comment, "Kommentar om skolan": skola_comment}.get(
            name, "I viss utsträckning" if name.startswith("Hur förekommer") else "Ökat" if name.startswith("Hur har") else ""))
    return row


def google_csv(path: Path, rows: list[list[str]]) -> Path:
    """Google Forms' csv: UTF-8 without BOM, ',', every field quoted."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=",", lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def enkat_rows(ws: Path) -> list[int]:
    return [row for (row,) in db(ws, "SELECT DISTINCT source_row FROM stg_enkat ORDER BY 1")]


# --- 1. header, no rows ---------------------------------------------------------------------------


def _header_only(ws: Path, kind: str) -> Path:
    if kind == "intox":
        path = raw(ws, "intox", "torsby", "oktober.csv")
        path.write_bytes(csv_text([], HEADER).encode("cp1252"))
    elif kind == "enkat":
        path = google_csv(raw(ws, "enkat", "svar.csv"), [enkat_header(ws)])
    elif kind == "avtal":
        path = raw(ws, "avtal", "register.xlsx")
        book = openpyxl.Workbook()
        book.active.append(["Kommun", "Medborgarlöfte", "Insats", "Ansvarig funktion", "Startdatum", "Slutdatum", "Status"])
        book.save(path)
    elif kind == "tidy":
        path = raw(ws, "statistik", "tidy.csv")
        path.write_text("Områdeskod;År;Indikator;Värde;Antal\r\n", encoding="utf-8")
    elif kind == "bra":
        path = raw(ws, "statistik", "bra", "narkotikabrott_2024.csv")
        path.write_bytes("Kommun;Antal;Per 100 000 inv.\r\n".encode("cp1252"))
    else:
        path = raw(ws, "statistik", "kolada.json")
        path.write_text(json.dumps({"count": 0, "values": []}), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["intox", "enkat", "avtal", "tidy", "bra", "kolada"])
def test_header_only_export_loads_as_zero_rows(ws, kind):
    path = _header_only(ws, kind)
    checked = check(ws, path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "0 inlästa" in checked.stdout
    good_forms(ws)
    ingested = ingest(ws)
    assert ingested.returncode == 0, ingested.stdout + ingested.stderr
    assert "MISSLYCKADES" not in ingested.stdout
    label = path.relative_to(ws / "data" / "raw").as_posix()
    assert db(ws, "SELECT status, rows_loaded FROM raw_files WHERE path = ?", [label]) == [("inläst", 0)]
    assert intox_rows(ws) == [("intox/torsby/bra.csv", 2), ("intox/torsby/bra.csv", 3)]


# --- 2. binary bytes named .csv -------------------------------------------------------------------


@pytest.mark.parametrize("parts", [("intox", "torsby", "export.csv"), ("statistik", "bra", "narkotikabrott_2024.csv")])
def test_binary_file_named_csv_is_refused_in_swedish(ws, parts):
    path = raw(ws, *parts)
    path.write_bytes(bytes(range(256)) * 8 + b"\x90\x81\x00PK")
    message = f"{path.name}: filen kan inte läsas som text (den ser ut att vara en binärfil eller ha en okänd teckenkodning)."
    checked = check(ws, path)
    assert checked.returncode == 1
    assert message in checked.stdout
    good_forms(ws)
    ingested = ingest(ws)
    assert ingested.returncode == 3, ingested.stdout
    assert f"{'/'.join(parts)}: AVVISAD – {message}" in ingested.stdout
    assert intox_rows(ws) == [("intox/torsby/bra.csv", 2), ("intox/torsby/bra.csv", 3)]


def test_cp1252_file_with_undefined_byte_is_refused_not_crashed(ws):
    path = raw(ws, "intox", "torsby", "konstig.csv")
    path.write_bytes(csv_text([form("B1", "2024-01-05", home="Sunne")]).encode("cp1252").replace(b"Sunne", b"Sun\x90e"))
    checked = check(ws, path)
    assert checked.returncode == 1
    assert "konstig.csv: filen kan inte läsas som text" in checked.stdout


# --- 3. Kolada: `values` a number, a cut-off file -------------------------------------------------


def _kolada_record(municipality: str, values) -> dict:
    return {"kpi": "N07540", "municipality": municipality, "period": 2022, "values": values}


def test_kolada_record_whose_values_is_a_number_is_quarantined_with_its_number(ws):
    path = raw(ws, "statistik", "kolada.json")
    path.write_text(json.dumps({"values": [
        _kolada_record("1766", [{"gender": "T", "count": 1, "status": "", "value": 7894.0}]),
        _kolada_record("1737", 12.5),
    ]}), encoding="utf-8")
    checked = check(ws, path)
    assert checked.returncode == 1
    expected = "kolada.json, post 2, kolumn 'values': N07540 2022 för 1737: 'values' ska vara en lista med värden per kön, inte 12.5"
    assert expected in checked.stdout
    ingested = ingest(ws)
    assert ingested.returncode == 1
    assert expected in ingested.stdout
    assert db(ws, "SELECT area_code, value FROM stg_statistik") == [("1766", 7894.0)]
    assert db(ws, "SELECT source_row, column_name FROM quarantine") == [(2, "values")]


def test_kolada_top_level_values_a_number_is_refused_in_swedish(ws):
    path = raw(ws, "statistik", "kolada.json")
    path.write_text(json.dumps({"count": 1, "values": 3}), encoding="utf-8")
    checked = check(ws, path)
    assert checked.returncode == 1
    assert "kolada.json: ser inte ut som ett svar från Koladas API (listan 'values' saknas eller är ingen lista)." in checked.stdout
    assert ingest(ws).returncode == 3


def test_truncated_kolada_json_is_refused_naming_the_character(ws):
    path = raw(ws, "statistik", "kolada.json")
    text = json.dumps({"values": [_kolada_record("1766", [{"gender": "T", "value": 7894.0}])] * 3}, indent=1)
    cut = text[:150]
    path.write_text(cut, encoding="utf-8")
    message = f"kolada.json: JSON-filen är avklippt: den tar slut vid tecken {len(cut.rstrip())}"
    checked = check(ws, path)
    assert checked.returncode == 1
    assert message in checked.stdout
    assert "känns inte igen" not in checked.stdout
    good_forms(ws)
    ingested = ingest(ws)
    assert ingested.returncode == 3
    assert f"statistik/kolada.json: AVVISAD – {message}" in ingested.stdout
    assert len(intox_rows(ws)) == 2


def test_broken_json_in_the_middle_names_line_and_column(ws):
    path = raw(ws, "statistik", "kolada.json")
    path.write_text('{"values": [\n {"kpi": "N07540",, "municipality": "1766"}\n]}\n', encoding="utf-8")
    checked = check(ws, path)
    assert checked.returncode == 1
    assert "kolada.json: JSON-filen är trasig vid tecken 32 (rad 2, kolumn 19)" in checked.stdout


# --- 4. .xls and other unreadable formats under data/raw/ -----------------------------------------


def test_old_xls_and_other_formats_are_refused_at_every_run(ws):
    good_forms(ws)
    xls = raw(ws, "intox", "torsby", "oktober.xls")
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))  # an OLE2 compound file, as old Excel writes
    pdf = raw(ws, "statistik", "rapport.pdf")
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    raw(ws, "intox", "torsby", "~$oktober.xlsx").write_bytes(b"lock")  # Excel's lock file: ignored
    raw(ws, "intox", "torsby", ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # hidden: ignored
    xls_message = "oktober.xls: det gamla Excelformatet (.xls) kan inte läsas. Spara filen som .xlsx eller .csv."
    pdf_message = ("rapport.pdf: okänt filformat '.pdf'; bara .xlsx, .xlsm, .csv, .txt, .tsv och .json kan läsas. "
                   "Spara filen som .xlsx eller .csv, eller flytta den ur data/raw/.")
    checked = check(ws, xls)
    assert checked.returncode == 1
    assert xls_message in checked.stdout
    assert pdf_message in check(ws, pdf).stdout
    for _ in range(2):  # refused again at the next run, until it is removed or replaced
        ingested = ingest(ws)
        assert ingested.returncode == 3, ingested.stdout
        assert f"intox/torsby/oktober.xls: AVVISAD – {xls_message}" in ingested.stdout
        assert f"statistik/rapport.pdf: AVVISAD – {pdf_message}" in ingested.stdout
        assert "~$" not in ingested.stdout and "DS_Store" not in ingested.stdout
    assert len(intox_rows(ws)) == 2
    xls.unlink()
    pdf.unlink()
    assert ingest(ws).returncode == 0


# --- 5. a 10-digit personal identity number in free text -------------------------------------------


def _luhn_complete(nine: str) -> str:
    total = sum(d if i % 2 else (2 * d) // 10 + (2 * d) % 10 for i, d in enumerate(map(int, nine)))
    return nine + str((10 - total % 10) % 10)


@pytest.mark.parametrize("number", ["0802114561", _luhn_complete("080271456")], ids=["personnummer", "samordningsnummer"])
def test_ten_digit_personal_number_in_a_comment_refuses_the_file(ws, number):
    header = enkat_header(ws)
    path = google_csv(raw(ws, "enkat", "svar.csv"), [
        header,
        enkat_row(header, "2026/03/14 10:02:11 fm CET", "Polis"),
        enkat_row(header, "2026/03/15 10:02:11 fm CET", "Skolan", comment=f"elev {number} omhändertogs efter helgen"),
    ])
    message = ("svar.csv: filen avvisas eftersom kolumnen 'Kommentar om kriminella nätverk' innehåller personnummer. "
               "Inget från filen har sparats.")
    checked = check(ws, path)
    assert checked.returncode == 1
    assert message in checked.stdout
    assert number not in checked.stdout
    good_forms(ws)
    ingested = ingest(ws)
    assert ingested.returncode == 3
    assert message in ingested.stdout and number not in ingested.stdout
    assert db(ws, "SELECT count(*) FROM stg_enkat_comment") == [(0,)]
    assert db(ws, "SELECT count(*) FROM stg_enkat") == [(0,)]
    assert len(intox_rows(ws)) == 2


@pytest.mark.parametrize("text", ["ring 070-123 45 67", "ring 0701234567", "ring 0731234567 eller +46701234567", "ärende 2024-0123456"])
def test_phone_numbers_in_a_comment_are_no_personal_numbers(ws, text):
    header = enkat_header(ws)
    path = google_csv(raw(ws, "enkat", "svar.csv"), [header, enkat_row(header, "2026/03/14 10:02:11 fm CET", "Polis", comment=text)])
    checked = check(ws, path)
    assert checked.returncode == 0, checked.stdout
    assert "inga fel" in checked.stdout
    assert ingest(ws).returncode == 0
    assert db(ws, "SELECT comment FROM stg_enkat_comment") == [(text,)]


# --- 6. a cut-off last row --------------------------------------------------------------------------


def test_cut_off_last_row_is_quarantined_and_the_others_kept(ws):
    header = enkat_header(ws)
    assert len(header) == 60
    rows = [header, enkat_row(header, "2026/03/14 10:02:11 fm CET", "Polis"),
            enkat_row(header, "2026/03/15 10:02:11 fm CET", "Skolan"),
            enkat_row(header, "2026/03/16 10:02:11 fm CET", "Socialtjänsten")[:30]]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    path = raw(ws, "enkat", "svar.csv")
    path.write_bytes(buffer.getvalue().rstrip("\r\n").encode("utf-8"))  # the file ends mid-row, as a cut-off download
    message = "svar.csv: rad 4 har bara 30 av 60 fält; raden verkar avklippt och läses inte in"
    checked = check(ws, path)
    assert checked.returncode == 1
    assert message in checked.stdout
    assert "3 rader lästa, 2 inlästa, 1 i karantän" in checked.stdout
    ingested = ingest(ws)
    assert ingested.returncode == 1
    assert message in ingested.stdout
    assert enkat_rows(ws) == [2, 3]
    assert db(ws, "SELECT source_row, rule FROM quarantine") == [(4, "avklippt")]


# --- 7. a cell over csv's field limit --------------------------------------------------------------


def test_oversized_comment_is_quarantined_alone_and_the_answer_kept(ws):
    header = enkat_header(ws)
    huge = "Lång text om skolan. " * 10_000  # 210 000 characters, over csv's 131 072 and Excel's 32 767
    path = raw(ws, "enkat", "svar.csv")
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([
        header, enkat_row(header, "2026-03-14", "Polis", comment="Handel vid Älvgatan"),
        enkat_row(header, "2026-03-15", "Skolan", skola_comment=huge)])
    path.write_bytes(buffer.getvalue().encode("cp1252"))  # Excel's Swedish "CSV (semikolonavgränsad)"
    message = (f"svar.csv, rad 3, kolumn 'Kommentar om skolan': texten är {len(huge.strip())} tecken lång, "
               "fler än de 32767 en cell i Excel rymmer; kommentar om klimatet i skolan ('Lång text om skolan. Lång text om skolan…') läses inte in.")
    checked = check(ws, path)
    assert checked.returncode == 1, checked.stdout
    assert message in checked.stdout
    assert "field larger" not in checked.stdout and "citattecken" not in checked.stdout
    assert "2 rader lästa, 2 inlästa, 0 i karantän, 1 enskilt svar i karantän" in checked.stdout
    ingested = ingest(ws)
    assert ingested.returncode == 1
    assert enkat_rows(ws) == [2, 3]
    assert db(ws, "SELECT source_row, comment FROM stg_enkat_comment") == [(2, "Handel vid Älvgatan")]
    assert db(ws, "SELECT source_row, length(value) < 100 FROM quarantine") == [(3, True)]


# --- 9. messages that pointed the wrong way ---------------------------------------------------------


def test_unreadable_timestamp_names_the_timestamp_column(ws):
    header = enkat_header(ws, round_column=False)
    path = google_csv(raw(ws, "enkat", "svar.csv"), [
        header, enkat_row(header, "2026/03/14 10:02:11 fm CET", "Polis"), enkat_row(header, "igår", "Skolan")])
    message = "svar.csv, rad 3, kolumn 'Tidstämpel': 'igår' är inget datum; omgången räknas fram ur Tidstämpel"
    checked = check(ws, path)
    assert checked.returncode == 1
    assert message in checked.stdout
    assert "'Omgång'" not in checked.stdout
    assert checked.stdout.count("rad 3,") == 1
    ingested = ingest(ws)
    assert ingested.returncode == 1
    assert message in ingested.stdout
    assert enkat_rows(ws) == [2]


def test_excel_date_cell_holding_zero_is_shown_as_zero(ws):
    path = raw(ws, "intox", "torsby", "oktober.xlsx")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(form("A1", "2024-01-05"))
    sheet.append(form("A2", "x"))
    sheet["B3"].value = 0
    sheet["B3"].number_format = "yyyy-mm-dd"
    book.save(path)
    message = "oktober.xlsx, rad 3, kolumn 'Besöksdatum': '0' är inget giltigt datum"
    checked = check(ws, path)
    assert checked.returncode == 1
    assert message in checked.stdout
    assert "00:00:00" not in checked.stdout
    ingested = ingest(ws)
    assert ingested.returncode == 1
    assert intox_rows(ws) == [("intox/torsby/oktober.xlsx", 2)]


def test_help_and_unknown_command_are_swedish(ws):
    helped = lagesbild("report", "--help")
    assert helped.returncode == 0
    assert "[obligatorisk]" in helped.stdout
    assert "[required]" not in helped.stdout and "[default" not in helped.stdout
    assert "OPTIONS" not in lagesbild("--help").stdout
    unknown = lagesbild("est", "--workspace", str(ws))
    assert unknown.returncode == 2
    assert "Okänt kommando 'est'." in unknown.stderr
    assert "No such command" not in unknown.stdout + unknown.stderr


def test_personal_number_as_a_whole_comment_or_in_an_activity_refuses_the_file(ws):
    header = enkat_header(ws)
    path = google_csv(raw(ws, "enkat", "svar.csv"), [header] + [
        enkat_row(header, f"2026/03/{day} 10:02:11 fm CET", sector, comment="0802114561" if sector == "Polis" else "lugnt")
        for day, sector in (("10", "Polis"), ("11", "Skolan"), ("12", "Socialtjänsten"), ("13", "Fritidsgård"), ("14", "Bostadsbolag"))
    ])
    assert "kolumnen 'Kommentar om kriminella nätverk' innehåller personnummer" in check(ws, path).stdout
    register = raw(ws, "avtal", "register.xlsx")
    book = openpyxl.Workbook()
    book.active.append(["Kommun", "Medborgarlöfte", "Insats", "Ansvarig funktion", "Startdatum", "Slutdatum", "Status"])
    book.active.append(["Sunne", "Tryggare centrum", "Samtal med 0802114561 och vårdnadshavare", "Kommunpolis", "2026-01-01", "", "Pågår"])
    book.save(register)
    checked = check(ws, register)
    assert checked.returncode == 1
    assert "register.xlsx: filen avvisas eftersom kolumnen 'Insats' innehåller personnummer." in checked.stdout
    ingested = ingest(ws)
    assert ingested.returncode == 3
    assert db(ws, "SELECT count(*) FROM stg_avtal") == [(0,)]
    assert db(ws, "SELECT count(*) FROM stg_enkat_comment") == [(0,)]


@pytest.mark.parametrize("name,data,message", [
    ("tom.csv", b"", "tom.csv: filen är tom."),
    ("avklippt.xlsx", b"PK\x03\x04\x14\x00\x06\x00", "avklippt.xlsx: kan inte öppnas som Excel-arbetsbok (filen är skadad, avklippt"),
    ("utf16.csv", "id;Besöksdatum\n".encode("utf-16-le"), "utf16.csv: filen kan inte läsas som text"),
], ids=["empty", "truncated-xlsx", "utf16-without-bom"])
def test_other_unreadable_files_are_refused_in_swedish(ws, name, data, message):
    path = raw(ws, "intox", "torsby", name)
    path.write_bytes(data)
    checked = check(ws, path)
    assert checked.returncode == 1
    assert message in checked.stdout
    good_forms(ws)
    ingested = ingest(ws)
    assert ingested.returncode == 3
    assert f"intox/torsby/{name}: AVVISAD – {message}" in ingested.stdout
    assert len(intox_rows(ws)) == 2


def test_truncated_json_checked_outside_data_raw_says_it_is_cut_off(ws, tmp_path):
    path = tmp_path / "kolada_export.json"
    path.write_text('{"values": [{"kpi": "N07540"', encoding="utf-8")
    checked = check(ws, path)
    assert checked.returncode == 1
    assert "kolada_export.json: JSON-filen är avklippt: den tar slut vid tecken 28" in checked.stdout
