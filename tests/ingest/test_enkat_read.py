"""Reading lägesbild questionnaire exports: real files as Microsoft Forms, Google Forms and Excel write them.

Every test writes its export to tmp_path and runs the real reader (`examine`), `ingest` or the
installed `lagesbild check`. Expected codes, municipality codes and rounds are written by hand.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml
from enkat_helpers import (
    PRESENCE_PROMPT,
    TREND_PROMPT,
    answer,
    enkat_path,
    every_text,
    query,
    staged,
    write_bom_csv,
    write_excel_csv,
    write_google_csv,
    write_xlsx,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import PROJECT_SCHEMAS, Workspace
from pipeline.ingest import ingest
from pipeline.ingest.examine import examine
from pipeline.ingest.parse import parse_rounds
from pipeline.ingest.pnr import valid_mask
from pipeline.ingest.sources.enkat import contract, header_versions, round_from_name

LAGESBILD = Path(sys.executable).parent / "lagesbild"
CATALOGUE = yaml.safe_load((PROJECT_SCHEMAS / "enkat.yaml").read_text(encoding="utf-8"))
# SCB municipality codes, by hand
TORSBY, SUNNE, ARJANG = "1737", "1766", "1765"
SWEDISH_WORDS = re.compile(r"\b(är|inget|ingen|saknas|måste|känns|inte)\b")

# Microsoft Forms: one column per Likert statement, first the presence question, then the trend question.
MS_STATEMENTS = ["Kriminella nätverk finns i kommunen", "Öppen narkotikahandel", "Alkohol bland unga"]
MS_QUESTIONS = ["natverk_narvaro", "oppen_handel", "andt_alkohol"]
MS_HEADER = [
    "ID", "Starttid", "Tid för slutförande", "E-post", "Namn", "Tid för senaste ändring",
    "Kommun", "Sektor", "Omgång", *MS_STATEMENTS, *MS_STATEMENTS,
]


def ms_row(number: int, email: str, name: str, municipality: str, sector: str, round_: str, presence: list, trend: list,
           start: dt.datetime = dt.datetime(2026, 3, 2, 9, 0, 12), done: dt.datetime = dt.datetime(2026, 3, 2, 9, 14, 55)) -> list:
    return [number, start, done, email, name, done, municipality, sector, round_, *presence, *trend]


MS_ROWS = [
    ms_row(1, "anna.qvist@torsby.se", "Anna Qvist", "Torsby", "Polisen", "2026-H1",
           ["I stor utsträckning", "Förekommer inte", "Vet ej"], ["Ökat", "Oförändrat", "Vet ej"]),
    ms_row(2, "bertil.zander@torsby.se", "Bertil Zander", "Torsby kommun", "Socialtjänsten", "2026-H1",
           ["I viss utsträckning", "I liten utsträckning", "I stor utsträckning"], ["Minskat", "Vet ej", "Ökat"]),
]

# Google Forms: grid questions "Prompt [Rad]", catalogue version 1 row texts.
GOOGLE_HEADER = [
    "Tidstämpel", "E-postadress", "Kommun", "Vilken verksamhet representerar du?",
    PRESENCE_PROMPT.format("Vit makt-miljö"), PRESENCE_PROMPT.format("Öppen narkotikaförsäljning"),
    TREND_PROMPT.format("Vit makt-miljö"), TREND_PROMPT.format("Öppen narkotikaförsäljning"),
]
# Google Forms' own timestamp in a Swedish account: year first with slashes, fm/em and the time zone.
GOOGLE_ROWS = [
    ["2026/03/14 10:02:11 fm CET", "cecilia.ek@sunne.se", "Sunne", "Fritidsgård", "I viss utsträckning", "Förekommer inte", "Ökat", "Vet ej"],
    ["2025/10/01 2:15:42 em CEST", "david.holm@sunne.se", "Sunne", "Skolan", "Vet ej", "I stor utsträckning", "Oförändrat", "Ökat"],
    ["2026/04/02 8:30:00 fm CEST", "eva.lind@sunne.se", "Sunne", "Socialtjänsten", "I liten utsträckning", "I viss utsträckning", "Minskat", "Oförändrat"],
]


def simple_csv(tmp_path: Path, headers: list[str], rows: list[list[str]], name: str = "enkat.csv"):
    """An Excel Swedish csv with Kommun, Sektor, Omgång columns before `headers`, examined."""
    full = [["Kommun", "Sektor", "Omgång", *headers], *[["Torsby", "Polis", "2026-H1", *row] for row in rows]]
    return examine(write_excel_csv(tmp_path / name, full), Workspace(tmp_path))


def notes_about(report, header: str) -> list[str]:
    return [note for note in report.notes if f"'{header}'" in note]


# --- 1. Microsoft Forms xlsx ------------------------------------------------------------------------


def test_microsoft_forms_likert_columns_are_presence_then_trend(tmp_path):
    report = examine(write_xlsx(tmp_path / "Lägesbild Torsby.xlsx", [MS_HEADER, *MS_ROWS]), Workspace(tmp_path))
    rows = staged(report)
    assert report.table.format == "xlsx"
    assert len(rows) == 2 * 3
    assert answer(report, 2, "natverk_narvaro") == ("stor", "okat")
    assert answer(report, 2, "oppen_handel") == ("forekommer_inte", "oforandrat")
    assert answer(report, 2, "andt_alkohol") == ("vet_ej", "vet_ej")
    assert answer(report, 3, "natverk_narvaro") == ("viss", "minskat")
    assert answer(report, 3, "oppen_handel") == ("liten", "vet_ej")
    assert answer(report, 3, "andt_alkohol") == ("stor", "okat")
    by_row = rows.drop_duplicates("source_row").set_index("source_row")
    assert by_row.loc[2, "respondent_id"] == "1" and by_row.loc[3, "respondent_id"] == "2"
    assert set(rows["municipality_code"]) == {TORSBY}
    assert by_row.loc[2, "sector"] == "polis" and by_row.loc[3, "sector"] == "socialtjanst"
    assert set(rows["round"]) == {"2026-H1"}
    assert pd.Timestamp(by_row.loc[2, "submitted_at"]).date() == dt.date(2026, 3, 2)
    assert set(rows["area_id"]) == {"natverk", "andt"}


def test_microsoft_forms_vet_ej_is_its_own_code_never_zero(tmp_path):
    texts = ["Vet ej", "VET EJ", "vet inte", "Kan inte bedöma"]
    rows = [ms_row(i + 1, "", "", "Torsby", "Skola", "2026-H1", [text, "I liten utsträckning", "Förekommer inte"],
                   [text, "Ökat", "Oförändrat"]) for i, text in enumerate(texts)]
    report = examine(write_xlsx(tmp_path / "vetej.xlsx", [MS_HEADER, *rows]), Workspace(tmp_path))
    assert report.issues.empty, report.issues["message"].tolist()
    for row in range(2, 2 + len(texts)):
        assert answer(report, row, "natverk_narvaro") == ("vet_ej", "vet_ej")
    # the scale values the indicators use: "Vet ej" has none, it is not 0 ("Förekommer inte")
    values = contract(Workspace(tmp_path)).values
    assert values["presence"]["vet_ej"] is None and values["trend"]["vet_ej"] is None
    assert values["presence"]["forekommer_inte"] == 0
    assert set(staged(report).query("question_id == 'natverk_narvaro'")["presence"]) == {"vet_ej"}


def test_microsoft_forms_personal_and_unused_columns_are_dropped_and_noted(tmp_path):
    report = examine(write_xlsx(tmp_path / "ms.xlsx", [MS_HEADER, *MS_ROWS]), Workspace(tmp_path))
    assert report.refusal is None
    for header in ("E-post", "Namn"):
        (note,) = notes_about(report, header)
        assert "personuppgift" in note and "sparas inte" in note
        assert header not in report.table.headers
    (note,) = notes_about(report, "Tid för senaste ändring")
    assert "används inte" in note
    assert not any("känns inte igen" in note for note in report.notes), report.notes
    cells = report.table.cells.to_numpy().ravel().tolist()
    assert not any("@" in str(cell) or "Qvist" in str(cell) for cell in cells)


def test_microsoft_forms_round_from_completion_time_when_no_round_column(tmp_path):
    # Started on the last evening of June, handed in after midnight: the submission is July's, H2.
    header = [h for h in MS_HEADER if h != "Omgång"]
    row = ms_row(7, "", "", "Torsby", "Fritid", "", ["Vet ej"] * 3, ["Vet ej"] * 3,
                 start=dt.datetime(2026, 6, 30, 23, 50), done=dt.datetime(2026, 7, 1, 0, 10))
    del row[8]
    report = examine(write_xlsx(tmp_path / "ms.xlsx", [header, row]), Workspace(tmp_path))
    rows = staged(report)
    assert set(rows["round"]) == {"2026-H2"}
    assert {pd.Timestamp(v).date() for v in rows["submitted_at"]} == {dt.date(2026, 7, 1)}
    assert any("inskickningsdatum" in note and "juli–december = H2" in note for note in report.notes), report.notes


@pytest.mark.parametrize(
    "presence_text,presence,trend_text,trend",
    [
        ("i stor utsträckning", "stor", "ÖKAT", "okat"),
        ("I STOR UTSTRÄCKNING", "stor", "har ökat", "okat"),
        ("  I stor  utsträckning. ", "stor", "Ökat!", "okat"),
        ("förekommer inte", "forekommer_inte", "oförändrat", "oforandrat"),
        ("Förekommer ej", "forekommer_inte", "Ingen förändring", "oforandrat"),
        ("i liten utsträckning", "liten", "minskat", "minskat"),
        ("Vet ej.", "vet_ej", "vet inte", "vet_ej"),
    ],
)
def test_answer_texts_match_regardless_of_case_spacing_and_punctuation(tmp_path, presence_text, presence, trend_text, trend):
    report = simple_csv(tmp_path, ["Arbetslöshet", "Arbetslöshet"], [[presence_text, trend_text]])
    assert report.issues.empty, report.issues["message"].tolist()
    assert answer(report, 2, "arbetsloshet") == (presence, trend)


def test_staging_has_one_row_per_respondent_and_question_asked(tmp_path):
    report = simple_csv(
        tmp_path, ["Arbetslöshet", "Utanförskap", "Arbetslöshet", "Utanförskap"],
        [["Vet ej", "I liten utsträckning", "Ökat", ""], ["", "", "", ""], ["Förekommer inte", "", "", "Minskat"]],
    )
    rows = staged(report)
    # three respondents (the second answered nothing but named its municipality, sector and round) × two questions
    assert sorted(zip(rows["source_row"], rows["question_id"])) == [
        (r, q) for r in (2, 3, 4) for q in ("arbetsloshet", "utanforskap")
    ]
    assert answer(report, 3, "arbetsloshet") == (None, None)
    assert answer(report, 4, "utanforskap") == (None, "minskat")


# --- 2. Google Forms csv ------------------------------------------------------------------------------


def test_google_forms_grid_columns_become_presence_and_trend(tmp_path):
    report = examine(write_google_csv(tmp_path / "Lägesbild Sunne.csv", [GOOGLE_HEADER, *GOOGLE_ROWS]), Workspace(tmp_path))
    rows = staged(report)
    assert report.issues.empty, report.issues["message"].tolist()
    assert "UTF-8" in report.table.description and "komma" in report.table.description
    assert answer(report, 2, "hoger") == ("viss", "okat")
    assert answer(report, 2, "oppen_handel") == ("forekommer_inte", "vet_ej")
    assert answer(report, 3, "hoger") == ("vet_ej", "oforandrat")
    assert answer(report, 3, "oppen_handel") == ("stor", "okat")
    assert answer(report, 4, "hoger") == ("liten", "minskat")
    by_row = rows.drop_duplicates("source_row").set_index("source_row")
    assert set(rows["municipality_code"]) == {SUNNE}
    assert by_row["sector"].to_dict() == {2: "fritid", 3: "skola", 4: "socialtjanst"}
    assert by_row["round"].to_dict() == {2: "2026-H1", 3: "2025-H2", 4: "2026-H1"}
    assert pd.Timestamp(by_row.loc[2, "submitted_at"]).date() == dt.date(2026, 3, 14)
    assert by_row["respondent_id"].isna().all()  # Google Forms has no response id
    assert "E-postadress" not in report.table.headers


@pytest.mark.parametrize(
    "timestamp,expected",
    [
        ("2026/01/01 12:00:01 fm CET", "2026-H1"),
        ("2026/06/30 11:59:59 em CEST", "2026-H1"),
        ("2026/07/01 12:00:00 fm CEST", "2026-H2"),
        ("2025/12/31 11:59:59 em CET", "2025-H2"),
        ("2026/03/14 3:45:12 PM GMT+1", "2026-H1"),  # an English-language account
        ("2026-09-14 10:02:11", "2026-H2"),  # the response sheet downloaded with Swedish locale
    ],
)
def test_google_forms_round_from_timestamp_by_half_year(tmp_path, timestamp, expected):
    row = [timestamp, "", "Sunne", "Polis", "Vet ej", "Vet ej", "Vet ej", "Vet ej"]
    report = examine(write_google_csv(tmp_path / "svar.csv", [GOOGLE_HEADER, row]), Workspace(tmp_path))
    assert report.issues.empty, report.issues["message"].tolist()
    assert set(staged(report)["round"]) == {expected}
    assert any("januari–juni = H1, juli–december = H2" in note for note in report.notes), report.notes


def test_round_column_wins_over_timestamp(tmp_path):
    # An autumn-round answer handed in late, in January: the round column says which round it is.
    header = GOOGLE_HEADER[:4] + ["Omgång"] + GOOGLE_HEADER[4:]
    row = ["2026/01/12 9:00:00 fm CET", "", "Sunne", "Polis", "HT 2025", "Vet ej", "Vet ej", "Vet ej", "Vet ej"]
    report = examine(write_google_csv(tmp_path / "svar.csv", [header, row]), Workspace(tmp_path))
    assert set(staged(report)["round"]) == {"2025-H2"}
    assert not any("inskickningsdatum" in note for note in report.notes)


def test_unreadable_timestamp_without_round_column_quarantines_that_row(tmp_path):
    rows = [GOOGLE_ROWS[0], ["i går vid lunch", "", "Sunne", "Polis", "Vet ej", "Vet ej", "Vet ej", "Vet ej"]]
    report = examine(write_google_csv(tmp_path / "svar.csv", [GOOGLE_HEADER, *rows]), Workspace(tmp_path))
    assert set(staged(report)["source_row"]) == {2}
    assert report.rows_quarantined == 1
    messages = report.issues.loc[report.issues["row"] == 3, "message"].tolist()
    assert any("rad 3" in m and "'Tidstämpel'" in m and "i går vid lunch" in m for m in messages), messages


# --- 3. Excel's Swedish csv, municipality from the folder, sector and round from the file name --------


EXCEL_ROWS = [
    ["Inskickad", "Öppen narkotikahandel – förekomst", "Öppen narkotikahandel – utveckling", "Kommentar om kriminella nätverk"],
    ["2026-07-02", "I stor utsträckning", "Ökat", "Handel vid Älvgatan; även på skolgården"],
    ["2026-07-03", "Förekommer inte", "Oförändrat", ""],
]


@pytest.mark.parametrize(
    "writer,description",
    [(write_excel_csv, "Windows-1252"), (write_bom_csv, "UTF-8 med BOM")],
    ids=["cp1252", "utf8-bom"],
)
def test_excel_csv_takes_municipality_from_folder_and_sector_and_round_from_file_name(tmp_path, writer, description):
    path = writer(enkat_path(tmp_path, "Årjäng", "Årjäng_Socialtjänst_VT2026.csv"), EXCEL_ROWS)
    assert ("Öppen".encode("cp1252") in path.read_bytes()) == (description == "Windows-1252")
    report = examine(path, Workspace(tmp_path), "enkat/Årjäng/Årjäng_Socialtjänst_VT2026.csv")
    assert report.issues.empty, report.issues["message"].tolist()
    assert description in report.table.description and "semikolon" in report.table.description
    rows = staged(report)
    assert set(rows["municipality_code"]) == {ARJANG}
    assert set(rows["sector"]) == {"socialtjanst"}
    # the file name says VT 2026, although the answers were handed in in July
    assert set(rows["round"]) == {"2026-H1"}
    assert answer(report, 2, "oppen_handel") == ("stor", "okat")
    assert answer(report, 3, "oppen_handel") == ("forekommer_inte", "oforandrat")
    notes = " ".join(report.notes)
    assert "kolumn för kommun saknas" in notes and "Årjäng (från mappnamnet)" in notes
    assert "Socialtjänst (från filnamnet)" in notes
    assert "2026-H1 (från filnamnet)" in notes
    comments = report.staging["stg_enkat_comment"]
    assert comments["comment"].tolist() == ["Handel vid Älvgatan; även på skolgården"]


def test_municipality_and_sector_from_file_name_outside_the_raw_folder(tmp_path):
    rows = [["Arbetslöshet", "Arbetslöshet"], ["I viss utsträckning", "Ökat"]]
    report = examine(write_excel_csv(tmp_path / "Sunne_skola_HT2025.csv", rows), Workspace(tmp_path))
    row = staged(report).iloc[0]
    assert (row["municipality_code"], row["sector"], row["round"]) == (SUNNE, "skola", "2025-H2")
    assert any("Sunne (från filnamnet)" in note for note in report.notes), report.notes


def test_folder_and_file_name_in_decomposed_unicode_as_a_mac_writes_them(tmp_path):
    # A folder made on a Mac (HFS+) and copied to the share keeps "Å" as "A" + combining ring.
    folder, name = (unicodedata.normalize("NFD", text) for text in ("Årjäng", "Årjäng_Socialtjänst_HT2025.csv"))
    assert folder != "Årjäng"
    path = write_excel_csv(enkat_path(tmp_path, folder, name), [["Arbetslöshet"], ["I viss utsträckning"]])
    row = staged(examine(path, Workspace(tmp_path))).iloc[0]
    assert (row["municipality_code"], row["sector"], row["round"]) == (ARJANG, "socialtjanst", "2025-H2")


def test_two_word_sector_alias_in_file_name(tmp_path):
    rows = [["Arbetslöshet"], ["I viss utsträckning"]]
    path = write_excel_csv(enkat_path(tmp_path, "Torsby", "Torsby_kultur-och-fritid_2026-H1.csv"), rows)
    report = examine(path, Workspace(tmp_path))
    assert set(staged(report)["sector"]) == {"fritid"}


# --- 4. header tolerance and catalogue versions --------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "HUR FÖREKOMMER följande i kommunen?[vit makt miljö]",
        "Hur förekommer följande i kommunen ? [ Vit makt-miljö ]",
        "Vit makt-miljö – förekomst",
        "Vit makt-miljö - förekomst",
        "Förekomst: Vit makt-miljö",
        "Vit makt-miljö: I vilken utsträckning förekommer det?",
        "vit  makt-miljö",  # a Microsoft Forms Likert statement, once: presence
        "VIT MAKT-MILJÖ.",
        "Hur vanligt är följande? [Högerextrem miljö]",
    ],
)
def test_presence_header_spellings(tmp_path, header):
    report = simple_csv(tmp_path, [header], [["I viss utsträckning"]])
    assert not any("känns inte igen" in note for note in report.notes), report.notes
    assert answer(report, 2, "hoger") == ("viss", None)


@pytest.mark.parametrize(
    "header",
    [
        "Hur har följande utvecklats det senaste året? [Vit makt-miljö]",
        "hur har följande utvecklats det senaste året?[VIT MAKT MILJÖ]",
        "Vit makt-miljö – utveckling",
        "Utveckling: vit makt-miljö",
        "Förändring sedan förra året [vit makt-miljö]",
        "Har det ökat eller minskat? [Högerextrem miljö]",
    ],
)
def test_trend_header_spellings(tmp_path, header):
    report = simple_csv(tmp_path, [header], [["Ökat"]])
    assert not any("känns inte igen" in note for note in report.notes), report.notes
    assert answer(report, 2, "hoger") == (None, "okat")


def test_header_texts_of_both_catalogue_versions_map_to_one_question(tmp_path):
    version_1 = ["Vit makt-miljö", "Rekrytering till extremistiska miljöer", "Öppen narkotikaförsäljning"]
    version_2 = ["Högerextrem miljö", "Rekrytering till våldsbejakande extremistiska miljöer", "Öppen narkotikahandel"]
    reports = []
    for name, texts in (("v1.csv", version_1), ("v2.csv", version_2)):
        headers = [PRESENCE_PROMPT.format(t) for t in texts] + [TREND_PROMPT.format(t) for t in texts]
        reports.append(simple_csv(tmp_path, headers, [["I liten utsträckning"] * 3 + ["Ökat"] * 3], name=name))
    questions = ["hoger", "rekrytering_extremism", "oppen_handel"]
    for report, version in zip(reports, ("1", "2")):
        rows = staged(report).set_index("question_id")
        assert sorted(rows.index) == sorted(questions)
        assert rows["header_version"].to_dict() == {q: version for q in questions}
        for question in questions:
            assert answer(report, 2, question) == ("liten", "okat")


def test_header_version_in_microsoft_forms_and_prompt_forms(tmp_path):
    headers = ["Vit makt-miljö", "Högerextrem miljö – utveckling", "Förekomst: Lustgas bland unga", "Kriminella nätverk"]
    report = simple_csv(tmp_path, headers, [["Vet ej", "Ökat", "Vet ej", "Vet ej"]])
    rows = staged(report).set_index("question_id")
    # hoger's first column used the version 1 text: that is the version the question is recorded under
    assert rows["header_version"].to_dict() == {"hoger": "1", "lustgas": "2", "natverk_narvaro": "1"}
    assert answer(report, 2, "hoger") == ("vet_ej", "okat")


CATALOGUE_HEADERS = [
    (question_id, version, header)
    for area in CATALOGUE["areas"].values()
    for question_id, question in area["questions"].items()
    for version, headers in question["headers"].items()
    for header in headers
]


@pytest.mark.parametrize("question_id,version,header", CATALOGUE_HEADERS, ids=[h for _, _, h in CATALOGUE_HEADERS])
def test_every_catalogue_header_maps_to_its_question_and_version(question_id, version, header):
    enkat = contract(Workspace(PROJECT_SCHEMAS.parent))
    for written in (header, header.upper(), PRESENCE_PROMPT.format(header)):
        assert enkat.map_headers([written]).fields == {0: f"{question_id}.presence"}, written
        assert header_versions([written], enkat) == {question_id: str(version)}, written
    assert enkat.map_headers([TREND_PROMPT.format(header)]).fields == {0: f"{question_id}.trend"}


# --- 5. unknown and unused columns ---------------------------------------------------------------------


def test_unknown_columns_are_reported_by_name(tmp_path):
    unknown = ["Fotbollshuliganer", PRESENCE_PROMPT.format("Cykelstölder"), "Övrigt om läget"]
    report = simple_csv(tmp_path, ["Arbetslöshet", *unknown], [["Vet ej", "I stor utsträckning", "Ökat", "Lugnt"]])
    for header in unknown:
        (note,) = notes_about(report, header)
        assert "känns inte igen" in note and report.path.name in note
    assert answer(report, 2, "arbetsloshet") == ("vet_ej", None)
    assert set(staged(report)["question_id"]) == {"arbetsloshet"}


def test_known_unused_columns_are_noted_as_unused_not_unknown(tmp_path):
    report = simple_csv(tmp_path, ["Arbetslöshet", "Tid för senaste ändring", "Poäng"], [["Vet ej", "2026-03-02 09:14", "0"]])
    for header in ("Tid för senaste ändring", "Poäng"):
        (note,) = notes_about(report, header)
        assert "används inte" in note
    assert not any("känns inte igen" in note for note in report.notes), report.notes


def test_column_without_header_but_with_values_is_reported_by_position(tmp_path):
    report = simple_csv(tmp_path, ["Arbetslöshet", ""], [["Vet ej", "något"]])
    assert any("'nr 5'" in note and "känns inte igen" in note for note in report.notes), report.notes


# --- 6. unknown answers: one answer in quarantine, the rest kept ---------------------------------------


def misspelt_google_rows() -> list[list[str]]:
    rows = [list(row) for row in GOOGLE_ROWS]
    rows[1][5] = "I stor utsträkning"  # spreadsheet row 3, Öppen narkotikaförsäljning, presence
    return rows


@pytest.mark.parametrize(
    "column,text,question,kept",
    [
        (5, "I stor utsträkning", "oppen_handel", (None, "okat")),
        (4, "Ganska mycket", "hoger", (None, "oforandrat")),
        (6, "Lite mer", "hoger", ("vet_ej", None)),
    ],
)
def test_unknown_answer_quarantines_only_that_answer(tmp_path, column, text, question, kept):
    rows = [list(row) for row in GOOGLE_ROWS]
    rows[1][column] = text
    report = examine(write_google_csv(tmp_path / "svar.csv", [GOOGLE_HEADER, *rows]), Workspace(tmp_path))
    assert (report.rows_loaded, report.rows_quarantined, report.cells_quarantined) == (3, 0, 1)
    (issue,) = report.issues.to_dict("records")
    assert issue["row"] == 3 and issue["column"] == GOOGLE_HEADER[column] and issue["value"] == text
    assert re.search(r"\brad 3\b", issue["message"]) and f"'{text}'" in issue["message"]
    assert "svar.csv" in issue["message"] and GOOGLE_HEADER[column] in issue["message"]
    assert answer(report, 3, question) == kept
    other = "oppen_handel" if question == "hoger" else "hoger"
    assert None not in answer(report, 3, other)  # the respondent's other answers stay
    assert len(staged(report)) == 3 * 2


def test_check_names_row_and_column_of_a_misspelt_answer_and_keeps_the_rest(tmp_path):
    write_google_csv(tmp_path / "lagesbild_sunne.csv", [GOOGLE_HEADER, *misspelt_google_rows()])
    result = subprocess.run([str(LAGESBILD), "check", "lagesbild_sunne.csv"], cwd=tmp_path, capture_output=True, timeout=120)
    text = result.stdout.decode("utf-8")
    assert result.returncode == 1, text + result.stderr.decode("utf-8")
    (line,) = [line for line in text.splitlines() if "utsträkning" in line]
    assert "lagesbild_sunne.csv" in line
    assert re.search(r"\brad 3\b", line), line
    assert f"kolumn '{PRESENCE_PROMPT.format('Öppen narkotikaförsäljning')}'" in line
    assert "inget tillåtet svar" in line
    assert re.search(r"\b3 rader lästa, 3 inlästa, 0 i karantän\b", text), text
    assert re.search(r"\b1 enskil\w* svar skulle hamna i karantän\b", text), text
    assert "rader skulle hamna i karantän" not in text
    assert not (tmp_path / "data").exists()


def test_ingest_puts_the_misspelt_answer_in_quarantine_and_the_rest_in_staging(tmp_path):
    write_google_csv(enkat_path(tmp_path, "svar_sunne.csv"), [GOOGLE_HEADER, *misspelt_google_rows()])
    workspace = Workspace(tmp_path)
    (outcome,) = ingest(workspace)
    assert outcome.action == "inläst med karantän", outcome.message
    quarantine = query(workspace, "SELECT path, source_row, column_name, value, rule, message FROM quarantine")
    assert quarantine[["path", "source_row", "column_name", "value"]].values.tolist() == [
        ["enkat/svar_sunne.csv", 3, PRESENCE_PROMPT.format("Öppen narkotikaförsäljning"), "I stor utsträkning"]
    ]
    stg = query(workspace, "SELECT source_row, question_id, presence, trend FROM stg_enkat ORDER BY source_row, question_id")
    assert len(stg) == 3 * 2
    cells = {(r.source_row, r.question_id): (r.presence, r.trend) for r in stg.itertuples()}
    assert pd.isna(cells[(3, "oppen_handel")][0]) and cells[(3, "oppen_handel")][1] == "okat"
    assert cells[(3, "hoger")] == ("vet_ej", "oforandrat")
    files = query(workspace, "SELECT rows_read, rows_loaded, rows_quarantined, status FROM raw_files")
    assert files.values.tolist() == [[3, 3, 0, "inläst med karantän"]]


# --- 7. row-level failures and refusal -----------------------------------------------------------------


@pytest.mark.parametrize(
    "municipality,sector,round_,column,fragments",
    [
        ("Okänd", "Polis", "2026-H1", "Kommun", ["'Okänd'", "ingen svensk kommun"]),
        ("Sunnne", "Polis", "2026-H1", "Kommun", ["'Sunnne'", "ingen svensk kommun", "Menade du Sunne"]),
        ("", "Polis", "2026-H1", "Kommun", ["värde saknas", "kommun måste anges"]),
        ("Torsby", "Bagare", "2026-H1", "Sektor", ["'Bagare'", "inget tillåtet svar för sektor", "Socialtjänst"]),
        ("Torsby", "", "2026-H1", "Sektor", ["värde saknas", "sektor måste anges"]),
        ("Torsby", "Polis", "2026-H3", "Omgång", ["'2026-H3'", "ingen enkätomgång"]),
        ("Torsby", "Polis", "", "Omgång", ["värde saknas", "omgång måste anges"]),
    ],
)
def test_row_level_failure_quarantines_the_whole_row(tmp_path, municipality, sector, round_, column, fragments):
    rows = [
        ["Kommun", "Sektor", "Omgång", "Arbetslöshet", "Arbetslöshet"],
        ["Torsby", "Polis", "2026-H1", "I viss utsträckning", "Ökat"],
        [municipality, sector, round_, "I stor utsträckning", "Minskat"],
        ["Sunne", "Skola", "VT 2026", "Förekommer inte", "Oförändrat"],
    ]
    report = examine(write_excel_csv(tmp_path / "enkat.csv", rows), Workspace(tmp_path))
    assert (report.rows_loaded, report.rows_quarantined, report.cells_quarantined) == (2, 1, 0)
    assert sorted(staged(report)["source_row"]) == [2, 4]
    (issue,) = report.issues.to_dict("records")
    assert issue["row"] == 3 and issue["column"] == column
    message = issue["message"]
    assert message.startswith(f"enkat.csv, rad 3, kolumn '{column}': "), message
    for fragment in fragments:
        assert fragment in message, message
    assert answer(report, 4, "arbetsloshet") == ("forekommer_inte", "oforandrat")


def test_bad_municipality_and_bad_answer_in_one_row_count_as_one_row(tmp_path):
    rows = [
        ["Kommun", "Sektor", "Omgång", "Arbetslöshet", "Utanförskap"],
        ["Torsby", "Polis", "2026-H1", "Vet ej", "Vet ej"],
        ["Tosby", "Polis", "2026-H1", "Ganska mycket", "Vet ej"],
    ]
    report = examine(write_excel_csv(tmp_path / "enkat.csv", rows), Workspace(tmp_path))
    assert (report.rows_loaded, report.rows_quarantined, report.cells_quarantined) == (1, 1, 0)
    assert sorted(report.issues["column"]) == ["Arbetslöshet", "Kommun"]
    assert set(staged(report)["source_row"]) == {2}


def test_file_without_municipality_column_or_hint_in_path_is_refused(tmp_path):
    rows = [["Sektor", "Omgång", "Arbetslöshet"], ["Polis", "2026-H1", "Vet ej"]]
    report = examine(write_excel_csv(tmp_path / "lagesbild_polis_2026-H1.csv", rows), Workspace(tmp_path))
    assert report.staging is None
    assert report.refusal is not None
    assert "lagesbild_polis_2026-H1.csv" in report.refusal
    assert re.search(r"kolumn för kommun saknas", report.refusal, re.IGNORECASE), report.refusal


def test_file_without_round_column_round_in_name_or_dates_is_refused(tmp_path):
    rows = [["Arbetslöshet"], ["Vet ej"]]
    path = write_excel_csv(enkat_path(tmp_path, "Torsby", "Torsby_polis.csv"), rows)
    report = examine(path, Workspace(tmp_path))
    assert report.staging is None
    assert re.search(r"kolumn för omgång saknas", report.refusal, re.IGNORECASE), report.refusal
    assert "Torsby_polis.csv" in report.refusal


def test_ingest_refuses_file_without_municipality_and_stores_none_of_it(tmp_path):
    rows = [["Sektor", "Omgång", "Arbetslöshet"], ["Polis", "2026-H1", "Vet ej"]]
    write_excel_csv(enkat_path(tmp_path, "polis_2026-H1.csv"), rows)  # directly in enkat/: no municipality folder
    workspace = Workspace(tmp_path)
    (outcome,) = ingest(workspace)
    assert outcome.action == "avvisad"
    assert re.search(r"kolumn för kommun saknas", outcome.message, re.IGNORECASE), outcome.message
    for table in ("stg_enkat", "stg_enkat_comment", "quarantine", "raw_files"):
        assert query(workspace, f"SELECT count(*) AS n FROM {table}")["n"].item() == 0, table
    refused = query(workspace, "SELECT path FROM refused_files")
    assert refused["path"].tolist() == ["enkat/polis_2026-H1.csv"]


# --- 8. survey rounds ----------------------------------------------------------------------------------


ROUND_ALIASES = CATALOGUE["round_aliases"]
VALID_ROUNDS = {
    "2026-H1": "2026-H1", "2026 H2": "2026-H2", "H1 2026": "2026-H1", "VT 2026": "2026-H1", "HT 2025": "2025-H2",
    "våren 2026": "2026-H1", "hösten 2025": "2025-H2", "2026:1": "2026-H1", "2026:2": "2026-H2",
    "ht2025": "2025-H2", "Vt-2026": "2026-H1", "VÅREN 2026": "2026-H1", " 2026-h2 ": "2026-H2",
}
INVALID_ROUNDS = ["2026-H3", "2026", "vår", "H1", "2026:3", "VT 26", "sommaren 2026", "1999-H1", "2026-H1-2026-H2"]


@pytest.mark.parametrize("text,expected", VALID_ROUNDS.items())
def test_parse_rounds_reads_round_spellings(text, expected):
    assert parse_rounds(pd.Series([text]), ROUND_ALIASES).tolist() == [expected]


@pytest.mark.parametrize("text", INVALID_ROUNDS)
def test_parse_rounds_rejects_non_rounds(text):
    assert parse_rounds(pd.Series([text]), ROUND_ALIASES).isna().all()


HALF_WORDS = {1: ["H1", "VT", "våren", "vår"], 2: ["H2", "HT", "hösten", "höst"]}


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(2000, 2100),
    half=st.sampled_from([1, 2]),
    word_index=st.integers(0, 3),
    year_first=st.booleans(),
    separator=st.sampled_from([" ", "-", "  ", "", "_", ":"]),
    upper=st.booleans(),
)
def test_parse_rounds_property(year, half, word_index, year_first, separator, upper):
    word = HALF_WORDS[half][word_index]
    text = f"{year}{separator}{word}" if year_first else f"{word}{separator}{year}"
    text = text.upper() if upper else text
    assert parse_rounds(pd.Series([text]), ROUND_ALIASES).tolist() == [f"{year}-H{half}"]


@settings(max_examples=100, deadline=None)
@given(year=st.integers(1000, 9999), half=st.integers(3, 9), year_first=st.booleans())
def test_parse_rounds_rejects_other_halves(year, half, year_first):
    text = f"{year}-H{half}" if year_first else f"H{half} {year}"
    assert parse_rounds(pd.Series([text]), ROUND_ALIASES).isna().all()


def test_round_column_spellings_in_a_file(tmp_path):
    texts = list(VALID_ROUNDS)
    rows = [["Kommun", "Sektor", "Omgång", "Arbetslöshet"], *[["Torsby", "Polis", text, "Vet ej"] for text in texts]]
    report = examine(write_excel_csv(tmp_path / "rounds.csv", rows), Workspace(tmp_path))
    assert report.issues.empty, report.issues["message"].tolist()
    got = staged(report).set_index("source_row")["round"].to_dict()
    assert got == {row: VALID_ROUNDS[text] for row, text in enumerate(texts, start=2)}


@pytest.mark.parametrize(
    "name,expected",
    [
        ("Torsby_polis_2026-H1.csv", "2026-H1"),
        ("torsby_polis_VT2026.xlsx", "2026-H1"),
        ("torsby polis HT 2025.csv", "2025-H2"),
        ("Torsby_H2-2025_skola.csv", "2025-H2"),
        ("Torsby_polis_2026.csv", None),
        ("Torsby_polis.csv", None),
    ],
)
def test_round_from_file_name(name, expected):
    assert round_from_name(name) == expected


# --- 9. privacy ----------------------------------------------------------------------------------------


PERSONAL_VALUES = [
    "anna.qvist@torsby.se", "Anna Qvist", "bertil.zander@torsby.se", "Bertil Zander",
    "cecilia.ek@sunne.se", "david.holm@sunne.se", "eva.lind@sunne.se", "Fredrika Nygårdh", "070-123 45 67",
]
PERSONAL_HEADERS = ["E-post", "Namn", "E-postadress", "Ditt namn", "Telefonnummer"]


def test_personal_columns_never_reach_the_database(tmp_path):
    ms_rows = [list(row) for row in MS_ROWS]
    ms_rows[0][9] = "Ganska mycket"  # a quarantined answer in a row that has an e-mail and a name
    write_xlsx(enkat_path(tmp_path, "Torsby", "ms.xlsx"), [MS_HEADER, *ms_rows])
    write_google_csv(enkat_path(tmp_path, "google.csv"), [GOOGLE_HEADER, *misspelt_google_rows()])
    write_excel_csv(
        enkat_path(tmp_path, "Årjäng", "Årjäng_polis_2026-H1.csv"),
        [["Ditt namn", "Telefonnummer", "Arbetslöshet", "Kommentar om sociala risker"],
         ["Fredrika Nygårdh", "070-123 45 67", "Vet ej", "Inget att tillägga"]],
    )
    workspace = Workspace(tmp_path)
    outcomes = ingest(workspace)
    assert sorted(o.action for o in outcomes) == ["inläst", "inläst med karantän", "inläst med karantän"], [
        (o.label, o.action, o.message) for o in outcomes
    ]
    columns, cells = every_text(workspace)
    assert len(cells) > 50  # the scan saw the stored rows
    leaks = [(table, column, text) for table, column, text in cells for value in PERSONAL_VALUES if value.casefold() in text.casefold()]
    assert leaks == []
    personal = {re.sub(r"\W+", "", h.casefold()) for h in PERSONAL_HEADERS + ["email", "epost", "name"]}
    assert [c for c in columns if re.sub(r"\W+", "", c[1].casefold()) in personal] == []
    assert not set(query(workspace, "SELECT column_name FROM quarantine")["column_name"]) & set(PERSONAL_HEADERS)
    # the columns were there and were dropped: the notes say so by name
    notes = " ".join(query(workspace, "SELECT unnest(notes) AS note FROM raw_files")["note"])
    for header in PERSONAL_HEADERS:
        assert f"'{header}' är en personuppgift" in notes, header


PERSONAL_NUMBERS = ["19121212-1212", "811218-9876", "640823-3234"]


def test_column_of_personal_numbers_refuses_the_file_and_stores_nothing(tmp_path):
    assert valid_mask(pd.Series(PERSONAL_NUMBERS)).all()  # valid check digits (see test_pnr.py)
    rows = [["Personnummer", "Arbetslöshet", "Arbetslöshet", "Kommentar om sociala risker"]]
    rows += [[number, "Vet ej", "Ökat", "Arbetslösheten ökar"] for number in PERSONAL_NUMBERS]
    write_excel_csv(enkat_path(tmp_path, "Torsby", "Torsby_polis_2026-H1.csv"), rows)
    workspace = Workspace(tmp_path)
    (outcome,) = ingest(workspace)
    assert outcome.action == "avvisad"
    assert "'Personnummer'" in outcome.message and "personnummer" in outcome.message
    assert "Inget från filen har sparats" in outcome.message
    for table in ("stg_enkat", "stg_enkat_comment", "quarantine", "raw_files"):
        assert query(workspace, f"SELECT count(*) AS n FROM {table}")["n"].item() == 0, table
    _, cells = every_text(workspace)
    digits = [n.replace("-", "") for n in PERSONAL_NUMBERS]
    assert [t for *_, t in cells if any(n in t or n in t.replace("-", "") for n in PERSONAL_NUMBERS + digits)] == []
    assert all("Arbetslösheten ökar" not in t for *_, t in cells)


def test_personal_number_inside_a_comment_refuses_the_file(tmp_path):
    rows = [
        ["Kommun", "Sektor", "Omgång", "Arbetslöshet", "Kommentar om sociala risker"],
        ["Torsby", "Polis", "2026-H1", "Vet ej", "Ring mig, 19121212-1212"],
        ["Torsby", "Skola", "2026-H1", "Vet ej", ""],
    ]
    report = examine(write_excel_csv(tmp_path / "enkat.csv", rows), Workspace(tmp_path))
    assert report.staging is None
    assert "'Kommentar om sociala risker'" in report.refusal and "personnummer" in report.refusal
    assert "1212" not in report.refusal


# --- 10. comments ------------------------------------------------------------------------------------


COMMENT_ROWS = [
    ["Kommun", "Sektor", "Omgång", "Arbetslöshet", "Kommentar om kriminella nätverk", "Kommentar [Våldsbejakande extremism]"],
    ["Torsby", "Polis", "2026-H1", "Vet ej", "Nätverket rekryterar vid torget", None],
    ["Torsby", "Skola", "2026-H1", "Vet ej", None, None],
    ["Torsby", "Fritid", "2026-H1", "Vet ej", "Klotter vid stationen", "   "],
    ["Torsby", "Bostadsbolag", "2026-H1", "Vet ej", None, "Dekaler med vit makt-budskap"],
]


def test_only_filled_comments_are_staged_with_their_area(tmp_path):
    report = examine(write_xlsx(tmp_path / "kommentarer.xlsx", COMMENT_ROWS), Workspace(tmp_path))
    comments = report.staging["stg_enkat_comment"]
    got = sorted(zip(comments["source_row"], comments["area_id"], comments["sector"], comments["comment"]))
    assert got == [
        (2, "natverk", "polis", "Nätverket rekryterar vid torget"),
        (4, "natverk", "fritid", "Klotter vid stationen"),
        (5, "extremism", "bostadsbolag", "Dekaler med vit makt-budskap"),
    ]
    assert set(comments["municipality_code"]) == {TORSBY} and set(comments["round"]) == {"2026-H1"}
    assert "comment" not in staged(report).columns  # answers and comments are apart
    assert set(staged(report)["question_id"]) == {"arbetsloshet"}


def test_comments_are_stored_in_stg_enkat_comment(tmp_path):
    write_xlsx(enkat_path(tmp_path, "Torsby", "kommentarer.xlsx"), COMMENT_ROWS)
    workspace = Workspace(tmp_path)
    (outcome,) = ingest(workspace)
    assert outcome.action == "inläst", outcome.message
    stored = query(workspace, "SELECT path, source_row, area_id, comment FROM stg_enkat_comment ORDER BY source_row")
    assert stored.values.tolist() == [
        ["enkat/Torsby/kommentarer.xlsx", 2, "natverk", "Nätverket rekryterar vid torget"],
        ["enkat/Torsby/kommentarer.xlsx", 4, "natverk", "Klotter vid stationen"],
        ["enkat/Torsby/kommentarer.xlsx", 5, "extremism", "Dekaler med vit makt-budskap"],
    ]
    assert query(workspace, "SELECT count(*) AS n FROM stg_enkat")["n"].item() == 4
