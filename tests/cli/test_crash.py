"""kill -9 in the middle of ingest, build, publish and report, then run again: the workspace is a clean run's.

Every test copies the session's demo (a clean run), removes or dirties what one stage writes, starts
the stage with `lagesbild`, kills it with SIGKILL at a moment inside the stage and runs it again. A
killed stage must never leave half a file where a reader takes it for whole, and the next run must
finish the job: every file's rows once, the same snapshot, every report.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from cli_helpers import LAGESBILD, run
from conftest import DEMO_PERIOD
from pandas.testing import assert_frame_equal

from pipeline.config import Workspace

PERIOD = DEMO_PERIOD
AREAS = ["1737", "1780", "sutohamu"]


class Stage:
    """`lagesbild ARGS` in its own session, its stdout read line by line as it comes."""

    def __init__(self, root: Path, *args: str):
        self.process = subprocess.Popen(
            [str(LAGESBILD), *args, "--workspace", str(root)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            encoding="utf-8", env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, wanted: Callable[[str], bool], timeout: float = 60) -> bool:
        """True once a line `wanted` is printed; False when the stage ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.05)
            except queue.Empty:
                continue
            if line is None:
                return False
            self.output.append(line)
            if wanted(line):
                return True
        raise AssertionError("the stage printed nothing expected:\n" + "".join(self.output))

    def wait_until(self, condition: Callable[[], bool], timeout: float = 60) -> bool:
        """True once `condition()` holds while the stage still runs; False when it ended first."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if condition():
                return True
            assert time.monotonic() < deadline, "the stage never reached the moment to kill it"
            time.sleep(0.005)
        return False

    def kill(self) -> bool:
        """kill -9 the command (only it: its report workers must end with it); True when it was still running."""
        running = self.process.poll() is None
        if running:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        return running and self.process.returncode == -signal.SIGKILL

    def clean_up(self) -> None:
        """Whatever the killed command left in its session (a notebook kernel) goes too, after the test looked."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def processes_under(pid: int) -> dict[int, str]:
    """The processes `pid` started, and theirs, with their command lines (Linux's /proc)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(") ", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child in [child for child, of in parents.items() if of == parent]:
            try:
                found[child] = (Path("/proc") / str(child) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            todo.append(child)
    return found


def running(pid: int) -> bool:
    """Still running: a process that is gone, or dead and not yet reaped (a zombie), is not."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def lagesbild(root: Path, *args: str) -> subprocess.CompletedProcess:
    result = run([*args, "--workspace", str(root)])
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def copy(demo: Path, tmp_path: Path) -> Path:
    """The demo as it stood when its month was published: the tertial and the year came after it, and a
    snapshot is suppressed beside every other one, so the month published again beside them may hide
    other cells (as safely; the proof passes either way)."""
    root = Path(shutil.copytree(demo, tmp_path / "demo", symlinks=True))
    for later in ("2026-T2", "2025"):
        shutil.rmtree(root / "data" / "processed" / later)
        shutil.rmtree(root / "reports" / later)
    return root


def stored_rows(root: Path) -> dict[str, dict]:
    """Rows per staging table (and quarantine) and file path, and the file registry."""
    con = duckdb.connect(str(Workspace(root).database), read_only=True)
    try:
        tables = [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'stg_%'").fetchall()]
        counts = {
            table: dict(con.execute(f"SELECT path, count(*) FROM {table} GROUP BY path ORDER BY path").fetchall())
            for table in [*sorted(tables), "quarantine"]
        }
        counts["raw_files"] = {path: (sha, status) for path, sha, status in con.execute("SELECT path, sha256, status FROM raw_files").fetchall()}
        return counts
    finally:
        con.close()


def snapshot(root: Path) -> Path:
    return Workspace(root).snapshot_dir(PERIOD)


def assert_same_snapshot(root: Path, clean: Path) -> None:
    """The same files, the same Parquet frames (floating sums to the last digits), the same JSON, a whole workbook."""
    names = sorted(path.name for path in snapshot(root).iterdir())
    assert names == sorted(path.name for path in snapshot(clean).iterdir())
    for name in names:
        mine, theirs = snapshot(root) / name, snapshot(clean) / name
        if name.endswith(".parquet"):
            assert_frame_equal(pd.read_parquet(mine), pd.read_parquet(theirs), check_exact=False, rtol=1e-12, obj=name)
        elif name.endswith(".json"):
            assert json.loads(mine.read_text(encoding="utf-8")) == json.loads(theirs.read_text(encoding="utf-8")), name
        elif name.endswith(".xlsx"):
            with zipfile.ZipFile(mine) as book, zipfile.ZipFile(theirs) as other:
                assert book.testzip() is None and book.namelist() == other.namelist()


def assert_nothing_half_written(root: Path) -> None:
    """No temporary left, every Parquet readable, every report ending in its closing tag."""
    left = [path for path in root.rglob("*.tmp") if not any(part.endswith(".duckdb.tmp") for part in path.parts)]
    assert left == []
    for path in Workspace(root).processed.rglob("*.parquet"):
        pd.read_parquet(path)
    for path in Workspace(root).processed.rglob("*.xlsx"):
        with zipfile.ZipFile(path) as book:
            assert book.testzip() is None
    for path in Workspace(root).reports.rglob("*.html"):
        assert path.read_text(encoding="utf-8").rstrip().endswith("</html>"), path


def reports(root: Path) -> list[str]:
    folder = Workspace(root).reports / PERIOD
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.html"))


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="watches the ingest's open files in /proc")
def test_kill_during_ingest_then_ingest_again_stores_every_file_once(demo, tmp_path):
    root = copy(demo, tmp_path)
    shutil.rmtree(Workspace(root).processed)
    shutil.rmtree(Workspace(root).reports)
    clean = stored_rows(demo)
    database = Workspace(root).database.resolve()
    stage = Stage(root, "ingest")  # it prints its files at the end: watch it open the database instead
    try:
        assert stage.wait_until(lambda: _database_open(stage.process.pid, database)), "ingest ended before it opened the database"
        time.sleep(1.5)  # somewhere among the files: reading one, or inside its transaction
        assert stage.kill(), "ingest finished before it was killed"
    finally:
        stage.clean_up()
    # what the killed ingest stored is whole files: each stored path has all its rows, and no row is without its file
    partial = stored_rows(root)
    stored = set(partial["raw_files"])
    assert 0 < len(stored) < len(clean["raw_files"])
    for table, rows in partial.items():
        if table != "raw_files":
            assert set(rows) <= stored, table
            assert rows == {path: count for path, count in clean[table].items() if path in stored}, table
    again = lagesbild(root, "ingest")
    assert again.returncode in (0, 1), again.stdout + again.stderr  # 1: the demo's planted faults, if not stored before the kill
    assert f"{len(stored)} oförändrad" in again.stdout
    assert stored_rows(root) == clean
    built = lagesbild(root, "build", "--period", PERIOD)
    assert built.returncode == 0, built.stdout + built.stderr
    assert_same_snapshot(root, demo)
    assert_nothing_half_written(root)


def _database_open(pid: int, database: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(database) for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="watches the build's open files in /proc")
def test_kill_during_build_leaves_the_old_tables_and_the_next_build_rebuilds(demo, tmp_path):
    root = copy(demo, tmp_path)
    database = Workspace(root).database.resolve()
    con = duckdb.connect(str(database))
    indicators = con.execute("SELECT count(*) FROM indicators").fetchall()[0][0]
    con.execute("UPDATE build_info SET fingerprint = 'förra beräkningen'")  # something changed: the build must rebuild
    con.close()
    for delay in (0.3, 0.1, 0.0):
        stage = Stage(root, "build", "--period", PERIOD)
        try:
            if stage.wait_until(lambda stage=stage: _database_open(stage.process.pid, database)):
                time.sleep(delay)
            killed = stage.kill()
        finally:
            stage.clean_up()
        con = duckdb.connect(str(database), read_only=True)
        fingerprint = con.execute("SELECT fingerprint FROM build_info").fetchall()[0][0]
        assert con.execute("SELECT count(*) FROM indicators").fetchall()[0][0] == indicators  # the old tables, whole
        con.close()
        if killed and fingerprint == "förra beräkningen":
            break  # killed inside the build's transaction: nothing of it was kept
    else:
        pytest.fail("no build was killed inside its transaction")
    again = lagesbild(root, "build", "--period", PERIOD)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith("Beräknat:"), again.stdout  # the fingerprint was not kept: rebuilt
    assert_same_snapshot(root, demo)
    assert_nothing_half_written(root)


def test_kill_during_publish_leaves_only_whole_files_and_the_next_build_publishes_all(demo, tmp_path):
    root = copy(demo, tmp_path)
    shutil.rmtree(snapshot(root))
    stage = Stage(root, "build", "--period", PERIOD)
    try:
        assert stage.wait_until(lambda: snapshot(root).is_dir() and any(snapshot(root).iterdir())), "publish ended before it was killed"
        assert stage.kill(), "publish finished before it was killed"
    finally:
        stage.clean_up()
    written = sorted(path.name for path in snapshot(root).iterdir())
    assert "indicators.xlsx" not in written  # killed before the end of publish
    for path in snapshot(root).glob("*.parquet"):
        pd.read_parquet(path)  # a Parquet file that is there is whole
    again = lagesbild(root, "build", "--period", PERIOD)
    assert again.returncode == 0, again.stdout + again.stderr
    assert_same_snapshot(root, demo)
    assert_nothing_half_written(root)


def test_kill_during_report_redoes_the_unfinished_reports_and_leaves_no_half_html(demo, tmp_path):
    root = copy(demo, tmp_path)
    folder = Workspace(root).reports / PERIOD
    outputs = [folder / ("region" if area == "sutohamu" else "kommun") / f"{area}.html" for area in AREAS]
    for path in outputs:
        path.unlink()
    stage = Stage(root, "report", "--period", PERIOD, *(arg for area in AREAS for arg in ("--area", area)))
    try:
        assert stage.wait_for_line(lambda line: "rapport 1/3" in line), "report ended before a report was made"
        started = processes_under(stage.process.pid)  # the workers, and the notebook kernel of each
        assert any("ipykernel" in command for command in started.values()), started
        assert stage.kill(), "report finished before it was killed"
        # the workers die with the command, their kernels within a second (ipykernel watches its parent)
        deadline = time.monotonic() + 10
        while any(map(running, started)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [command for pid, command in started.items() if running(pid)]
        # the lock is free at once: the workers died with the command, nothing of it blocks or writes on
        stale = folder / "kommun" / "1737.html.999999.tmp"  # a temporary a killed writer left
        stale.write_text("<html><body>halv", encoding="utf-8")
        manifest = json.loads((folder / ".inputs.json").read_text(encoding="utf-8"))
        recorded = [area for area, path in zip(AREAS, outputs) if path.exists()]
        for area, path in zip(AREAS, outputs):
            assert path.exists() == (area in recorded)
            if path.exists():
                assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
        assert set(recorded) <= set(manifest)  # a recorded report's HTML is in place
        assert len(recorded) < len(AREAS), "every report was done before the kill"
        again = lagesbild(root, "report", "--period", PERIOD, "--vänta", "5", *(arg for area in AREAS for arg in ("--area", area)))
    finally:
        stage.clean_up()
    assert again.returncode == 0, again.stdout + again.stderr
    made = len(AREAS) - len(recorded)
    assert f"Rapporter: {made} skapade, {len(recorded)} oförändrade, 0 misslyckades." in again.stdout
    assert reports(root) == reports(demo)
    assert not stale.exists()
    assert_nothing_half_written(root)
