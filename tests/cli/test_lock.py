"""One writer at a time: a second writing command waits for the workspace lock, then refuses with exit 5.

The lock is an OS file lock (pipeline/lock.py): `check` goes on while it is held, and a holder that
is killed leaves nothing that blocks the next run.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from cli_helpers import LAGESBILD, run
from intox_helpers import form, write_coverage, write_forms

from pipeline.config import Workspace
from pipeline.lock import LOCK_NAME, read_holder

BUSY = 5
HOLD = """
import sys, time
from pathlib import Path
from pipeline.config import Workspace
from pipeline.lock import workspace_lock
with workspace_lock(Workspace(Path(sys.argv[1])), wait=0, command="lagesbild run"):
    print("håller", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def lagesbild(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run([*args, "--workspace", str(root)])


@pytest.fixture
def root(tmp_path) -> Path:
    write_coverage(tmp_path, {"torsby": (["1737"], "2026-09")})
    write_forms(tmp_path, "torsby", "intox_2026-10.csv", [form(str(i), f"2026-10-{i + 1:02d}") for i in range(6)])
    return tmp_path


def hold(root: Path, seconds: float = 120) -> subprocess.Popen:
    """A process that holds the workspace lock for `seconds`; returns once it holds it."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "håller"
    return holder


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def busy_message(result: subprocess.CompletedProcess, pid: int, root: Path) -> None:
    assert result.returncode == BUSY, result.stdout + result.stderr
    assert re.search(rf"En annan körning \(lagesbild run, pid {pid}, startad \d\d:\d\d\)", result.stderr), result.stderr
    assert f"skriver redan i arbetsmappen {root.resolve()}; försök igen när den är klar" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Could not set lock" not in result.stdout + result.stderr


def test_a_second_writer_waits_then_refuses_with_exit_5_and_check_goes_on(root):
    holder = hold(root)
    try:
        started = time.monotonic()
        refused = lagesbild(root, "ingest", "--vänta", "1")
        assert time.monotonic() - started >= 1
        busy_message(refused, holder.pid, root)
        assert "Väntar på en annan körning" in refused.stderr and "högst 1 s" in refused.stderr
        for command in (["run", "--period", "2026-10"], ["build"], ["report", "--period", "2026-10"]):
            busy_message(lagesbild(root, *command, "--vänta", "0"), holder.pid, root)
        assert not Workspace(root).database.exists(), "nothing was written while the lock was held"
        checked = run(["check", str(root / "data" / "raw" / "intox" / "torsby" / "intox_2026-10.csv"), "--workspace", str(root)])
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "inga fel" in checked.stdout
    finally:
        kill(holder)
    # the killed holder's lock file is still there, and blocks nothing
    assert (Workspace(root).processed / LOCK_NAME).exists()
    after = lagesbild(root, "run", "--period", "2026-10", "--vänta", "0")
    assert after.returncode == 0, after.stdout + after.stderr
    assert (root / "reports" / "2026-10" / "kommun" / "1737.html").exists()
    assert read_holder(Workspace(root)).command == "lagesbild run" and read_holder(Workspace(root)).pid != holder.pid


def test_a_writer_that_waits_goes_on_when_the_other_finishes(root):
    holder = hold(root, seconds=1.5)
    try:
        result = lagesbild(root, "ingest", "--vänta", "20")
    finally:
        holder.wait(timeout=20)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Väntar på en annan körning (pid {holder.pid}) i arbetsmappen, högst 20 s" in result.stderr
    assert "inläst – 6 rader lästa, 6 inlästa" in result.stdout


def test_two_runs_at_once_the_second_refuses_while_the_first_finishes(root):
    first = subprocess.Popen([str(LAGESBILD), "ingest", "--workspace", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, encoding="utf-8")
    deadline = time.monotonic() + 30
    while read_holder(Workspace(root)).pid != first.pid:  # the first run holds the lock
        assert first.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
        time.sleep(0.01)
    second = lagesbild(root, "run", "--period", "2026-10", "--vänta", "0")
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, out + err
    assert second.returncode == BUSY, second.stdout + second.stderr
    assert f"En annan körning (lagesbild ingest, pid {first.pid}, startad" in second.stderr
    assert "Traceback" not in second.stderr and "Could not set lock" not in second.stderr


def test_a_database_held_open_by_another_program_is_exit_5_in_swedish(root):
    assert lagesbild(root, "ingest").returncode == 0
    con = duckdb.connect(str(Workspace(root).database))  # e.g. an analyst's DuckDB session
    try:
        for command in (["ingest"], ["build"], ["run", "--period", "2026-10"]):
            result = lagesbild(root, *command)
            assert result.returncode == BUSY, result.stdout + result.stderr
            assert f"Databasen {Workspace(root).database.resolve()} är öppen i ett annat program (pid {os.getpid()})" in result.stderr
            assert "stäng det och försök igen" in result.stderr
            assert "Traceback" not in result.stderr and "Could not set lock" not in result.stdout + result.stderr
    finally:
        con.close()
    assert lagesbild(root, "build").returncode == 0


def test_the_wait_must_be_a_number_of_seconds(root):
    result = lagesbild(root, "ingest", "--vänta", "snart")
    assert result.returncode == 2
    assert "Fel: ogiltigt värde för --vänta: ange ett antal sekunder (0 eller mer), inte 'snart'." in result.stderr
