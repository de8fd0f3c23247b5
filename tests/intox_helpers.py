"""Small helpers to build hand-made INTOX workspaces in a tmp folder and read what the pipeline wrote.

Used by test_ingest.py, test_indicators.py and test_suppression.py. Nothing here computes an
expected value: expectations are written in the tests themselves, by hand or from the reference csv.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.build import build
from pipeline.config import REFERENCE_DIR, Workspace
from pipeline.ingest import ingest
from pipeline.publish import publish

HEADER = ["id", "Besöksdatum", "Ålder", "Kön", "Hemkommun", "Substanser", "Avsikt", "Vårdnivå"]


def form(case_id: str, date: str, home: str = "Torsby", age: str = "30", sex: str = "Man",
         substances: str = "Alkohol", intent: str = "Rus", care: str = "Hemgång") -> list[str]:
    """One INTOX form as a row under HEADER."""
    return [case_id, date, age, sex, home, substances, intent, care]


def write_yaml(root: Path, name: str, text: str) -> Path:
    path = root / "schemas" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_coverage(root: Path, units: dict[str, tuple[list[str], str]]) -> Path:
    """units: folder name (also the unit's name and alias) -> (municipality codes, first month)."""
    lines = ["units:"]
    for unit, (codes, first) in units.items():
        quoted = ", ".join(f'"{code}"' for code in codes)
        lines += [f"  - unit: {unit}", f"    aliases: [{unit}]", f"    municipalities: [{quoted}]", f'    from: "{first}"']
    return write_yaml(root, "intox_coverage.yaml", "\n".join(lines) + "\n")


def write_regions(root: Path, regions: dict[str, list[str]]) -> Path:
    if not regions:
        return write_yaml(root, "regions.yaml", "regions: {}\n")
    lines = ["regions:"]
    for region_id, codes in regions.items():
        quoted = ", ".join(f'"{code}"' for code in codes)
        lines += [f"  {region_id}:", f"    name: {region_id.title()}", f"    municipalities: [{quoted}]"]
    return write_yaml(root, "regions.yaml", "\n".join(lines) + "\n")


def write_threshold(root: Path, threshold: int) -> Path:
    return write_yaml(root, "settings.yaml", f"suppression_threshold: {threshold}\n")


def csv_text(rows: list[list[str]], header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_forms(root: Path, unit: str, name: str, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """Write a semicolon csv of forms to data/raw/intox/<unit>/<name>."""
    path = root / "data" / "raw" / "intox" / unit / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(csv_text(rows, header), encoding="utf-8")
    return path


def query(workspace: Workspace, sql: str, params: list | None = None) -> pd.DataFrame:
    con = duckdb.connect(str(workspace.database), read_only=True)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def run_all(root: Path, period: str) -> tuple[Workspace, pd.DataFrame]:
    """ingest, build and publish for real; returns the workspace and the published parquet."""
    workspace = Workspace(root)
    ingest(workspace)
    build(workspace)
    publish(workspace, period)
    return workspace, pd.read_parquet(workspace.snapshot_dir(period) / "indicators.parquet")


def population_31_dec(code: str, year: int) -> int:
    """Population on 31 December from the reference csv, read directly (not through pipeline code)."""
    with open(REFERENCE_DIR / "population.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["municipality_code"] == code and int(row["year"]) == year:
                return int(row["population"])
    raise KeyError((code, year))


def reference_municipalities() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "municipalities.csv", dtype=str)
