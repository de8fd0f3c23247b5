"""EST incident reports as a source: the template from the CLI filled in and read back, a csv export,
free text kept apart, personal data refused, bad rows quarantined with file, row and column named."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from cli_helpers import LAGESBILD, err, out, run
from openpyxl import load_workbook

from pipeline.config import Workspace
from pipeline.ingest import ingest
from pipeline.ingest.examine import examine
from pipeline.ingest.forms import TemplateError, write_est_template

HEADERS = ["Kommun", "Datum", "Tidsintervall", "Kategori", "Plats", "DeSO", "Koordinater", "Rapportörens funktion",
           "Bedömning", "Beskrivning"]
CATEGORIES = ["Skadegörelse", "Klotter", "Nedskräpning", "Incident mot anställd", "Öppen eller misstänkt droghantering",
              "Rån", "Misshandel", "Anlagd brand", "Störande samlingar", "Otillåten trafik på gång- och cykelväg",
              "Otrygg plats", "Annat"]
FUNCTIONS = ["Kommunen", "Bostadsbolaget", "Polisen", "Bevakningsföretag", "Räddningstjänsten", "Annan"]
ASSESSMENTS = ["Akut – åtgärd direkt", "Åtgärd behövs", "Bevaka", "Ingen åtgärd"]
BANDS = ["00–06", "06–12", "12–18", "18–24", "Okänt"]


@pytest.fixture(scope="module", autouse=True)
def script_exists():
    assert LAGESBILD.is_file(), f"{LAGESBILD} is not installed"


def raw(root: Path) -> Path:
    folder = root / "data" / "raw" / "est"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def examine_in_raw(root: Path, path: Path):
    return examine(path, Workspace(root), path.relative_to(root / "data" / "raw").as_posix())


def template(root: Path, path: Path, *args: str):
    return run(["template", "est", "--ut", str(path), "--workspace", str(root), *args], cwd=root)


def fill(path: Path, rows: list[list]) -> Path:
    """Fill in the template's sheet below its header row, as a reporter would."""
    book = load_workbook(path)
    sheet = book["Rapporter"]
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=3 + offset, column=column, value=value)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str = "cp1252", delimiter: str = ";") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\r\n".join(delimiter.join(row) for row in rows).encode(encoding) + b"\r\n")
    return path


def list_values(book, formula: str) -> list[str]:
    column, first, last = re.fullmatch(r"Listor!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", formula).groups()
    return [book["Listor"][f"{column}{row}"].value for row in range(int(first), int(last) + 1)]


def validation_at(sheet, coordinate: str):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    return found[0] if len(found) == 1 else None


# --- the template ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """The template as `lagesbild template est` writes it (read by the tests, copied before filling)."""
    root = tmp_path_factory.mktemp("template")
    result = template(root, root / "est.xlsx")
    assert result.returncode == 0, err(result)
    assert "Mallen för EST-rapporter är skriven" in out(result) and "data/raw/est/" in out(result)
    return root / "est.xlsx"


def test_the_template_has_drop_down_lists_instructions_and_no_formulas(written):
    book = load_workbook(written)
    assert book.sheetnames == ["Rapporter", "Instruktion", "Listor"]
    assert book["Listor"].sheet_state == "hidden"
    sheet = book["Rapporter"]
    assert [c.value for c in sheet[2]] == HEADERS
    assert sheet.max_row == 2  # nothing below the header until someone reports
    expected = {"D": CATEGORIES, "H": FUNCTIONS, "I": ASSESSMENTS, "C": BANDS}
    for column, values in expected.items():
        for row in (3, 202):
            check = validation_at(sheet, f"{column}{row}")
            assert check is not None and check.type == "list" and check.errorStyle == "stop", (column, row)
            assert list_values(book, check.formula1) == values
    municipality = validation_at(sheet, "A3")
    assert municipality.errorStyle == "warning" and "Sunne" in list_values(book, municipality.formula1)
    assert validation_at(sheet, "B3").type == "date"
    assert validation_at(sheet, "E3") is None and validation_at(sheet, "J3") is None  # place and text are free
    cells = [c.value for s in book.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.startswith("=")]
    instructions = " ".join(c.value for c in book["Instruktion"]["A"] if c.value)
    for words in ("en rad per händelse", "Beskrivningen sparas men visas aldrig", "personnummer", "data/raw/est/",
                  "lagesbild check", "Akut – åtgärd direkt –"):
        assert words in instructions, words


def test_the_template_is_not_overwritten_unless_asked(tmp_path):
    path = tmp_path / "est.xlsx"
    path.write_bytes(b"mina rapporter")
    result = template(tmp_path, path)
    assert result.returncode == 2 and "finns redan" in err(result) and "--skriv-over" in err(result)
    assert path.read_bytes() == b"mina rapporter"
    assert template(tmp_path, path, "--skriv-over").returncode == 0
    assert load_workbook(path).sheetnames[0] == "Rapporter"


def test_a_template_for_one_municipality_offers_only_it(tmp_path):
    path = write_est_template(tmp_path / "sunne.xlsx", Workspace(tmp_path), "1766")
    book = load_workbook(path)
    assert list_values(book, validation_at(book["Rapporter"], "A3").formula1) == ["Sunne"]
    assert "data/raw/est/Sunne/" in " ".join(c.value for c in book["Instruktion"]["A"] if c.value)
    with pytest.raises(TemplateError, match="Menade du Sunne"):
        write_est_template(tmp_path / "x.xlsx", Workspace(tmp_path), "Sunnne")


def test_the_filled_template_reads_back(tmp_path, written):
    path = raw(tmp_path) / "sunne.xlsx"
    shutil.copyfile(written, path)
    fill(path, [
        ["Sunne", dt.datetime(2026, 3, 2), "18–24", "Klotter", "Resecentrum", None, None, "Polisen", "Bevaka", "Tags på väggen"],
        ["Sunne", dt.datetime(2026, 3, 3), None, "Öppen eller misstänkt droghantering", "  Centrumtorget ", "1766C1010",
         "59.8365, 13.1428", "Bostadsbolaget", None, None],
        ["1766", "2026-04-01", "00–06", "Anlagd brand", None, "1766c1020", None, "Räddningstjänsten", "Akut – åtgärd direkt",
         "Brand i papperskorg vid Resecentrum"],
    ])
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is None and report.source == "est"
    assert report.issues.empty, report.issues["message"].tolist()
    events = report.staging["stg_est"]
    assert events["source_row"].tolist() == [3, 4, 5]
    assert events["municipality_code"].tolist() == ["1766"] * 3
    assert events["event_date"].tolist() == [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 4, 1)]
    assert events["period"].tolist() == ["2026-03", "2026-03", "2026-04"]
    assert events["time_band"].tolist() == ["18-24", "okand", "00-06"]
    assert events["category"].tolist() == ["klotter", "droghantering", "anlagd_brand"]
    # a row without a place is placed by its DeSO; spacing is tidied
    assert events["place"].tolist() == ["Resecentrum", "Centrumtorget", "1766C1020"]
    assert events["deso_code"].tolist() == [None, "1766C1010", "1766C1020"]
    assert events["coordinates"].tolist() == [None, "59.8365, 13.1428", None]
    assert events["reporter"].tolist() == ["polisen", "bostadsbolaget", "raddningstjansten"]
    assert events["assessment"].tolist() == ["bevaka", None, "akut"]
    texts = report.staging["stg_est_text"]
    assert texts["source_row"].tolist() == [3, 5]
    assert texts["description"].tolist() == ["Tags på väggen", "Brand i papperskorg vid Resecentrum"]
    assert "description" not in events.columns


# --- a csv export ------------------------------------------------------------------------------

EXPORT = [
    ["Händelsedatum", "Tid på dygnet", "Kommun", "Händelsetyp", "Platsnamn", "Desokod", "Rapporterad av", "Prioritering", "Fritext"],
    ["2026-05-04", "kväll", "Torsby kommun", "Störande samlingar av ungdomar eller andra", "Centrumtorget", "", "Kommunpolis",
     "Prio 2", "Större grupp, hög musik"],
    ["4 maj 2026", "", "Torsby", "Hot mot personal", "Fritidsgården", "1737C1060", "Fältassistent", "", ""],
    ["05.05.2026", "Natt", "1737", "Trafik på GC-väg", "Gång- och cykelvägen mot Vitsand", "", "Väktare", "Prio 3", "Mopeder"],
]


def test_a_cp1252_semicolon_export_with_other_headers_reads(tmp_path):
    path = write_csv(raw(tmp_path) / "EST-export_Torsby.csv", EXPORT)
    assert "ö".encode("cp1252") in path.read_bytes()  # really Windows-1252
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is None and report.source == "est"
    assert report.issues.empty, report.issues["message"].tolist()
    assert report.table.encoding == "Windows-1252" and report.table.delimiter == ";"
    assert not [n for n in report.notes if "känns inte igen" in n], report.notes
    events = report.staging["stg_est"]
    assert events["event_date"].tolist() == [dt.date(2026, 5, 4), dt.date(2026, 5, 4), dt.date(2026, 5, 5)]
    assert events["municipality_code"].tolist() == ["1737"] * 3
    assert events["category"].tolist() == ["storande_samlingar", "incident_anstalld", "otillaten_trafik"]
    assert events["time_band"].tolist() == ["18-24", "okand", "00-06"]
    assert events["reporter"].tolist() == ["polisen", "kommunen", "bevakningsforetag"]
    assert events["assessment"].tolist() == ["atgard", None, "bevaka"]
    assert report.staging["stg_est_text"]["description"].tolist() == ["Större grupp, hög musik", "Mopeder"]


def test_a_utf8_comma_export_in_a_municipality_folder_needs_no_kommun_column(tmp_path):
    rows = [["Datum", "Kategori", "Plats", "Rapportör"], ["2026-06-01", "Nedskräpning", "Badplatsen", "Kommunen"]]
    path = write_csv(raw(tmp_path) / "hagfors" / "juni.csv", rows, encoding="utf-8", delimiter=",")
    report = examine_in_raw(tmp_path, path)
    assert report.issues.empty, report.issues["message"].tolist()
    assert report.staging["stg_est"]["municipality_code"].tolist() == ["1783"]
    assert "juni.csv: kolumn för kommun saknas; filen gäller Hagfors (från mappnamnet)." in report.notes


# --- bad input ---------------------------------------------------------------------------------

GOOD = ["Sunne", "2026-03-02", "18–24", "Klotter", "Resecentrum", "", "", "Polisen", "Bevaka", ""]
BAD = {
    # rule: (the row, the column named, words the message must have)
    "kod": (["Sunne", "2026-03-02", "", "Cykelstöld", "Torget", "", "", "Polisen", "", ""], "Kategori",
            ["'Cykelstöld'", "kategori", "tillåtna: Skadegörelse, Klotter"]),
    "funktion": (["Sunne", "2026-03-02", "", "Klotter", "Torget", "", "", "Grannen", "", ""], "Rapportörens funktion",
                 ["'Grannen'", "tillåtna: Kommunen, Bostadsbolaget"]),
    "bedomning": (["Sunne", "2026-03-02", "", "Klotter", "Torget", "", "", "Polisen", "Kanske", ""], "Bedömning",
                  ["'Kanske'", "Akut – åtgärd direkt"]),
    "datum": (["Sunne", "2026-02-30", "", "Klotter", "Torget", "", "", "Polisen", "", ""], "Datum", ["'2026-02-30'", "inget giltigt datum"]),
    "kommun": (["Sunnne", "2026-03-02", "", "Klotter", "Torget", "", "", "Polisen", "", ""], "Kommun", ["'Sunnne'", "Menade du Sunne"]),
    "okand_kommun": (["okänd", "2026-03-02", "", "Klotter", "Torget", "", "", "Polisen", "", ""], "Kommun", ["'okänd'"]),
    "tid": (["Sunne", "2026-03-02", "lunch", "Klotter", "Torget", "", "", "Polisen", "", ""], "Tidsintervall", ["'lunch'", "00–06"]),
    "deso": (["Sunne", "2026-03-02", "", "Klotter", "Torget", "1783C1010", "", "Polisen", "", ""], "DeSO",
             ["'1783C1010'", "ligger i Hagfors, inte i Sunne"]),
    "deso_form": (["Sunne", "2026-03-02", "", "Klotter", "Torget", "1766X12", "", "Polisen", "", ""], "DeSO",
                  ["'1766X12'", "ingen DeSO-kod"]),
    "plats": (["Sunne", "2026-03-02", "", "Klotter", "", "", "", "Polisen", "", ""], "Plats", ["värde saknas", "plats måste anges"]),
    "namn": (["Sunne", "2026-03-02", "", "Misshandel", "Torget", "", "", "Polisen", "", "Anna Svensson blev slagen vid kiosken."],
             "Beskrivning", ["nämna en person", "raden läses inte in"]),
    "namn_plats": (["Sunne", "2026-03-02", "", "Klotter", "Hos Per Olsson", "", "", "Polisen", "", ""], "Plats", ["nämna en person"]),
    "epost": (["Sunne", "2026-03-02", "", "Klotter", "Torget", "", "", "Polisen", "", "Kontakta per.olsson@sunne.se"],
              "Beskrivning", ["e-postadress"]),
}


def test_bad_rows_are_quarantined_with_file_row_and_column_and_good_rows_kept(tmp_path):
    rows = [HEADERS, GOOD] + [row for row, _, _ in BAD.values()] + [GOOD]
    path = write_csv(raw(tmp_path) / "rapporter.csv", rows)
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is None
    assert (report.rows_loaded, report.rows_quarantined) == (2, len(BAD))
    assert report.staging["stg_est"]["source_row"].tolist() == [2, 3 + len(BAD)]
    issues = report.issues
    for number, (name, (_, column, words)) in enumerate(BAD.items(), start=3):
        found = issues[issues["row"].eq(number)]
        assert found["column"].tolist() == [column], (name, found["message"].tolist())
        message = found["message"].iloc[0]
        assert message.startswith(f"rapporter.csv, rad {number}, kolumn '{column}': "), message
        for word in words:
            assert word in message, (name, message)
    # neither the name nor the address is echoed
    hidden = " ".join(issues["message"]) + " ".join(issues["value"])
    assert "Svensson" not in hidden and "Olsson" not in hidden and "olsson" not in hidden


@pytest.mark.parametrize("text", [
    "Vid Resecentrum samlades en grupp.", "Klotter på Skolgården Västra skolan.", "Stora Torget var nedskräpat.",
    "Sunne Resecentrum: trasig ruta.", "Mopeder på Frykenvägen mellan ICA och Coop.", "Väktare från Securitas ringde polisen.",
    "Brand i Sandgrundsparken", "Lekparken Rottneros", "",
    "Kolsnäs Camping stängd.", "Sunne Energi lagade belysningen.",  # words of the file's places and municipalities
])
def test_places_and_ordinary_sentences_are_no_names(tmp_path, text):
    rows = [HEADERS, ["Sunne", "2026-03-02", "", "Annat", "Badplatsen Kolsnäs", "", "", "Polisen", "", text]]
    report = examine_in_raw(tmp_path, write_csv(raw(tmp_path) / "r.csv", rows))
    assert report.issues.empty, report.issues["message"].tolist()


@pytest.mark.parametrize("text", ["Anna Svensson hotades.", "Vakten Karl-Erik Lindberg ringde.", "Tipset kom från Lisa Berg",
                                  "pojken (Kalle Lund) sprang", "Mejla anna@example.com"])
def test_names_in_the_free_text_keep_the_row_out(tmp_path, text):
    rows = [HEADERS, GOOD, ["Sunne", "2026-03-02", "", "Annat", "Torget", "", "", "Polisen", "", text]]
    report = examine_in_raw(tmp_path, write_csv(raw(tmp_path) / "r.csv", rows))
    assert report.issues["rule"].tolist() == ["person"] and report.issues["row"].tolist() == [3]
    assert report.rows_loaded == 1


@pytest.mark.parametrize("text", ["Elev 0802114561 omhändertogs", "pnr 19121212-1212 i bråket"])
def test_a_personal_number_in_the_free_text_refuses_the_file(tmp_path, text):
    rows = [HEADERS, GOOD, ["Sunne", "2026-03-02", "", "Annat", "Torget", "", "", "Polisen", "", text]]
    path = write_csv(raw(tmp_path) / "r.csv", rows)
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is not None and report.staging is None
    assert "'Beskrivning'" in report.refusal and "personnummer" in report.refusal and "Inget från filen har sparats" in report.refusal
    assert "0802114561" not in report.refusal and "1212" not in report.refusal
    ingest(Workspace(tmp_path))
    con = duckdb.connect(str(Workspace(tmp_path).database), read_only=True)
    try:
        stored = con.execute("SELECT (SELECT count(*) FROM stg_est), (SELECT count(*) FROM stg_est_text), "
                             "(SELECT count(*) FROM refused_files)").fetchall()[0]
    finally:
        con.close()
    assert stored == (0, 0, 1)


def test_ingest_stores_events_and_their_text_apart(tmp_path):
    rows = [HEADERS, GOOD[:-1] + ["Tags på busskuren"], BAD["kod"][0], GOOD]
    write_csv(raw(tmp_path) / "sunne" / "mars.csv", rows, encoding="utf-8-sig", delimiter=",")
    ingest(Workspace(tmp_path))
    con = duckdb.connect(str(Workspace(tmp_path).database), read_only=True)
    try:
        events = con.execute("SELECT source_row, category, place_key FROM stg_est ORDER BY source_row").fetchall()
        texts = con.execute("SELECT source_row, municipality_code, period, description FROM stg_est_text").fetchall()
        quarantined = con.execute("SELECT source_row, column_name, rule FROM quarantine").fetchall()
        files = con.execute("SELECT source, status, first_period, last_period FROM raw_files").fetchall()
    finally:
        con.close()
    assert events == [(2, "klotter", "resecentrum"), (4, "klotter", "resecentrum")]
    assert texts == [(2, "1766", "2026-03", "Tags på busskuren")]
    assert quarantined == [(3, "Kategori", "kod")]
    assert files == [("est", "inläst med karantän", "2026-03", "2026-03")]
