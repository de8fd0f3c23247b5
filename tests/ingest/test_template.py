"""`lagesbild template enkat`: the question catalogue as an empty Excel form that reads back."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from cli_helpers import LAGESBILD, err, out, run
from openpyxl import load_workbook

from pipeline.config import Workspace
from pipeline.ingest.examine import examine
from pipeline.ingest.forms import suggested_rounds, write_enkat_template
from pipeline.ingest.sources.enkat import SCALES, comment_field, field_name
from pipeline.ingest.sources.enkat import contract as enkat_contract
from pipeline.places import resolver

TODAY = dt.date(2026, 3, 15)
RESPONDENT = ["Kommun", "Sektor", "Omgång", "Datum"]



@pytest.fixture(scope="module", autouse=True)
def script_exists():
    assert LAGESBILD.is_file(), f"{LAGESBILD} is not installed"


@pytest.fixture
def catalogue(tmp_path):
    return enkat_contract(Workspace(tmp_path))


def header_row(sheet) -> list[str]:
    return [cell.value for cell in sheet[2]]


def validation_at(sheet, coordinate: str):
    found = [dv for dv in sheet.data_validations.dataValidation if coordinate in dv.sqref]
    return found[0] if len(found) == 1 else None


def list_values(book, formula: str) -> list[str]:
    match = re.fullmatch(r"Listor!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match, formula
    column, first, column_end, last = match.groups()
    assert column == column_end
    return [book["Listor"][f"{column}{row}"].value for row in range(int(first), int(last) + 1)]


def expected_fields(catalogue) -> list[str]:
    """Field per column, in the order the form must have: area by area, comment last."""
    fields = []
    for area_id in catalogue.areas:
        for question in (q for q in catalogue.questions if q.area_id == area_id):
            fields += [field_name(question.id, s) for s in (SCALES if question.has_trend else SCALES[:1])]
        fields.append(comment_field(area_id))
    return fields


def test_layout_of_the_form(tmp_path, catalogue):
    path = write_enkat_template(tmp_path / "enkat.xlsx", Workspace(tmp_path), today=TODAY)
    book = load_workbook(path)
    assert book.sheetnames == ["Svar", "Instruktion", "Listor"]
    assert book.active.title == "Svar"
    assert book["Listor"].sheet_state == "hidden"
    assert book["Svar"].sheet_state == book["Instruktion"].sheet_state == "visible"
    sheet = book["Svar"]
    headers = header_row(sheet)
    assert headers[:4] == RESPONDENT
    answers = headers[4:]
    presence = [h for h in answers if h.endswith(" – förekomst")]
    trend = [h for h in answers if h.endswith(" – utveckling")]
    assert presence == [f"{q.text} – förekomst" for q in catalogue.questions]
    assert trend == [f"{q.text} – utveckling" for q in catalogue.questions if q.has_trend]
    assert [h for h in answers if h not in presence + trend] == [catalogue.label(comment_field(a)) for a in catalogue.areas]
    # Every column reads back as the field it was written for, in catalogue order.
    mapping = catalogue.map_headers(headers)
    assert not mapping.unknown and not mapping.repeated
    assert [mapping.fields[p] for p in range(4, len(headers))] == expected_fields(catalogue)
    # A title row above, nothing below the header until someone fills in answers.
    assert "Lägesbildsenkät" in sheet["A1"].value and "Instruktion" in sheet["A1"].value
    assert sheet.max_row == 2
    assert sheet.freeze_panes == "E3"
    for cell in sheet[2]:
        assert cell.alignment.wrap_text and cell.font.b
        assert sheet.column_dimensions[cell.column_letter].width >= 11, cell.value
    for each in book.worksheets:
        for row in each.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_drop_down_lists_on_the_hidden_sheet(tmp_path, catalogue):
    path = write_enkat_template(tmp_path / "enkat.xlsx", Workspace(tmp_path), today=TODAY)
    book = load_workbook(path)
    sheet = book["Svar"]
    labels = {name: list(catalogue.codelists[name].labels.values()) for name in ("sector", "presence", "trend")}
    assert suggested_rounds(TODAY) == ["2025-H2", "2026-H1", "2026-H2", "2027-H1", "2027-H2"]
    expected = {"Kommun": (sorted(resolver().names.values()), "warning"), "Sektor": (labels["sector"], "stop"),
                "Omgång": (suggested_rounds(TODAY), "warning"), "Datum": None}
    for cell in sheet[2]:
        header, letter = cell.value, cell.column_letter
        if header in expected:
            want = expected[header]
        elif header.endswith(" – förekomst"):
            want = (labels["presence"], "stop")
        elif header.endswith(" – utveckling"):
            want = (labels["trend"], "stop")
        else:
            want = None  # comment columns take free text
        for row in (3, 202):
            dv = validation_at(sheet, f"{letter}{row}")
            if want is None:
                assert dv is None, header
                continue
            assert dv is not None and dv.type == "list", header
            assert dv.formula1.startswith("Listor!"), dv.formula1
            values = list_values(book, dv.formula1)
            assert values == want[0] if header != "Kommun" else sorted(values) == sorted(want[0]), header
            assert dv.errorStyle == want[1], header
            assert dv.showErrorMessage and dv.errorTitle and dv.error and len(dv.error) <= 255
            assert not dv.showDropDown  # openpyxl's showDropDown=True would hide the arrow
        assert validation_at(sheet, f"{letter}2") is None  # not on the header
    assert "Vet ej" in validation_at(sheet, "E3").error


def fill(sheet, row: int, kommun: str, sektor: str, omgang: str, answers: dict[int, str], comment: tuple[int, str] | None = None) -> None:
    for column, value in zip("ABC", (kommun, sektor, omgang)):
        sheet[f"{column}{row}"] = value
    sheet[f"D{row}"] = dt.datetime(2026, 3, 2)
    for column, value in answers.items():
        sheet.cell(row=row, column=column, value=value)
    if comment:
        sheet.cell(row=row, column=comment[0], value=comment[1])


def test_filled_form_reads_back(tmp_path, catalogue):
    path = write_enkat_template(tmp_path / "enkat.xlsx", Workspace(tmp_path), today=TODAY)
    book = load_workbook(path)
    sheet = book["Svar"]
    mapping = catalogue.map_headers(header_row(sheet))
    column_of = {name: position + 1 for position, name in mapping.fields.items()}
    presence = catalogue.codelists["presence"].labels
    trend = catalogue.codelists["trend"].labels
    wanted = {}  # (row, question) -> (presence code, trend code)
    comment_text = "Oro för langning inför skolavslutningen."
    for row, sector, shift in ((3, "Polis", 0), (4, "Skola", 2)):
        answers = {}
        for number, question in enumerate(catalogue.questions):
            p_code = list(presence)[(number + shift) % len(presence)]
            t_code = list(trend)[(number + shift) % len(trend)] if question.has_trend else None
            answers[column_of[field_name(question.id, "presence")]] = presence[p_code]
            if t_code:
                answers[column_of[field_name(question.id, "trend")]] = trend[t_code]
            wanted[(row, question.id)] = (p_code, t_code)
        comment = (column_of[comment_field("andt")], comment_text) if row == 4 else None
        fill(sheet, row, "Munkfors", sector, "2026-H1", answers, comment)
    book.save(path)

    report = examine(path, Workspace(tmp_path), "enkat.xlsx")
    assert report.refusal is None
    assert report.source == "enkat"
    assert report.table.sheet == "Svar" and report.table.header_row == 2
    assert not [note for note in report.notes if "känns inte igen" in note], report.notes
    assert report.issues.empty, report.issues["message"].tolist()
    assert (report.rows_loaded, report.rows_quarantined, report.cells_quarantined) == (2, 0, 0)
    rows = report.staging["stg_enkat"]
    assert len(rows) == 2 * len(catalogue.questions)
    assert set(rows["municipality_code"]) == {"1762"} and set(rows["round"]) == {"2026-H1"}
    assert dict(zip(rows["source_row"], rows["sector"])) == {3: "polis", 4: "skola"}
    assert set(rows["submitted_at"].dt.date) == {dt.date(2026, 3, 2)}
    got = {(r.source_row, r.question_id): (r.presence, r.trend if isinstance(r.trend, str) else None) for r in rows.itertuples()}
    assert got == wanted
    comments = report.staging["stg_enkat_comment"]
    assert comments[["source_row", "sector", "area_id", "comment"]].values.tolist() == [[4, "skola", "andt", comment_text]]


def test_empty_form_checks_as_headers_without_rows(tmp_path):
    result = run(["template", "enkat"], tmp_path)
    assert result.returncode == 0, out(result) + err(result)
    result = run(["check", "lagesbildsenkat.xlsx"], tmp_path)
    assert result.returncode == 0, out(result) + err(result)
    text = out(result)
    assert "filen har rubriker men inga ifyllda rader" in text
    assert re.search(r"\b0 rader lästa\b", text) and "inga fel" in text and "rubrikrad 2" in text
    assert "känns inte igen" not in text and "tomma hoppades över" not in text
    assert not (tmp_path / "data").exists()


def test_cli_writes_default_file_and_will_not_overwrite(tmp_path):
    result = run(["template", "enkat"], tmp_path)
    assert result.returncode == 0, out(result) + err(result)
    target = tmp_path / "lagesbildsenkat.xlsx"
    assert target.is_file()
    text = out(result)
    assert str(target.resolve()) in text
    assert "data/raw/enkat/<kommun>/" in text and "lagesbild check lagesbildsenkat.xlsx" in text
    target.write_bytes(b"mitt eget arbete")
    again = run(["template", "enkat"], tmp_path)
    assert again.returncode == 2
    assert "finns redan" in err(again) and "--skriv-over" in err(again)
    assert target.read_bytes() == b"mitt eget arbete"
    forced = run(["template", "enkat", "--skriv-over"], tmp_path)
    assert forced.returncode == 0, out(forced) + err(forced)
    assert load_workbook(target).sheetnames[0] == "Svar"


def test_kommun_option(tmp_path):
    result = run(["template", "enkat", "--kommun", "munkfors", "--ut", "enkater/munkfors.xlsx"], tmp_path)
    assert result.returncode == 0, out(result) + err(result)
    assert "data/raw/enkat/Munkfors/" in out(result)
    book = load_workbook(tmp_path / "enkater" / "munkfors.xlsx")
    sheet = book["Svar"]
    assert "Munkfors" in sheet["A1"].value
    assert sheet.max_row == 2  # no prefilled rows: they would read as answers without sector and round
    assert list_values(book, validation_at(sheet, "A3").formula1) == ["Munkfors"]
    instructions = " ".join(c.value for c in book["Instruktion"]["A"] if c.value)
    assert "data/raw/enkat/Munkfors/" in instructions

    wrong = run(["template", "enkat", "--kommun", "Munkfos", "--ut", "fel.xlsx"], tmp_path)
    assert wrong.returncode == 2
    assert "Munkfos" in err(wrong) and "Menade du Munkfors" in err(wrong)
    assert not (tmp_path / "fel.xlsx").exists()
    csv = run(["template", "enkat", "--ut", "enkat.csv"], tmp_path)
    assert csv.returncode == 2 and ".xlsx" in err(csv)
    assert not (tmp_path / "enkat.csv").exists()


def test_instructions(tmp_path, catalogue):
    path = write_enkat_template(tmp_path / "enkat.xlsx", Workspace(tmp_path), today=TODAY)
    text = " ".join(c.value for c in load_workbook(path)["Instruktion"]["A"] if c.value)
    assert "en rad per sektor" in text
    for label in catalogue.codelists["presence"].labels.values():
        assert label in text
    for label in catalogue.codelists["trend"].labels.values():
        assert label in text
    assert "”Vet ej” är ett eget svar" in text and "aldrig som noll" in text
    assert "visas aldrig i rapporterna" in text
    assert "data/raw/enkat/<kommun>/" in text and "lagesbild check FIL" in text
    assert "2026-H1" in text
    expected = [s["label"] for s in catalogue.catalogue["sectors"].values() if s.get("expected")]
    assert all(label in text for label in expected)


def test_help_is_swedish(tmp_path):
    for args in (["template", "--help"], ["template", "enkat", "--help"], ["template", "enkat", "-h"]):
        result = run(args, tmp_path)
        assert result.returncode == 0, err(result)
        text = out(result)
        assert "Användning:" in text and "Flaggor" in text
        assert "Show this message" not in text and "Options:" not in text
    assert "enkat" in out(run(["template", "--help"], tmp_path))
    text = out(run(["template", "enkat", "--help"], tmp_path))
    assert "--ut FIL" in text and "--kommun NAMN" in text and "--skriv-over" in text and "Excelformulär" in text
    assert "Kommandon" in out(run(["--help"], tmp_path)) and "template" in out(run(["--help"], tmp_path))
