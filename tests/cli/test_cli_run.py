"""The exit status of `lagesbild ingest` and `run` tells a scheduler whether someone must look."""
from __future__ import annotations

import subprocess
from pathlib import Path

from cli_helpers import run
from intox_helpers import form, write_coverage, write_forms


def lagesbild(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run([*args, "--workspace", str(root)])


def workspace_with(tmp_path: Path, rows: list[list[str]]) -> Path:
    write_coverage(tmp_path, {"torsby": (["1737"], "2026-09")})
    write_forms(tmp_path, "torsby", "intox_2026-10.csv", rows)
    return tmp_path


def test_clean_files_exit_0_and_a_rerun_reports_nothing_new(tmp_path):
    root = workspace_with(tmp_path, [form("1", "2026-10-03"), form("2", "2026-09-04")])
    first = lagesbild(root, "ingest")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "intox/torsby/intox_2026-10.csv: inläst – 2 rader lästa, 2 inlästa, 0 i karantän" in first.stdout
    again = lagesbild(root, "ingest")
    assert again.returncode == 0
    assert "1 oförändrad" in again.stdout and "inläst –" not in again.stdout


def test_quarantined_rows_exit_1_and_name_row_and_column(tmp_path):
    root = workspace_with(tmp_path, [form("1", "2026-10-03"), form("2", "2026-10-40")])
    result = lagesbild(root, "ingest")
    assert result.returncode == 1
    assert "rad 3, kolumn 'Besöksdatum': '2026-10-40'" in result.stdout
    assert "1 inlästa, 1 i karantän" in result.stdout


def test_refused_file_exits_3_and_never_prints_the_number(tmp_path):
    root = workspace_with(tmp_path, [form("1", "2026-10-03"), form("2", "2026-10-04")])
    numbers = ["19121212-1212", "19900101-0017"]
    lines = ["Personnummer;Besöksdatum;Hemkommun"] + [f"{n};2026-10-0{i + 1};Torsby" for i, n in enumerate(numbers)]
    (root / "data" / "raw" / "intox" / "torsby" / "pnr.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = lagesbild(root, "ingest")
    assert result.returncode == 3
    assert "AVVISAD" in result.stdout and "'Personnummer'" in result.stdout
    for number in numbers:
        assert number not in result.stdout + result.stderr
        assert number.replace("-", "") not in result.stdout + result.stderr


def test_run_renders_reports_and_a_failed_period_exits_4(tmp_path):
    root = workspace_with(tmp_path, [form(str(i), f"2026-10-{i + 1:02d}") for i in range(6)])
    result = lagesbild(root, "run", "--period", "2026-10")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "reports" / "2026-10" / "kommun" / "1737.html").exists()
    assert (root / "reports" / "2026-10" / "index.html").exists()
    missing = lagesbild(root, "build", "--period", "2027-01")
    assert missing.returncode == 4
    assert "Det finns inga uppgifter för januari 2027" in missing.stderr


def test_bad_period_is_a_usage_error_in_swedish(tmp_path):
    result = lagesbild(tmp_path, "run", "--period", "oktober")
    assert result.returncode == 2
    assert "ÅÅÅÅ-MM" in result.stderr and "Fel:" in result.stderr


def test_build_warns_when_a_units_forms_stop_before_the_latest_month(tmp_path):
    write_coverage(tmp_path, {"torsby": (["1737"], "2026-09"), "sunne": (["1766"], "2026-09")})
    write_forms(tmp_path, "torsby", "a.csv", [form("1", "2026-09-03"), form("2", "2026-10-03")])
    write_forms(tmp_path, "sunne", "b.csv", [form("1", "2026-09-05", home="Sunne")])
    assert lagesbild(tmp_path, "ingest").returncode == 0
    result = lagesbild(tmp_path, "build", "--period", "2026-10")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "enheten 'sunne' har inga formulär efter 2026-09" in result.stdout
    assert "'torsby'" not in result.stdout
