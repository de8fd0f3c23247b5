"""Questionnaire figures on a small, hand-checked example: replacement, index, samsyn, regional picture.

Three SuToHaMu municipalities answer three questions in 2026-H1 (Sunne also in 2025-H2), through
real files: a Google Forms csv and a Munkfors-style per-sector csv without a timestamp. Munkfors
does not answer. Every expected figure below is worked out by hand in the comments.
"""
from __future__ import annotations

import csv

import duckdb
import pandas as pd
import pytest

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.ingest import ingest
from pipeline.publish import publish

PRESENCE = "Hur förekommer följande i kommunen? [{}]"
TREND = "Hur har följande utvecklats det senaste året? [{}]"
# header texts (catalogue version 2) of three questions
QUESTIONS = {"hoger": "Högerextrem miljö", "natverk_narvaro": "Kriminella nätverk finns i kommunen", "oppen_handel": "Öppen narkotikahandel"}
LABELS = {0: "Förekommer inte", 1: "I liten utsträckning", 2: "I viss utsträckning", 3: "I stor utsträckning", None: "Vet ej"}
TRENDS = {"-": "Minskat", "=": "Oförändrat", "+": "Ökat", "?": "Vet ej"}


def answers(hoger, natverk, handel) -> list[str]:
    """Presence then trend cells for the three questions, e.g. (1, '='), (3, '+'), (None, '?')."""
    trio = (hoger, natverk, handel)
    return [LABELS[p] for p, _ in trio] + [TRENDS[t] for _, t in trio]


GOOGLE_ROWS = [
    # Tidstämpel, Kommun, Sektor, presence ×3, trend ×3
    ["2025-10-02 09:00:00", "Sunne", "Polis", *answers((1, "="), (2, "="), (1, "="))],
    ["2025-10-03 09:00:00", "Sunne", "Skola", *answers((0, "="), (0, "="), (0, "="))],
    ["2026-03-01 09:00:00", "Sunne", "Polis", *answers((1, "="), (3, "+"), (2, "+"))],
    ["2026-03-02 09:00:00", "Sunne", "Skola", *answers((0, "?"), (1, "="), (None, "?"))],
    ["2026-03-03 09:00:00", "Sunne", "Socialtjänst", *answers((0, "-"), (0, "-"), (0, "-"))],  # replaced below
    ["2026-03-10 09:00:00", "Sunne", "Socialtjänsten", *answers((1, "="), (2, "+"), (2, "="))],
    ["2026-02-01 09:00:00", "Torsby", "Polis", *answers((3, "+"), (0, "-"), (3, "+"))],  # replaced by Torsby's own file
    ["2026-04-01 09:00:00", "Hagfors", "Polis", *answers((1, "="), (3, "+"), (1, "+"))],
    ["2026-04-02 09:00:00", "Hagfors", "Skola", *answers((1, "="), (1, "+"), (0, "="))],
]
TORSBY_POLIS = answers((0, "="), (2, "+"), (1, "="))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("enkat")
    folder = root / "data" / "raw" / "enkat"
    (folder / "torsby").mkdir(parents=True)
    header = ["Tidstämpel", "Kommun", "Sektor"]
    header += [PRESENCE.format(t) for t in QUESTIONS.values()] + [TREND.format(t) for t in QUESTIONS.values()]
    with open(folder / "google.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *GOOGLE_ROWS])
    # Torsby's police answers again in the municipality's own file: no timestamp, so it counts
    # from when it was loaded, which is after every Google Forms submission.
    own = [f"{t} – förekomst" for t in QUESTIONS.values()] + [f"{t} – utveckling" for t in QUESTIONS.values()]
    text = "\r\n".join([";".join(own), ";".join(TORSBY_POLIS)]) + "\r\n"
    (folder / "torsby" / "torsby_polis_2026-H1.csv").write_bytes(text.encode("cp1252"))
    ws = Workspace(root)
    outcomes = {o.label: o.action for o in ingest(ws)}
    assert outcomes == {"enkat/google.csv": "inläst", "enkat/torsby/torsby_polis_2026-H1.csv": "inläst"}
    build(ws)
    return ws


def query(ws: Workspace, sql: str, *params) -> list[tuple]:
    con = duckdb.connect(str(ws.database), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def values(ws: Workspace, municipality: str, question: str, round_: str = "2026-H1", area: str | None = None) -> dict:
    """One row of enkat_values; question '' with an area gives the area's row."""
    con = duckdb.connect(str(ws.database), read_only=True)
    try:
        frame = con.execute(
            "SELECT * FROM enkat_values WHERE municipality_code = ? AND question_id = ? AND round = ? AND area_id = coalesce(?, area_id)",
            [municipality, question, round_, area],
        ).df()
    finally:
        con.close()
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def test_a_later_submission_replaces_the_earlier_one_within_a_file_and_across_files(workspace):
    replaced = query(workspace, "SELECT municipality_code, sector, path, source_row, kept_path, kept_row FROM enkat_replaced ORDER BY ALL")
    assert replaced == [
        ("1737", "polis", "enkat/google.csv", 8, "enkat/torsby/torsby_polis_2026-H1.csv", 2),
        ("1766", "socialtjanst", "enkat/google.csv", 6, "enkat/google.csv", 7),
    ]
    kept = query(workspace, "SELECT presence FROM enkat_answers WHERE municipality_code = '1737' AND question_id = 'natverk_narvaro'")
    assert kept == [("viss",)]  # Torsby's own file, not the Google Forms answer "Förekommer inte"
    coverage = dict(query(workspace, "SELECT sector, replaced FROM enkat_coverage WHERE municipality_code = '1766' AND round = '2026-H1'"))
    assert coverage["socialtjanst"] == 1 and coverage["polis"] == 0


def test_index_shares_and_dont_know_for_one_question(workspace):
    # Sunne 2026-H1, open drug dealing: polis 2, skola Vet ej, socialtjänst 2 (its later answer).
    v = values(workspace, "1766", "oppen_handel")
    assert (v["answered"], v["positioned"], v["sectors"]) == (3, 2, 3)
    assert v["presence_index"] == pytest.approx(2.0)  # (2 + 2) / 2: "Vet ej" is no 0
    assert v["share_some_or_more"] == pytest.approx(200 / 3)  # 2 of 3 answers
    assert v["share_dont_know"] == pytest.approx(100 / 3)
    # trend: Ökat, Vet ej, Oförändrat
    assert v["share_increased"] == pytest.approx(100 / 3)
    assert v["share_trend_dont_know"] == pytest.approx(100 / 3)


def test_change_since_the_previous_round(workspace):
    # Sunne, criminal networks: 2025-H2 polis 2, skola 0 -> 1.0; 2026-H1 polis 3, skola 1, socialtjänst 2 -> 2.0
    v = values(workspace, "1766", "natverk_narvaro")
    assert v["previous_round"] == "2025-H2"
    assert v["previous_index"] == pytest.approx(1.0)
    assert v["index_change"] == pytest.approx(1.0)
    assert v["share_some_or_more_change"] == pytest.approx(200 / 3 - 50)
    assert values(workspace, "1783", "natverk_narvaro")["previous_round"] is None


def test_area_rows_pool_all_questions_and_sectors(workspace):
    # Sunne 2026-H1, criminal networks area = natverk_narvaro (3, 1, 2) and oppen_handel (2, -, 2)
    v = values(workspace, "1766", "", area="natverk")
    assert (v["answered"], v["positioned"]) == (6, 5)
    assert v["presence_index"] == pytest.approx((3 + 1 + 2 + 2 + 2) / 5)


def test_samsyn_lists_sectors_two_steps_apart(workspace):
    pairs = query(workspace, "SELECT municipality_code, round, question_id, sector_low, sector_high, difference FROM enkat_samsyn ORDER BY ALL")
    # Sunne networks: skola 1 vs polis 3; Hagfors networks: skola 1 vs polis 3. Sunne 2025-H2 polis 2 vs skola 0.
    assert pairs == [
        ("1766", "2025-H2", "natverk_narvaro", "skola", "polis", 2),
        ("1766", "2026-H1", "natverk_narvaro", "skola", "polis", 2),
        ("1783", "2026-H1", "natverk_narvaro", "skola", "polis", 2),
    ]
    assert values(workspace, "1766", "natverk_narvaro")["samsyn_gap"]
    assert not values(workspace, "1766", "oppen_handel")["samsyn_gap"]  # 2 and 2, Vet ej does not count


def test_regional_picture_counts_municipalities_and_ranks_recurring_problems(workspace):
    rows = query(
        workspace,
        """SELECT question_id, municipalities_answered, municipalities_some_or_more, municipalities_increased,
                  presence_index, municipalities, rank
           FROM enkat_region_values WHERE area_code = 'sutohamu' AND round = '2026-H1' ORDER BY rank""",
    )
    # networks: Sunne 2 of 3 at viss+ (yes), Torsby 1 of 1 (yes), Hagfors 1 of 2 (half: yes) -> 3;
    #   Ökat: Sunne 2 of 3, Torsby 1 of 1, Hagfors 2 of 2 -> 3; index (3+1+2 + 2 + 3+1) / 6 = 2.0
    # drug dealing: Sunne 2 of 2 positioned (yes), Torsby 1 (no), Hagfors 1 and 0 (no) -> 1;
    #   Ökat: Sunne 1 of 2 positioned (yes), Torsby no, Hagfors 1 of 2 (yes) -> 2; index (2+2 + 1 + 1+0) / 5 = 1.2
    # right-wing milieu: nobody at viss+ -> 0; Ökat nobody; index (1+0+1 + 0 + 1+1) / 6
    assert rows == [
        ("natverk_narvaro", 3, 3, 3, pytest.approx(2.0), 4, 1),
        ("oppen_handel", 3, 1, 2, pytest.approx(1.2), 4, 2),
        ("hoger", 3, 0, 0, pytest.approx(4 / 6), 4, 3),
    ]
    county = query(workspace, "SELECT municipalities FROM enkat_region_values WHERE area_code = 'lan-17' LIMIT 1")
    assert county == [(16,)]


def test_coverage_names_expected_sectors_that_did_not_answer(workspace):
    missing = query(
        workspace,
        "SELECT sector FROM enkat_coverage WHERE municipality_code = '1783' AND round = '2026-H1' AND submissions = 0 ORDER BY sector",
    )
    assert missing == [("bostadsbolag",), ("fritid",), ("sakerhetssamordnare",), ("socialtjanst",)]
    assert query(workspace, "SELECT count(*) FROM enkat_coverage WHERE municipality_code = '1762'") == [(0,)]  # Munkfors: no answers


def test_the_snapshot_holds_the_rounds_begun_by_its_month(workspace):
    target = publish(workspace, "2026-02")

    assert set(pd.read_parquet(target / "enkat_values.parquet")["round"]) == {"2025-H2", "2026-H1"}
    target = publish(workspace, "2025-12")
    assert set(pd.read_parquet(target / "enkat_values.parquet")["round"]) == {"2025-H2"}
    assert set(pd.read_parquet(target / "enkat_answers.parquet")["round"]) == {"2025-H2"}
