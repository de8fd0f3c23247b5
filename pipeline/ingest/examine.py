"""Examine one export: which source it is, read it, refuse personal numbers, validate, stage.

This is everything `lagesbild check` does, and what `ingest` does before it stores a file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pipeline.ingest.sources import avtal

from pipeline.ingest.sources import enkat
from pipeline.ingest.sources import intox

from pipeline.ingest.sources import statistik
from pipeline.config import Workspace
from pipeline.files import sha256_file
from pipeline.ingest.pnr import personal_number_columns
from pipeline.ingest.read import RawTable, ReadError, read_table
from pipeline.ingest.validate import ISSUE_COLUMNS, check_table

SOURCES = {intox.SOURCE: intox, enkat.SOURCE: enkat, avtal.SOURCE: avtal}


@dataclass
class FileReport:
    path: Path
    label: str  # the path as the analyst knows it: relative to data/raw/ when it lies there
    sha256: str
    source: str | None = None
    refusal: str | None = None  # why nothing of the file can be stored
    table: RawTable | None = None
    notes: list[str] = field(default_factory=list)
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    dropped_rows: int = 0  # rows left out as a whole
    cells_quarantined: int = 0  # answers left out of rows that were otherwise kept
    staging: dict[str, pd.DataFrame] | None = None  # staging table -> its new rows
    rows_kept: int = 0
    records: int | None = None  # rows or records read when the file is no table (Kolada JSON)
    kind: str = ""  # what the file is, when there is no RawTable to describe it

    @property
    def rows_read(self) -> int:
        if self.records is not None:
            return self.records
        return 0 if self.table is None else len(self.table.cells) + self.table.blank_rows

    @property
    def description(self) -> str:
        return self.table.description if self.table is not None else self.kind

    @property
    def rows_blank(self) -> int:
        return 0 if self.table is None else self.table.blank_rows

    @property
    def rows_quarantined(self) -> int:
        return self.dropped_rows

    @property
    def rows_loaded(self) -> int:
        return self.rows_kept

    @property
    def clean(self) -> bool:
        return self.refusal is None and self.issues.empty


def source_of(path: Path, workspace: Workspace) -> str | None:
    """The source a file's folder under data/raw/ names, if any."""
    try:
        first = path.resolve().relative_to(workspace.raw.resolve()).parts[0]
    except ValueError:
        return None
    return first if first in SOURCES or first == statistik.SOURCE else None


def examine(path: Path, workspace: Workspace, label: str | None = None) -> FileReport:
    report = FileReport(path=path, label=label or path.name, sha256=sha256_file(path))
    source = source_of(path, workspace)
    if source == statistik.SOURCE or (source is None and statistik.detect(path)):
        return _examine_statistics(report, workspace)
    contracts = {name: module.contract(workspace) for name, module in SOURCES.items()}
    candidates = {source: contracts[source]} if source else contracts
    try:
        table = read_table(path, lambda row: max(c.header_score(row) for c in candidates.values()))
    except ReadError as error:
        report.refusal = str(error)
        return report
    report.table = table
    if source is None:
        scores = {name: c.header_score(table.headers) for name, c in candidates.items()}
        source = max(scores, key=scores.get)
        if scores[source] < 2:
            report.refusal = f"{path.name}: rubrikerna liknar ingen känd källa ({', '.join(SOURCES)}); placera filen i data/raw/<källa>/."
            return report
    report.source = source
    module, contract = SOURCES[source], contracts[source]
    if hasattr(module, "prepare"):  # a source's own conventions before validation
        table, report.notes = module.prepare(table, contract, workspace)
        report.table = table

    personal = personal_number_columns(table.cells, table.headers)
    if personal:
        names = " och ".join(f"'{name}'" for name in personal)
        columns = "kolumnerna" if len(personal) > 1 else "kolumnen"
        report.refusal = (
            f"{path.name}: filen avvisas eftersom {columns} {names} innehåller personnummer. "
            "Inget från filen har sparats. Ta bort kolumnen ur exporten och försök igen."
        )
        return report

    checked = check_table(table, contract)
    report.notes += checked.notes
    if checked.file_errors:
        report.refusal = " ".join(checked.file_errors)
        return report
    report.issues = checked.issues
    if table.cells.empty:
        report.notes.append(f"{path.name}: filen har rubriker men inga ifyllda rader.")
    _keep_good(report, checked, contract, workspace, module)
    return report


def _examine_statistics(report: FileReport, workspace: Workspace) -> FileReport:
    """Official statistics have readers of their own (Brå's csv, Kolada's JSON, a tidy table)."""
    report.source = statistik.SOURCE
    result = statistik.read(report.path, workspace)
    report.kind, report.notes = f"officiell statistik ({statistik.detect(report.path) or 'okänt format'})", result.notes
    if result.file_errors:
        report.refusal = " ".join(result.file_errors)
        return report
    report.issues = result.issues.assign(field=None)
    report.staging = {"stg_statistik": statistik.staging_rows(result, report.label, report.sha256).drop(columns=["path", "sha256"])}
    report.rows_kept, report.dropped_rows = len(result.rows), int(result.issues["row"].nunique())
    report.records = report.rows_kept + report.dropped_rows
    return report


def _keep_good(report: FileReport, checked, contract, workspace: Workspace, module) -> None:
    """Drop the rows with a row-level failure; blank the cells whose failure costs only the cell."""
    issues = checked.issues
    cell_only = issues["field"].map(contract.drops_cell_only).astype(bool)
    bad_rows = pd.Index(issues.loc[~cell_only, "row"].unique())
    parsed = checked.parsed.drop(index=bad_rows).copy()
    blanked = issues.loc[cell_only & ~issues["row"].isin(bad_rows), ["row", "field"]]
    for row, field_name in blanked.itertuples(index=False):
        parsed.loc[row, field_name] = None
    report.staging = module.staging_rows(parsed, contract, workspace, report.table)
    report.rows_kept, report.dropped_rows, report.cells_quarantined = len(parsed), len(bad_rows), len(blanked)
