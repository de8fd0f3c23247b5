"""Ingest: load every new or changed file under data/raw/ into the DuckDB file.

A file's identity is its path under data/raw/. New content at a path replaces that path's rows;
content already loaded from another path is not loaded twice; a path that disappeared takes
its rows with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import store
from .config import Workspace, sha256_file
from .examine import FileReport, examine

READABLE = {".xlsx", ".xlsm", ".csv", ".txt", ".tsv"}


@dataclass
class Outcome:
    label: str
    action: str  # inläst | inläst med karantän | oförändrad | dubblett | avvisad | borttagen
    report: FileReport | None = None
    message: str = ""


def raw_files(workspace: Workspace) -> list[Path]:
    """Data files under data/raw/, without hidden files and Excel's ~$ lock files."""
    return sorted(
        path
        for path in workspace.raw.rglob("*")
        if path.is_file() and path.suffix.lower() in READABLE and not path.name.startswith((".", "~$"))
    )


def ingest(workspace: Workspace, progress=None) -> list[Outcome]:
    con = store.connect(workspace.database)
    try:
        known = store.registry(con).set_index("path")
        files = raw_files(workspace)
        labels = {path: path.relative_to(workspace.raw).as_posix() for path in files}
        outcomes = [Outcome(label, "borttagen") for label in sorted(set(known.index) - set(labels.values()))]
        for outcome in outcomes:
            store.remove_path(con, outcome.label)
        store.forget_refusals_except(con, list(labels.values()))
        loaded = dict(zip(known.sha256, known.index))
        for path in files:
            label = labels[path]
            sha = sha256_file(path)
            if label in known.index and known.at[label, "sha256"] == sha:
                outcomes.append(Outcome(label, "oförändrad"))
            elif sha in loaded and loaded[sha] != label and loaded[sha] in labels.values():
                store.store_duplicate(con, label, sha, loaded[sha])
                outcomes.append(Outcome(label, "dubblett", message=f"samma innehåll som {loaded[sha]}"))
            else:
                report = examine(path, workspace, label)
                if report.refusal:
                    store.store_refusal(con, label, report.sha256, report.refusal)
                    outcomes.append(Outcome(label, "avvisad", report, report.refusal))
                else:
                    store.store_file(con, report)
                    loaded[sha] = label
                    action = "inläst med karantän" if report.rows_quarantined else "inläst"
                    outcomes.append(Outcome(label, action, report))
            if progress:
                progress(label)
        return outcomes
    finally:
        con.close()
