"""The demo questionnaire exports: three real layouts, four rounds, and what the reader makes of them."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline.config import PROJECT_SCHEMAS, Workspace
from pipeline.demo.enkat import write_enkat_demo
from pipeline.ingest.examine import examine

END = "2026-10"  # rounds 2025-H1 .. 2026-H2, the last one in progress
ROUNDS = ["2025-H1", "2025-H2", "2026-H1", "2026-H2"]
V2_FROM = "2026-H1"
MUNICIPALITIES = {"1766": "Sunne", "1737": "Torsby", "1783": "Hagfors", "1780": "Karlstad", "1762": "Munkfors"}
GOOGLE_START = ["Tidstämpel", "E-postadress", "Kommun", "Vilken verksamhet representerar du?"]
MS_START = ["ID", "Starttid", "Tid för slutförande", "E-post", "Namn", "Tid för senaste ändring",
            "Kommun", "Sektor", "Omgång"]
PRESENCE_PROMPT = "Hur förekommer följande i kommunen?"
TREND_PROMPT = "Hur har följande utvecklats det senaste året?"
RAW = "data/raw/enkat/"


@pytest.fixture(scope="module")
def spec() -> dict:
    return yaml.safe_load((PROJECT_SCHEMAS / "enkat.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("enkat_demo")
    return root, write_enkat_demo(root, END)


@pytest.fixture(scope="module")
def reports(demo) -> dict[str, object]:
    root, paths = demo
    workspace = Workspace(root)
    return {p.relative_to(root).as_posix(): examine(p, workspace, p.relative_to(workspace.raw).as_posix()) for p in paths}


@pytest.fixture(scope="module")
def staging(reports) -> pd.DataFrame:
    return pd.concat([r.staging["stg_enkat"].assign(file=name) for name, r in reports.items()], ignore_index=True)


def sha256_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def read_csv(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline=""), delimiter=delimiter))


def questions(spec: dict) -> dict[str, dict]:
    return {qid: q for area in spec["areas"].values() for qid, q in area["questions"].items()}


def expected_header(question: dict, round_id: str) -> str:
    """The header text the demo should use: the version's first text, else version 1's."""
    texts = question["headers"].get("2") if round_id >= V2_FROM else None
    text = (texts or question["headers"]["1"])[0]
    return text[0].upper() + text[1:]


def asked(question: dict, round_id: str) -> bool:
    return question.get("since_version") != "2" or round_id >= V2_FROM


# --- files ----------------------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_another_seed_other_answers(tmp_path):
    write_enkat_demo(tmp_path / "a", END, seed=7)
    write_enkat_demo(tmp_path / "b", END, seed=7)
    write_enkat_demo(tmp_path / "c", END, seed=8)
    first, second, other = (sha256_tree(tmp_path / x) for x in "abc")
    assert first == second
    assert first.keys() == other.keys()
    assert first != other


def test_written_paths(demo):
    root, paths = demo
    relative = [p.relative_to(root).as_posix() for p in paths]
    assert len(relative) == len(set(relative)) == 4 + 8 + 20
    assert set(relative) == set(sha256_tree(root))  # nothing else written
    google = [r for r in relative if "google-forms" in r]
    assert len(google) == len(ROUNDS)
    assert all(re.fullmatch(f"{RAW}google-forms/lagesbild_sunne_torsby_export_\\d{{8}}\\.csv", r) for r in google)
    assert {r for r in relative if "microsoft-forms" in r} == {
        f"{RAW}microsoft-forms/{k}_lagesbild_{r}.xlsx" for k in ("hagfors", "karlstad") for r in ROUNDS}
    sectors = ["polis", "socialtjanst", "skola", "fritid", "sakerhetssamordnare"]  # no bostadsbolag
    assert {r for r in relative if "/munkfors/" in r} == {
        f"{RAW}munkfors/munkfors_{s}_{r}.csv" for s in sectors for r in ROUNDS}


def test_bad_end_period_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_enkat_demo(tmp_path, "2026-13")
    assert not (tmp_path / "data").exists()


def test_google_forms_csv_is_utf8_comma_quoted_without_bom(demo, spec):
    root, _ = demo
    for path in sorted((root / RAW / "google-forms").glob("*.csv")):
        data = path.read_bytes()
        assert data.startswith('"Tidstämpel","E-postadress"'.encode())  # no BOM, every field quoted
        rows = read_csv(path, "utf-8", ",")
        header = rows[0]
        first = dt.datetime.strptime(rows[1][0], "%Y-%m-%d %H:%M:%S")
        round_id = f"{first.year}-H{1 if first.month <= 6 else 2}"
        assert header[:4] == GOOGLE_START
        assert all(len(row) == len(header) for row in rows)
        grid = header[4:]
        presence = [h for h in grid if h.startswith(PRESENCE_PROMPT + " [")]
        trend = [h for h in grid if h.startswith(TREND_PROMPT + " [")]
        assert grid[: len(presence)] == presence and grid[len(presence): len(presence) + len(trend)] == trend
        wanted = [expected_header(q, round_id) for q in questions(spec).values() if asked(q, round_id)]
        assert [h[len(PRESENCE_PROMPT) + 2:-1] for h in presence] == wanted
        assert [h[len(TREND_PROMPT) + 2:-1] for h in trend] == wanted
        assert not any("omgång" in h.lower() for h in header)
        body = [dict(zip(header, row)) for row in rows[1:]]
        assert {r["Kommun"] for r in body} == {"Sunne", "Torsby"}
        assert {r["E-postadress"] for r in body} == {"fornamn.efternamn@example.se"}
        stamps = [dt.datetime.strptime(r["Tidstämpel"], "%Y-%m-%d %H:%M:%S") for r in body]
        assert stamps == sorted(stamps)
        year, half = int(round_id[:4]), round_id[-1]
        assert all(s.year == year and (s.month <= 6) == (half == "1") for s in stamps)
        assert max(stamps) < dt.datetime(2026, 11, 1)


def test_microsoft_forms_workbooks_have_bare_statements_twice_and_real_datetimes(demo, spec):
    root, _ = demo
    for name in ("hagfors", "karlstad"):
        for round_id in ROUNDS:
            path = root / RAW / f"microsoft-forms/{name}_lagesbild_{round_id}.xlsx"
            book = openpyxl.load_workbook(path)
            assert book.sheetnames == ["Sheet1"]
            sheet = book["Sheet1"]
            header = [c.value for c in sheet[1]]
            assert header[:9] == MS_START
            wanted = [expected_header(q, round_id) for q in questions(spec).values() if asked(q, round_id)]
            assert header[9: 9 + 2 * len(wanted)] == wanted + wanted
            assert all(h.lower().startswith("kommentar") for h in header[9 + 2 * len(wanted):])
            rows = list(sheet.iter_rows(min_row=2))
            assert len(rows) == 6
            for row in rows:
                start, done = row[1], row[2]
                assert start.is_date and done.is_date and isinstance(done.value, dt.datetime)
                assert start.value < done.value
            half = "VT" if round_id.endswith("H1") else "HT"
            assert {r[8].value for r in rows} == {f"{half} {round_id[:4]}"}
            assert {r[6].value for r in rows} == {name.capitalize()}
            with zipfile.ZipFile(path) as archive:
                assert {info.date_time for info in archive.infolist()} == {(2026, 11, 1, 7, 0, 0)}
            assert book.properties.created == book.properties.modified == dt.datetime(2026, 11, 1, 7, 0)


def test_munkfors_files_are_excel_semicolon_csv_in_cp1252(demo, spec):
    root, _ = demo
    paths = sorted((root / RAW / "munkfors").iterdir())
    for path in paths:
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.count(b"\n") == data.count(b"\r\n") == 2  # header and one respondent
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert b"f\xf6rekomst" in data and b"\x96" in data  # ö and the en dash as cp1252 bytes
        rows = read_csv(path, "cp1252", ";")
        assert len(rows) == 2 and len(rows[0]) == len(rows[1])
        header = rows[0]
        assert header[0] == "Datum"
        assert not {"kommun", "sektor", "omgång"} & {h.lower() for h in header}
        round_id = path.stem.rsplit("_", 1)[1]
        wanted = [expected_header(q, round_id) for q in questions(spec).values() if asked(q, round_id)]
        answers = [h for h in header[1:] if not h.startswith("Kommentar om ")]
        assert answers == [f"{w} – {s}" for w in wanted for s in ("förekomst", "utveckling")]
        assert len(header) - len(answers) - 1 == len(spec["areas"])
        assert dt.date.fromisoformat(rows[1][0]).year == int(round_id[:4])
    assert any(b"\xe5" in p.read_bytes() or b"\xe4" in p.read_bytes() for p in paths)  # å, ä


# --- through the reader ---------------------------------------------------------------------------

def test_every_file_is_read_as_enkat_without_unknown_columns(reports):
    assert len(reports) == 32
    for name, report in reports.items():
        assert report.source == "enkat", name
        assert report.refusal is None, name
        assert not [n for n in report.notes if "känns inte igen" in n], name
        assert report.rows_quarantined == 0, name
        dropped = {n.split("'")[1] for n in report.notes if "personuppgift" in n}
        if "google-forms" in name:
            assert dropped == {"E-postadress"}
        elif "microsoft-forms" in name:
            assert dropped == {"E-post", "Namn"}
        else:
            assert dropped == set()
            assert any("från mappnamnet" in n for n in report.notes)


def test_exactly_the_planted_answers_are_quarantined_one_cell_each(reports, staging):
    issues = pd.concat([r.issues.assign(file=name) for name, r in reports.items()], ignore_index=True)
    assert sorted(issues["value"]) == ["Ganska mycket", "I stor utsträkning", "Ökar kraftigt"]
    assert set(issues["rule"]) == {"kod"}
    by_value = issues.set_index("value")
    assert by_value.at["I stor utsträkning", "file"].startswith(f"{RAW}google-forms/")
    misspelt = reports[by_value.at["I stor utsträkning", "file"]].staging["stg_enkat"]
    assert set(misspelt["round"]) == {ROUNDS[-1]}  # the latest round, found from the timestamps
    assert by_value.at["I stor utsträkning", "field"].endswith(".presence")
    assert by_value.at["Ganska mycket", "file"].startswith(f"{RAW}microsoft-forms/")
    assert by_value.at["Ökar kraftigt", "file"].startswith(f"{RAW}munkfors/")
    assert by_value.at["Ökar kraftigt", "field"].endswith(".trend")
    for issue in issues.itertuples():
        report = reports[issue.file]
        assert report.cells_quarantined == 1 and report.rows_quarantined == 0
        question, scale = issue.field.split(".")
        rows = staging[(staging["file"] == issue.file) & (staging["source_row"] == issue.row)]
        assert len(rows) > 20  # the respondent's other answers are kept
        assert rows.loc[rows["question_id"] == question, scale].isna().all()
        assert rows["presence"].notna().sum() >= len(rows) - 3
    clean = [r for r in reports.values() if r.issues.empty]
    assert len(clean) == 29 and all(r.cells_quarantined == 0 for r in clean)


def test_staging_has_four_rounds_five_municipalities_and_catalogue_versions(staging, spec):
    assert sorted(staging["round"].unique()) == ROUNDS
    assert set(staging["municipality_code"]) == set(MUNICIPALITIES)
    with_v2 = {qid for qid, q in questions(spec).items() if q["headers"].get("2")}
    early = staging["round"] < V2_FROM
    assert set(staging.loc[early, "header_version"]) == {"1"}
    assert set(staging.loc[~early & staging["question_id"].isin(with_v2), "header_version"]) == {"2"}
    assert set(staging.loc[~early & ~staging["question_id"].isin(with_v2), "header_version"]) == {"1"}
    lustgas = staging[staging["question_id"] == "lustgas"]
    assert set(lustgas["round"]) == {"2026-H1", "2026-H2"}
    assert set(lustgas["municipality_code"]) == set(MUNICIPALITIES)
    per_round = staging.groupby("round")["question_id"].nunique()
    assert per_round["2026-H1"] == per_round["2025-H2"] + 1 == len(questions(spec))


def test_sectors_answer_with_the_planted_gaps(staging, spec):
    expected = {code for code, s in spec["sectors"].items() if s.get("expected")}
    sectors = staging.groupby(["municipality_code", "round"])["sector"].agg(set)
    for (code, round_id), answered in sectors.items():
        if code == "1762":
            assert answered == expected - {"bostadsbolag"}
        elif code == "1737" and round_id == ROUNDS[-1]:
            assert answered == expected - {"fritid"}
        else:
            assert answered == expected, (code, round_id)
    assert len(sectors) == 5 * 4


def test_the_resubmission_is_staged_twice_with_changed_answers(staging):
    respondents = staging.drop_duplicates(["file", "source_row"])
    per_key = respondents.groupby(["municipality_code", "sector", "round"]).size()
    assert per_key[per_key > 1].to_dict() == {("1766", "socialtjanst", "2026-H1"): 2}
    twice = staging[(staging["municipality_code"] == "1766") & (staging["sector"] == "socialtjanst")
                    & (staging["round"] == "2026-H1")]
    answers = twice.pivot(index="question_id", columns="submitted_at", values="presence")
    first, later = sorted(answers.columns)
    assert later - first >= pd.Timedelta(days=2)
    assert 1 <= (answers[first] != answers[later]).sum() <= 5


def test_answers_show_plausible_views_trends_and_disagreement(staging, spec):
    values = {code: a["value"] for code, a in spec["scales"]["presence"]["answers"].items() if "value" in a}
    frame = staging.assign(value=staging["presence"].map(values))
    by_sector = frame.groupby(["area_id", "sector"])["value"].mean()
    assert by_sector["natverk"]["polis"] > by_sector["natverk"].drop("polis").max()
    assert by_sector["skola"]["skola"] > by_sector["skola"].drop("skola").max()
    assert by_sector["fritid"]["fritid"] > by_sector["fritid"].drop("fritid").max()
    assert frame.loc[frame["area_id"] == "extremism", "value"].mean() < 1
    unsure = frame["presence"].eq("vet_ej").groupby([frame["sector"], frame["area_id"]]).mean()
    assert unsure["bostadsbolag", "extremism"] > unsure["polis", "natverk"]
    assert frame["trend"].eq("vet_ej").any()
    assert frame.loc[frame["question_id"] == "lustgas", "trend"].eq("okat").mean() > 0.5
    networks = frame[frame["question_id"].isin(["natverk_narvaro", "oppen_handel"])
                     & frame["municipality_code"].isin(["1783", "1780"])]
    by_round = networks.groupby("round")["value"].mean()
    assert by_round[ROUNDS[-1]] > by_round[ROUNDS[0]] + 0.5
    latest = frame[(frame["municipality_code"] == "1783") & (frame["round"] == ROUNDS[-1])]
    spread = latest.groupby("question_id")["value"].agg(lambda v: v.max() - v.min())
    assert spread.max() >= 2  # a samsyn finding: two sectors two steps apart


def test_comments_are_staged_and_personal_values_are_not(reports, staging):
    comments = pd.concat([r.staging["stg_enkat_comment"] for r in reports.values()], ignore_index=True)
    assert len(comments) > 10
    assert {"google-forms", "microsoft-forms", "munkfors"} <= {
        name.split("/")[3] for name, r in reports.items() if len(r.staging["stg_enkat_comment"])}
    text = pd.concat([staging.astype(str), comments.astype(str)]).to_csv()
    assert "example.se" not in text and "Efternamn" not in text
