"""Next month's files arrive: this month, built again, is published as it was, and its reports stay.

Through the real CLI on a small INTOX workspace: a new file whose forms all lie after the month
changes nothing the month's snapshot holds, so its suppression and its audit are kept (not solved
again) and no report is redone; a late form for the month itself changes its snapshot and both
are made anew.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run
from intox_helpers import form, write_coverage, write_forms

PERIOD = "2026-09"
HOMES = ["Torsby", "Sunne", "Hagfors", "Munkfors"]
KEPT = "samma underlag som vid förra granskningen"


def lagesbild(root: Path, *args: str):
    result = run([*args, "--workspace", str(root)])
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def snapshot_files(root: Path) -> dict[str, tuple[bytes, int]]:
    folder = root / "data" / "processed" / PERIOD
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in sorted(folder.iterdir())}


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path
    write_coverage(root, {"torsby": (["1737", "1766", "1783", "1762"], "2025-10")})
    forms = [form(f"a{i}", f"{2025 + (i % 12 + 9) // 12}-{(i % 12 + 9) % 12 + 1:02d}-{1 + i % 27:02d}", home=HOMES[i % 4]) for i in range(300)]
    write_forms(root, "torsby", "intox_2025-10_2026-09.csv", forms)
    lagesbild(root, "ingest")
    first = lagesbild(root, "build", "--period", PERIOD)
    assert KEPT not in first.stdout  # the first audit solves its LPs
    return root


def test_next_months_files_leave_the_month_as_it_was(workspace):
    lagesbild(workspace, "report", "--period", PERIOD, "--workers", "1")
    before = snapshot_files(workspace)
    write_forms(workspace, "torsby", "intox_2026-10.csv", [form(f"b{i}", f"2026-10-{1 + i:02d}", home=HOMES[i % 4]) for i in range(20)])
    lagesbild(workspace, "ingest")
    build = lagesbild(workspace, "build", "--period", PERIOD)
    assert "uppgifter för 2025-10 – 2026-10" in build.stdout  # the new month is built
    assert KEPT in build.stdout and "Röjandeskyddet håller" in build.stdout
    assert snapshot_files(workspace) == before  # every file the same bytes, none written again
    files = pd.read_parquet(workspace / "data" / "processed" / PERIOD / "files.parquet")
    assert files.path.tolist() == ["intox/torsby/intox_2025-10_2026-09.csv"]  # the later file is not this month's
    report = lagesbild(workspace, "report", "--period", PERIOD, "--workers", "1")
    assert "Rapporter: 0 skapade, 7 oförändrade, 0 misslyckades." in report.stdout

    # the month that follows sees both files
    lagesbild(workspace, "build", "--period", "2026-10")
    files = pd.read_parquet(workspace / "data" / "processed" / "2026-10" / "files.parquet")
    assert files.path.tolist() == ["intox/torsby/intox_2025-10_2026-09.csv", "intox/torsby/intox_2026-10.csv"]


def test_a_late_form_for_the_month_publishes_it_anew_and_force_solves_again(workspace):
    before = snapshot_files(workspace)
    write_forms(workspace, "torsby", "intox_late.csv", [form("late", f"{PERIOD}-30", home="Munkfors")])
    lagesbild(workspace, "ingest")
    build = lagesbild(workspace, "build", "--period", PERIOD)
    assert KEPT not in build.stdout and "LP-lösningar på" in build.stdout
    assert snapshot_files(workspace)["indicators.parquet"][0] != before["indicators.parquet"][0]
    again = lagesbild(workspace, "build", "--period", PERIOD)
    assert KEPT in again.stdout
    forced = lagesbild(workspace, "build", "--period", PERIOD, "--force")
    assert KEPT not in forced.stdout and "LP-lösningar på" in forced.stdout
