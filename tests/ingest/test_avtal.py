"""The register of agreements (medborgarlöften and insatser) as a source: contract, reader, staging, template."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest
from cli_helpers import LAGESBILD, err, out, run
from openpyxl import Workbook, load_workbook

from pipeline.config import Workspace
from pipeline.ingest import ingest
from pipeline.ingest.examine import examine
from pipeline.ingest.forms import AVTAL_COLUMNS, write_avtal_template
from pipeline.ingest.sources.avtal import contract as avtal_contract

HEADERS = ["Kommun", "Medborgarlöfte", "Insats", "Ansvarig funktion", "Startdatum", "Slutdatum", "Status", "Kopplade indikatorer"]
GOOD = [
    ["Sunne", "Tryggare centrum kvällstid", "Trygghetsvandringar varje månad", "Kommunpolis",
     dt.datetime(2025, 3, 1), dt.datetime(2026, 12, 31), "Pågående", "intox_rate; enkat_andt"],
    ["SuToHaMu", "Minskad langning till unga", "Föräldravandringar vid skolavslutningar", "Säkerhetssamordnare",
     "2025-01-15", None, "klar", "intox_rate, intox_unga"],
    ["1737", "Minskad langning till unga", "Tillsyn av serveringsställen", "Alkoholhandläggare",
     dt.datetime(2026, 1, 1), dt.datetime(2027, 6, 30), "Ej påbörjad", None],
]


@pytest.fixture(scope="module", autouse=True)
def script_exists():
    assert LAGESBILD.is_file(), f"{LAGESBILD} is not installed"


def write_xlsx(path: Path, rows: list[list], headers: list[str] = HEADERS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "Insatser"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def examine_in_raw(root: Path, path: Path):
    return examine(path, Workspace(root), path.relative_to(root / "data" / "raw").as_posix())


def test_good_register_reads_into_staging(tmp_path):
    path = write_xlsx(tmp_path / "data" / "raw" / "avtal" / "medborgarloften.xlsx", GOOD)
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is None and report.source == "avtal"
    assert report.issues.empty, report.issues["message"].tolist()
    assert not [n for n in report.notes if "känns inte igen" in n], report.notes
    rows = report.staging["stg_avtal"]
    assert list(rows.columns) == ["source_row", "area_type", "area_code", "promise", "activity", "responsible",
                                  "start_date", "end_date", "status", "indicators"]
    assert rows["source_row"].tolist() == [2, 3, 4]
    assert rows["area_code"].tolist() == ["1766", "sutohamu", "1737"]
    assert rows["area_type"].tolist() == ["kommun", "region", "kommun"]
    assert rows["status"].tolist() == ["pagar", "genomford", "ej_paborjad"]
    assert rows["start_date"].tolist() == [dt.date(2025, 3, 1), dt.date(2025, 1, 15), dt.date(2026, 1, 1)]
    assert rows["end_date"].tolist() == [dt.date(2026, 12, 31), None, dt.date(2027, 6, 30)]
    assert rows["indicators"].tolist() == [["intox_rate", "enkat_andt"], ["intox_rate", "intox_unga"], []]
    assert rows["responsible"].tolist() == ["Kommunpolis", "Säkerhetssamordnare", "Alkoholhandläggare"]


def test_cp1252_semicolon_csv_with_other_header_spellings(tmp_path):
    text = (
        "Område;Löfte;Åtgärd;Ansvarig;Start;Slut;Status;Indikatorer\r\n"
        "Torsby kommun;Trygg skolväg;Vuxenvandring fredagar;Fältassistenterna;2025-09-01;2026-06-15;pågår;\r\n"
        "Värmlands län;Färre förgiftningar;Utbildning för krogpersonal;Länsstyrelsens ANDT-samordnare;1 mars 2025;31 december 2025;Genomfört;intox_rate\r\n"
        "sutohamu;Trygg skolväg;Inställd marknad;Polisområde Värmland;2025-05-01;2025-05-02;avbruten;\r\n"
    )
    path = tmp_path / "data" / "raw" / "avtal" / "register.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("cp1252"))
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is None and report.source == "avtal"
    assert report.issues.empty, report.issues["message"].tolist()
    rows = report.staging["stg_avtal"]
    assert rows["area_code"].tolist() == ["1737", "lan-17", "sutohamu"]
    assert rows["area_type"].tolist() == ["kommun", "lan", "region"]
    assert rows["activity"].tolist()[0] == "Vuxenvandring fredagar"
    assert rows["status"].tolist() == ["pagar", "genomford", "installd"]
    assert rows["start_date"].tolist()[1] == dt.date(2025, 3, 1)
    assert rows["indicators"].tolist() == [[], ["intox_rate"], []]


BAD = {
    # row in the sheet: (row, column header, words the message must have)
    "person": (["Torsby", "Trygg skolväg", "Vuxenvandring", "Anna Svensson", "2025-01-01", None, "Pågår", None],
               "Ansvarig funktion", ["funktion", "inte en person", "Kommunpolis"]),
    "email": (["Torsby", "Trygg skolväg", "Vuxenvandring", "anna.svensson@torsby.se", "2025-01-01", None, "Pågår", None],
              "Ansvarig funktion", ["funktion", "e-postadress"]),
    "status": (["Hagfors", "Trygg skolväg", "Vuxenvandring", "Kommunpolis", "2025-01-01", None, "nästan klar", None],
               "Status", ["'nästan klar'", "tillåtna: Ej påbörjad, Pågår, Genomförd, Ej genomförd, Inställd"]),
    "order": (["Munkfors", "Trygg skolväg", "Vuxenvandring", "Kommunpolis", "2025-06-01", "2025-01-31", "Pågår", None],
              "Slutdatum", ["'2025-01-31'", "före 2025-06-01", "'Startdatum'"]),
    "promise": (["Sunne", None, "Vuxenvandring", "Kommunpolis", "2025-01-01", None, "Pågår", None],
                "Medborgarlöfte", ["värde saknas", "medborgarlöfte måste anges"]),
    "area": (["Sunnne", "Trygg skolväg", "Vuxenvandring", "Kommunpolis", "2025-01-01", None, "Pågår", None],
             "Kommun", ["'Sunnne'", "Menade du Sunne"]),
}


def test_bad_rows_are_quarantined_with_swedish_messages(tmp_path):
    rows = GOOD[:1] + [row for row, _, _ in BAD.values()] + GOOD[1:]
    path = write_xlsx(tmp_path / "data" / "raw" / "avtal" / "register.xlsx", rows)
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is None
    issues = report.issues
    assert (report.rows_loaded, report.rows_quarantined) == (3, len(BAD))
    assert report.staging["stg_avtal"]["source_row"].tolist() == [2, 3 + len(BAD), 4 + len(BAD)]
    for number, (name, (_, column, words)) in enumerate(BAD.items(), start=3):
        found = issues[issues["row"].eq(number)]
        assert found["column"].tolist() == [column], (name, found["message"].tolist())
        message = found["message"].iloc[0]
        assert message.startswith(f"register.xlsx, rad {number}, kolumn '{column}': "), message
        for word in words:
            assert word in message, (name, message)
    # A person's name or address is not echoed into the quarantine.
    for name in ("person", "email"):
        row = list(BAD).index(name) + 3
        shown = issues.loc[issues["row"].eq(row)]
        assert "Svensson" not in " ".join(shown["message"]) and "svensson" not in " ".join(shown["value"]).lower()


@pytest.mark.parametrize("text", ["Kommunpolis", "Säkerhetssamordnare", "Polisen Värmland", "Socialtjänsten Torsby",
                                  "Fältassistenterna", "Rektor Frykenskolan", "Kultur- och fritidsförvaltningen",
                                  "Länsstyrelsen Värmland", "SSP-gruppen", "Brottsförebyggande rådet"])
def test_functions_are_accepted(tmp_path, text):
    row = ["Sunne", "Löfte", "Insats", text, "2025-01-01", None, "Pågår", None]
    report = examine_in_raw(tmp_path, write_xlsx(tmp_path / "data" / "raw" / "avtal" / "r.xlsx", [row]))
    assert report.issues.empty, report.issues["message"].tolist()


@pytest.mark.parametrize("text", ["Anna Svensson", "Karl-Erik Berg", "Anna Svensson (kommunpolis)", "Kommunpolis, Per Olsson",
                                  "kontakt: per.olsson@polisen.se"])
def test_persons_are_refused(tmp_path, text):
    row = ["Sunne", "Löfte", "Insats", text, "2025-01-01", None, "Pågår", None]
    report = examine_in_raw(tmp_path, write_xlsx(tmp_path / "data" / "raw" / "avtal" / "r.xlsx", [row]))
    assert report.issues["rule"].tolist() == ["funktion"]


def test_future_dates_are_allowed_within_the_plan(tmp_path):
    row = ["Sunne", "Löfte", "Insats", "Kommunpolis", f"{dt.date.today().year + 1}-01-01", f"{dt.date.today().year + 2}-12-31", None, None]
    report = examine_in_raw(tmp_path, write_xlsx(tmp_path / "data" / "raw" / "avtal" / "r.xlsx", [row]))
    assert report.issues.empty, report.issues["message"].tolist()
    assert report.staging["stg_avtal"]["status"].tolist() == [None]  # no status given


def test_ingest_stores_the_register(tmp_path):
    write_xlsx(tmp_path / "data" / "raw" / "avtal" / "register.xlsx", GOOD + [BAD["person"][0]])
    ingest(Workspace(tmp_path))
    con = duckdb.connect(str(Workspace(tmp_path).database), read_only=True)
    try:
        rows = con.execute("SELECT area_code, status, indicators, end_date FROM stg_avtal ORDER BY source_row").fetchall()
        quarantined = con.execute("SELECT source_row, rule FROM quarantine WHERE path = 'avtal/register.xlsx'").fetchall()
        status = con.execute("SELECT source, status FROM raw_files").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == ["1766", "sutohamu", "1737"]
    assert rows[0][2] == ["intox_rate", "enkat_andt"] and rows[2][2] == [] and rows[1][3] is None
    assert quarantined == [(5, "funktion")]
    assert status == [("avtal", "inläst med karantän")]


# --- the template ------------------------------------------------------------------------------


def validation_at(sheet, coordinate: str):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    return found[0] if len(found) == 1 else None


def list_values(book, formula: str) -> list[str]:
    column, first, last = re.fullmatch(r"Listor!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", formula).groups()
    return [book["Listor"][f"{column}{row}"].value for row in range(int(first), int(last) + 1)]


def test_template_layout(tmp_path):
    path = write_avtal_template(tmp_path / "avtal.xlsx", Workspace(tmp_path))
    book = load_workbook(path)
    assert book.sheetnames == ["Insatser", "Instruktion", "Listor"]
    assert book["Listor"].sheet_state == "hidden"
    sheet = book["Insatser"]
    headers = [c.value for c in sheet[2]]
    assert headers == [h for h, *_ in AVTAL_COLUMNS]
    mapping = avtal_contract(Workspace(tmp_path)).map_headers(headers)
    assert not mapping.unknown and not mapping.repeated and len(mapping.fields) == len(headers)
    assert sheet.max_row == 2
    status = validation_at(sheet, "G3")
    assert status.type == "list" and status.errorStyle == "stop"
    assert list_values(book, status.formula1) == ["Ej påbörjad", "Pågår", "Genomförd", "Ej genomförd", "Inställd"]
    area = validation_at(sheet, "A202")
    assert area.type == "list" and area.errorStyle == "warning"
    areas = list_values(book, area.formula1)
    assert areas[0] == "SuToHaMu" and "Sunne" in areas and "Ängelholm" in areas
    for letter in "EF":
        assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
        assert validation_at(sheet, f"{letter}3").type == "date"
    for letter in "BCDH":
        assert validation_at(sheet, f"{letter}3") is None
    text = " ".join(c.value for c in book["Instruktion"]["A"] if c.value)
    assert "Kommunpolis" in text and "Säkerhetssamordnare" in text and "aldrig en persons namn" in text
    for label in ("Ej påbörjad", "Pågår", "Genomförd", "Ej genomförd", "Inställd"):
        assert f"{label} –" in text
    assert "data/raw/avtal/" in text and "lagesbild check FIL" in text
    for each in book.worksheets:
        for row in each.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_template_round_trip(tmp_path):
    path = write_avtal_template(tmp_path / "data" / "raw" / "avtal" / "avtalsregister.xlsx", Workspace(tmp_path))
    book = load_workbook(path)
    sheet = book["Insatser"]
    for row, values in ((3, GOOD[0]), (4, GOOD[1])):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
    book.save(path)
    report = examine_in_raw(tmp_path, path)
    assert report.refusal is None and report.source == "avtal"
    assert report.table.sheet == "Insatser" and report.table.header_row == 2
    assert not [n for n in report.notes if "känns inte igen" in n], report.notes
    assert report.issues.empty, report.issues["message"].tolist()
    rows = report.staging["stg_avtal"]
    assert rows["source_row"].tolist() == [3, 4]
    assert rows["area_code"].tolist() == ["1766", "sutohamu"]
    assert rows["status"].tolist() == ["pagar", "genomford"]
    assert rows["start_date"].tolist() == [dt.date(2025, 3, 1), dt.date(2025, 1, 15)]


def test_cli_template_avtal_will_not_overwrite(tmp_path):
    result = run(["template", "avtal"], tmp_path)
    assert result.returncode == 0, out(result) + err(result)
    target = tmp_path / "avtalsregister.xlsx"
    assert target.is_file() and str(target.resolve()) in out(result)
    assert "data/raw/avtal/" in out(result) and "lagesbild check avtalsregister.xlsx" in out(result)
    checked = run(["check", "avtalsregister.xlsx"], tmp_path)
    assert checked.returncode == 0 and "inga fel" in out(checked), out(checked) + err(checked)
    target.write_bytes(b"mitt eget arbete")
    again = run(["template", "avtal"], tmp_path)
    assert again.returncode == 2
    assert "finns redan" in err(again) and "--skriv-over" in err(again)
    assert target.read_bytes() == b"mitt eget arbete"
    forced = run(["template", "avtal", "--skriv-over", "--ut", "annat.xlsx"], tmp_path)
    assert forced.returncode == 0 and (tmp_path / "annat.xlsx").is_file()
    help_text = out(run(["template", "avtal", "--help"], tmp_path))
    assert "Användning:" in help_text and "--ut FIL" in help_text and "--skriv-over" in help_text
