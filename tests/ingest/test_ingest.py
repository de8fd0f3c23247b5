"""Ingest is idempotent and per-file transactional: what the DuckDB file holds always mirrors data/raw/."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from intox_helpers import HEADER, csv_text, form, query, write_coverage, write_forms, write_regions

import pipeline.ingest.sources.intox
import pipeline.ingest.store
from pipeline.config import Workspace
from pipeline.files import sha256_file
from pipeline.ingest import ingest

TABLES = ["stg_intox", "quarantine", "raw_files", "refused_files", "ingest_log"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_coverage(tmp_path, {"torsby": (["1737", "1766"], "2024-01")})
    write_regions(tmp_path, {})
    return tmp_path


def first_version() -> list[list[str]]:
    """Three good forms and one with an impossible date (quarantined)."""
    return [
        form("A1", "2024-01-05"),
        form("A2", "2024-01-09", home="Sunne"),
        form("A3", "2024-02-11"),
        form("A4", "2024-13-45"),
    ]


def second_version() -> list[list[str]]:
    return [form("B1", "2024-03-01"), form("B2", "2024-03-02", home="Sunne")]


def table(workspace: Workspace, name: str) -> pd.DataFrame:
    frame = query(workspace, f"SELECT * FROM {name}")
    for column in frame.columns:  # lists (substances, notes) are not sortable: compare as text
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: repr(list(v)) if hasattr(v, "__len__") and not isinstance(v, str) else v)
    return frame.sort_values(list(frame.columns)).reset_index(drop=True) if len(frame) else frame


def rows_of(workspace: Workspace, path: str) -> dict[str, int]:
    """How many rows each table holds for a path."""
    return {
        name: int(query(workspace, f"SELECT count(*) AS n FROM {name} WHERE path = ?", [path]).n[0])
        for name in ["stg_intox", "quarantine", "raw_files", "refused_files"]
    }


def case_ids(workspace: Workspace, path: str | None = None) -> list[str]:
    where, params = ("WHERE path = ?", [path]) if path else ("", [])
    return sorted(query(workspace, f"SELECT case_id FROM stg_intox {where}", params).case_id)


def luhn_complete(nine_digits: str) -> str:
    """A 10-digit personnummer with its check digit (computed here, not with pipeline code)."""
    total = 0
    for i, digit in enumerate(nine_digits):
        product = int(digit) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return nine_digits + str((10 - total % 10) % 10)


def personal_numbers(n: int) -> list[str]:
    """n valid personnummer, written YYYYMMDD-NNNN as hospital systems do."""
    numbers = []
    for i in range(n):
        core = luhn_complete(f"8{i % 10}0{(i % 9) + 1}1{(i % 9) + 1}{i % 10}{(3 * i) % 10}{(7 * i) % 10}")
        numbers.append(f"19{core[:6]}-{core[6:]}")
    return numbers


def test_personal_numbers_helper_makes_valid_numbers():
    # 121212-1212 is the Swedish tax agency's textbook example of a valid number
    assert luhn_complete("121212121") == "1212121212"
    assert all(len(n) == 13 for n in personal_numbers(4))


# --- idempotence -------------------------------------------------------------------------


def test_second_ingest_of_unchanged_files_changes_nothing(root):
    write_forms(root, "torsby", "a.csv", first_version())
    write_forms(root, "torsby", "b.csv", second_version())
    workspace = Workspace(root)
    first = ingest(workspace)
    assert sorted(o.action for o in first) == ["inläst", "inläst med karantän"]
    before = {name: table(workspace, name) for name in TABLES}
    assert len(before["stg_intox"]) == 5 and len(before["quarantine"]) >= 1

    second = ingest(workspace)

    assert [o.action for o in second] == ["oförändrad", "oförändrad"]
    for name in TABLES:
        pd.testing.assert_frame_equal(table(workspace, name), before[name], obj=name)


def test_new_content_at_the_same_path_replaces_that_files_rows(root):
    path = write_forms(root, "torsby", "a.csv", first_version())
    write_forms(root, "torsby", "other.csv", [form("O1", "2024-01-20")])
    workspace = Workspace(root)
    ingest(workspace)
    old_sha = sha256_file(path)
    assert case_ids(workspace, "intox/torsby/a.csv") == ["A1", "A2", "A3"]

    write_forms(root, "torsby", "a.csv", second_version())
    outcomes = {o.label: o.action for o in ingest(workspace)}

    assert outcomes == {"intox/torsby/a.csv": "inläst", "intox/torsby/other.csv": "oförändrad"}
    assert case_ids(workspace, "intox/torsby/a.csv") == ["B1", "B2"]
    assert case_ids(workspace, "intox/torsby/other.csv") == ["O1"]
    for name in ["stg_intox", "quarantine", "raw_files"]:
        left = query(workspace, f"SELECT count(*) AS n FROM {name} WHERE sha256 = ?", [old_sha]).n[0]
        assert left == 0, f"{name} still holds rows of the replaced version"
    assert rows_of(workspace, "intox/torsby/a.csv") == {"stg_intox": 2, "quarantine": 0, "raw_files": 1, "refused_files": 0}


def test_identical_content_at_another_path_is_a_duplicate_loaded_once(root):
    original = write_forms(root, "torsby", "a.csv", first_version())
    copy = root / "data" / "raw" / "intox" / "torsby" / "copy of a.csv"
    shutil.copy(original, copy)
    workspace = Workspace(root)

    outcomes = {o.label: o.action for o in ingest(workspace)}

    assert outcomes == {"intox/torsby/a.csv": "inläst med karantän", "intox/torsby/copy of a.csv": "dubblett"}
    assert case_ids(workspace) == ["A1", "A2", "A3"]
    registry = query(workspace, "SELECT path, status, coalesce(duplicate_of, '-') FROM raw_files ORDER BY path")
    assert registry.values.tolist() == [
        ["intox/torsby/a.csv", "inläst med karantän", "-"],
        ["intox/torsby/copy of a.csv", "dubblett", "intox/torsby/a.csv"],
    ]
    assert rows_of(workspace, "intox/torsby/copy of a.csv")["quarantine"] == 0
    log = query(workspace, "SELECT action FROM ingest_log WHERE path = 'intox/torsby/copy of a.csv'")
    assert log.action.tolist() == ["dubblett"]


def test_removing_the_original_of_a_duplicate_loads_the_duplicate_at_once(root):
    original = write_forms(root, "torsby", "a.csv", first_version())
    shutil.copy(original, original.with_name("b.csv"))
    workspace = Workspace(root)
    ingest(workspace)

    original.unlink()
    ingest(workspace)

    # the forms are still in data/raw/ (in b.csv), so they must still be in the database
    assert case_ids(workspace) == ["A1", "A2", "A3"]
    assert case_ids(workspace, "intox/torsby/b.csv") == ["A1", "A2", "A3"]
    before = {name: table(workspace, name) for name in TABLES}
    assert [o.action for o in ingest(workspace)] == ["oförändrad"]
    for name in TABLES:
        pd.testing.assert_frame_equal(table(workspace, name), before[name], obj=name)


def test_changing_the_original_of_a_duplicate_keeps_the_duplicates_content(root):
    original = write_forms(root, "torsby", "a.csv", first_version())
    shutil.copy(original, original.with_name("b.csv"))
    workspace = Workspace(root)
    ingest(workspace)

    write_forms(root, "torsby", "a.csv", second_version())
    ingest(workspace)

    # a.csv now holds B1, B2; b.csv still holds the first version's A1-A3 and nothing loads them twice
    assert case_ids(workspace, "intox/torsby/a.csv") == ["B1", "B2"]
    assert case_ids(workspace, "intox/torsby/b.csv") == ["A1", "A2", "A3"]
    assert query(workspace, "SELECT count(*) AS n FROM raw_files WHERE status = 'dubblett'").n[0] == 0


def test_a_file_removed_from_raw_takes_its_rows_with_it(root):
    write_forms(root, "torsby", "a.csv", first_version())
    gone = write_forms(root, "torsby", "b.csv", second_version())
    workspace = Workspace(root)
    ingest(workspace)
    assert rows_of(workspace, "intox/torsby/a.csv")["quarantine"] >= 1

    gone.unlink()
    (root / "data" / "raw" / "intox" / "torsby" / "a.csv").unlink()
    outcomes = {o.label: o.action for o in ingest(workspace)}

    assert outcomes == {"intox/torsby/a.csv": "borttagen", "intox/torsby/b.csv": "borttagen"}
    for label in ["intox/torsby/a.csv", "intox/torsby/b.csv"]:
        assert rows_of(workspace, label) == {"stg_intox": 0, "quarantine": 0, "raw_files": 0, "refused_files": 0}
    assert query(workspace, "SELECT count(*) AS n FROM stg_intox").n[0] == 0
    removed = query(workspace, "SELECT path FROM ingest_log WHERE action = 'borttagen' ORDER BY path")
    assert removed.path.tolist() == ["intox/torsby/a.csv", "intox/torsby/b.csv"]


# --- personal identity numbers --------------------------------------------------------------


def rows_with_personal_numbers() -> tuple[list[str], list[list[str]], list[str]]:
    numbers = personal_numbers(3)
    header = ["Personnummer", *HEADER]
    rows = [[numbers[0], *form("P1", "2024-04-01")], [numbers[1], *form("P2", "2024-04-02")],
            [numbers[2], *form("P3", "2024-99-99")]]  # one bad date too: no quarantine either
    return header, rows, numbers


def test_a_file_with_personal_numbers_is_refused_whole(root):
    header, rows, numbers = rows_with_personal_numbers()
    write_forms(root, "torsby", "pnr.csv", rows, header=header)
    write_forms(root, "torsby", "good.csv", second_version())
    workspace = Workspace(root)

    outcomes = {o.label: o for o in ingest(workspace)}

    assert outcomes["intox/torsby/pnr.csv"].action == "avvisad"
    assert rows_of(workspace, "intox/torsby/pnr.csv") == {"stg_intox": 0, "quarantine": 0, "raw_files": 0, "refused_files": 1}
    refused = query(workspace, "SELECT * FROM refused_files")
    assert refused.path.tolist() == ["intox/torsby/pnr.csv"]
    message = refused.message[0]
    assert "Personnummer" in message
    everything = " ".join(str(v) for name in TABLES for v in table(workspace, name).to_numpy().ravel())
    for number in numbers:
        assert number not in everything and number.replace("-", "")[2:] not in everything
    assert case_ids(workspace) == ["B1", "B2"]


def test_a_refused_new_version_leaves_the_earlier_good_version_in_place(root):
    path = write_forms(root, "torsby", "a.csv", first_version())
    workspace = Workspace(root)
    ingest(workspace)
    good_sha = sha256_file(path)
    before = {name: table(workspace, name) for name in ["stg_intox", "quarantine", "raw_files"]}

    header, rows, _ = rows_with_personal_numbers()
    write_forms(root, "torsby", "a.csv", rows, header=header)
    outcomes = ingest(workspace)

    assert [o.action for o in outcomes] == ["avvisad"]
    for name, frame in before.items():
        pd.testing.assert_frame_equal(table(workspace, name), frame, obj=name)
    assert query(workspace, "SELECT sha256 FROM raw_files").sha256.tolist() == [good_sha]
    refused = query(workspace, "SELECT path, sha256 FROM refused_files")
    assert refused.values.tolist() == [["intox/torsby/a.csv", sha256_file(path)]]
    assert case_ids(workspace) == ["A1", "A2", "A3"]


# --- one transaction per file ----------------------------------------------------------------


def test_a_failure_in_the_middle_of_storing_leaves_the_earlier_version_intact(root, monkeypatch):
    path = write_forms(root, "torsby", "a.csv", first_version())
    workspace = Workspace(root)
    ingest(workspace)
    before = {name: table(workspace, name) for name in TABLES}

    # The new version's staging rows, quarantine and registry entry are inserted, then the log
    # write (the last step inside the transaction) fails.
    write_forms(root, "torsby", "a.csv", second_version())
    new_sha = sha256_file(path)

    def failing_log(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline.ingest.store, "_log", failing_log)
    outcomes = ingest(workspace)
    monkeypatch.undo()
    # the failure is reported for that file; the ingest itself goes on with other files
    assert [o.action for o in outcomes] == ["misslyckades"]
    assert "disk full" in outcomes[0].message

    for name in TABLES:
        pd.testing.assert_frame_equal(table(workspace, name), before[name], obj=name)
    for name in ["stg_intox", "quarantine", "raw_files"]:
        assert query(workspace, f"SELECT count(*) AS n FROM {name} WHERE sha256 = ?", [new_sha]).n[0] == 0

    # the next run, without the fault, loads the new version
    assert [o.action for o in ingest(workspace)] == ["inläst"]
    assert case_ids(workspace) == ["B1", "B2"]


def test_a_constraint_violation_in_the_staging_rows_rolls_back_the_whole_file(root, monkeypatch):
    write_forms(root, "torsby", "a.csv", first_version())
    workspace = Workspace(root)
    ingest(workspace)
    before = {name: table(workspace, name) for name in TABLES}

    write_forms(root, "torsby", "a.csv", second_version())
    real_staging_rows = pipeline.ingest.sources.intox.staging_rows

    def staging_with_a_missing_date(*args, **kwargs):
        rows = real_staging_rows(*args, **kwargs)
        rows["visit_date"] = rows["visit_date"].astype(object)
        rows.loc[rows.index[-1], "visit_date"] = None  # visit_date is NOT NULL in stg_intox
        return rows

    monkeypatch.setattr(pipeline.ingest.sources.intox, "staging_rows", staging_with_a_missing_date)
    assert [o.action for o in ingest(workspace)] == ["misslyckades"]

    for name in TABLES:
        pd.testing.assert_frame_equal(table(workspace, name), before[name], obj=name)


# --- row accounting --------------------------------------------------------------------------


def test_every_read_row_is_loaded_quarantined_or_blank(root):
    rows = [
        form("R1", "2024-01-03"),
        ["", "", "", "", "", "", "", ""],                 # blank row between forms
        form("R2", "2024-01-04", home="Ingenstans"),      # no such municipality -> quarantined
        form("R3", "not a date", home="Atlantis"),        # two faults, still one quarantined row
        form("R4", "2024-01-05", home="okänd"),           # unknown home is a valid answer
        ["", "", "", "", "", "", "", ""],
        form("R5", "2024-01-06", age=""),                 # age is optional
    ]
    write_forms(root, "torsby", "mixed.csv", rows)
    write_forms(root, "torsby", "clean.csv", second_version())
    (root / "data" / "raw" / "intox" / "torsby" / "trailing.csv").write_text(
        csv_text([form("T1", "2024-02-01")]) + ";;;;;;;\n\n", encoding="utf-8")
    workspace = Workspace(root)
    ingest(workspace)

    counts = query(workspace, "SELECT path, rows_read, rows_loaded, rows_quarantined, rows_blank FROM raw_files ORDER BY path")
    assert counts.values.tolist() == [
        ["intox/torsby/clean.csv", 2, 2, 0, 0],
        ["intox/torsby/mixed.csv", 7, 3, 2, 2],
        ["intox/torsby/trailing.csv", 3, 1, 0, 2],
    ]
    assert (counts.rows_read == counts.rows_loaded + counts.rows_quarantined + counts.rows_blank).all()
    # and the table agrees with the registry
    staged = query(workspace, "SELECT path, count(*) AS n FROM stg_intox GROUP BY path ORDER BY path")
    assert staged.n.tolist() == counts.rows_loaded.tolist()
    quarantined = query(workspace, "SELECT count(DISTINCT source_row) AS n FROM quarantine WHERE path = 'intox/torsby/mixed.csv'")
    assert quarantined.n[0] == 2
    assert case_ids(workspace, "intox/torsby/mixed.csv") == ["R1", "R4", "R5"]


def test_a_file_that_fails_to_store_does_not_keep_the_other_files_out(root, monkeypatch):
    write_forms(root, "torsby", "a.csv", first_version())
    write_forms(root, "torsby", "b.csv", second_version())
    real_staging_rows = pipeline.ingest.sources.intox.staging_rows

    def fail_for_a(parsed, contract, workspace, table):
        if table.path.name == "a.csv":
            raise RuntimeError("trasig fil")
        return real_staging_rows(parsed, contract, workspace, table)

    monkeypatch.setattr(pipeline.ingest.sources.intox, "staging_rows", fail_for_a)
    outcomes = {o.label: o for o in ingest(Workspace(root))}
    assert outcomes["intox/torsby/a.csv"].action == "misslyckades"
    assert "trasig fil" in outcomes["intox/torsby/a.csv"].message
    assert outcomes["intox/torsby/b.csv"].action == "inläst"
    assert case_ids(Workspace(root)) == ["B1", "B2"]


# --- batches and worker processes ----------------------------------------------------------------


def test_a_file_failing_when_its_batch_commits_keeps_no_other_file_of_the_batch_out(root, monkeypatch):
    # Several files share one transaction and their staging rows are inserted together at its end:
    # b.csv's missing date (NOT NULL) fails that insert, and only b.csv may be lost.
    for name, case in (("a.csv", "A"), ("b.csv", "B"), ("c.csv", "C")):
        write_forms(root, "torsby", name, [form(f"{case}1", "2024-03-01"), form(f"{case}2", "2024-03-02")])
    real_staging_rows = pipeline.ingest.sources.intox.staging_rows

    def missing_date_in_b(parsed, contract, workspace, table):
        rows = real_staging_rows(parsed, contract, workspace, table)
        if table.path.name == "b.csv":
            rows["stg_intox"]["visit_date"] = None
        return rows

    monkeypatch.setattr(pipeline.ingest.sources.intox, "staging_rows", missing_date_in_b)
    workspace = Workspace(root)
    outcomes = {o.label: o.action for o in ingest(workspace)}
    assert outcomes == {"intox/torsby/a.csv": "inläst", "intox/torsby/b.csv": "misslyckades", "intox/torsby/c.csv": "inläst"}
    assert case_ids(workspace) == ["A1", "A2", "C1", "C2"]
    assert rows_of(workspace, "intox/torsby/b.csv") == {"stg_intox": 0, "quarantine": 0, "raw_files": 0, "refused_files": 0}
    monkeypatch.undo()
    assert {o.label: o.action for o in ingest(workspace)}["intox/torsby/b.csv"] == "inläst"
    assert case_ids(workspace) == ["A1", "A2", "B1", "B2", "C1", "C2"]


def test_many_files_are_examined_by_workers_and_stored_in_their_order(root, monkeypatch):
    # Nine files: enough for worker processes (pipeline.ingest.PARALLEL_FILES). One of them fails
    # while it is examined, in a worker; it alone is reported, the others are stored, in file order.
    names = [f"f{i}.csv" for i in range(9)]
    for i, name in enumerate(names):
        write_forms(root, "torsby", name, [form(f"F{i}-{n}", f"2024-03-0{n}") for n in (1, 2, 3)])
    write_forms(root, "torsby", "f4.csv", [form("F4-1", "2024-03-01"), form("F4-2", "not a date")])
    real_staging_rows = pipeline.ingest.sources.intox.staging_rows

    examined_in = root / "examined_in.txt"

    def fail_for_f7(parsed, contract, workspace, table):
        if table.path.name == "f7.csv":
            examined_in.write_text(str(os.getpid()))
            raise RuntimeError("trasig fil")
        return real_staging_rows(parsed, contract, workspace, table)

    monkeypatch.setattr(pipeline.ingest.sources.intox, "staging_rows", fail_for_f7)
    workspace = Workspace(root)
    outcomes = ingest(workspace)
    labels = [f"intox/torsby/{name}" for name in names]
    assert [o.label for o in outcomes] == labels
    assert [o.action for o in outcomes] == ["inläst"] * 4 + ["inläst med karantän", "inläst", "inläst", "misslyckades", "inläst"]
    assert outcomes[7].message == "RuntimeError: trasig fil"
    assert int(examined_in.read_text()) != os.getpid()  # examined in a worker process
    assert outcomes[4].report.issues["row"].tolist() == [3]
    counts = query(workspace, "SELECT path, count(*) AS n FROM stg_intox GROUP BY path ORDER BY path")
    assert counts.values.tolist() == [[label, 1 if label.endswith("f4.csv") else 3] for label in labels if not label.endswith("f7.csv")]
    logged = query(workspace, "SELECT path FROM ingest_log ORDER BY rowid").path.tolist()
    assert logged == [label for label in labels if not label.endswith("f7.csv")]
