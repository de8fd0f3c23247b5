"""Examine one export: which source it is, read it, refuse personal numbers, validate, stage.

This is everything `lagesbild check` does, and what `ingest` does before it stores a file.
A source's reader (pipeline/ingest/sources/<name>.py) is either a contract reader, with
`contract()` and `staging_rows()` (and optionally `prepare()`, before validation, and
`row_issues()`, checks across a row's parsed fields after it), read and validated here, or a
reader of its own, with `detect()` and `examine()`.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.config import Workspace
from pipeline.files import sha256_file
from pipeline.ingest.findings import FileReport
from pipeline.ingest.pnr import personal_number_columns
from pipeline.ingest.read import ReadError, read_table, unreadable_format
from pipeline.ingest.validate import check_table
from pipeline.sources import SOURCES


def readers() -> dict:
    """Source name -> its reader module, in the registry's order."""
    return {source.name: source.reader() for source in SOURCES}


def source_of(path: Path, workspace: Workspace) -> str | None:
    """The source a file's folder under data/raw/ names, if any."""
    try:
        first = path.resolve().relative_to(workspace.raw.resolve()).parts[0]
    except ValueError:
        return None
    return first if first in readers() else None


def examine(path: Path, workspace: Workspace, label: str | None = None, sha256: str | None = None) -> FileReport:
    """`sha256`: the file's, when the caller has computed it already."""
    report = FileReport(path=path, label=label or path.name, sha256=sha256 or sha256_file(path))
    if problem := unreadable_format(path):
        report.refusal = problem
        return report
    modules = readers()
    source = source_of(path, workspace)
    own = {name: module for name, module in modules.items() if hasattr(module, "detect")}
    if source is None:  # outside data/raw/<source>/: a reader of its own may recognise the file
        source = next((name for name, module in own.items() if module.detect(path)), None)
    if source is None and path.suffix.lower() == ".json" and len(own) == 1:
        source = next(iter(own))  # only a reader of its own reads JSON: let it say what is wrong
    if source in own:
        report.source = source
        return own[source].examine(report, workspace)
    contracts = {name: module.contract(workspace) for name, module in modules.items() if name not in own}
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
            report.refusal = f"{path.name}: rubrikerna liknar ingen känd källa ({', '.join(modules)}); placera filen i data/raw/<källa>/."
            return report
    report.source = source
    module, contract = modules[source], contracts[source]
    if hasattr(module, "prepare"):  # a source's own conventions before validation
        table, report.notes = module.prepare(table, contract, workspace)
        report.table = table

    personal = personal_number_columns(table.cells, table.headers, _free_text(table.headers, contract))
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
    if hasattr(module, "row_issues"):  # a source's own checks across a row's fields
        own = module.row_issues(table, checked.parsed, contract, workspace)
        if len(own):
            both = pd.concat([checked.issues, own], ignore_index=True) if len(checked.issues) else own
            checked.issues = both.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
    report.issues = checked.issues
    if table.cells.empty:
        report.notes.append(f"{path.name}: filen har rubriker men inga ifyllda rader.")
    _keep_good(report, checked, contract, workspace, module)
    return report


def _free_text(headers: list[str], contract) -> set[int]:
    """Positions of the columns stored as written (comments, promises, functions), not identifiers."""
    fields = contract.map_headers(headers).fields
    return {
        position for position, name in fields.items()
        if contract.fields[name]["kind"] in ("text", "role", "textlist") and not name.endswith("_id")
    }


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
