"""Ingest: load every new or changed file under data/raw/ into the DuckDB file.

A file's identity is its path under data/raw/. New content at a path replaces that path's rows;
content already loaded from another path is not loaded twice; a path that disappeared takes
its rows with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Workspace
from pipeline.files import sha256_file
from pipeline.ingest import store
from pipeline.ingest.examine import examine
from pipeline.ingest.findings import FileReport
from pipeline.ingest.read import READABLE, unreadable_format
from pipeline.sources import SOURCES

__all__ = ["READABLE", "Outcome", "ingest", "raw_files", "staging_ddl"]


@dataclass
class Outcome:
    label: str
    action: str  # inläst | inläst med karantän | oförändrad | dubblett | avvisad | borttagen | misslyckades
    report: FileReport | None = None
    message: str = ""


def raw_files(workspace: Workspace) -> list[Path]:
    """Every file under data/raw/, without hidden files (and files in hidden folders) and Excel's ~$
    lock files. A file of a format that cannot be read (an old .xls, a .pdf) is listed too: it is
    refused, and said so, at every run until it is removed or replaced."""
    return sorted(
        path
        for path in workspace.raw.rglob("*")
        if path.is_file()
        and not path.name.startswith((".", "~$"))
        and not any(part.startswith(".") for part in path.relative_to(workspace.raw).parts[:-1])
    )


def staging_ddl() -> str:
    """Every source's staging tables: a source's reader declares its own."""
    return "".join(source.reader().STAGING_DDL for source in SOURCES)


def ingest(workspace: Workspace) -> list[Outcome]:
    con = store.connect(workspace.database, staging_ddl=staging_ddl())
    try:
        known = store.registry(con).set_index("path")
        files = raw_files(workspace)
        labels = {path: path.relative_to(workspace.raw).as_posix() for path in files}
        outcomes = [Outcome(label, "borttagen") for label in sorted(set(known.index) - set(labels.values()))]
        for outcome in outcomes:
            store.remove_path(con, outcome.label)
        store.forget_refusals_except(con, list(labels.values()))
        known = store.registry(con).set_index("path")  # removing an original also forgot its duplicates
        handled: dict[str, Outcome] = {}
        for path in files:
            label = labels[path]
            sha = sha256_file(path)
            if label in known.index and known.at[label, "sha256"] == sha:
                handled[label] = Outcome(label, "oförändrad")
            else:
                handled[label] = _load_or_report(con, workspace, path, label, sha)
        # A duplicate rests on its original: when the original left or changed this run, the
        # duplicate's content is no longer in the database and is loaded from the duplicate itself.
        by_label = {label: path for path, label in labels.items()}
        for label, sha in _orphaned_duplicates(con):
            handled[label] = _load_or_report(con, workspace, by_label[label], label, sha)
        return outcomes + [handled[labels[path]] for path in files]
    finally:
        con.close()


def _load_or_report(con, workspace: Workspace, path: Path, label: str, sha: str) -> Outcome:
    """One file's failure (its transaction rolled back) must not keep the other files out."""
    try:
        return _load(con, workspace, path, label, sha)
    except Exception as error:
        return Outcome(label, "misslyckades", message=f"{type(error).__name__}: {error}")


def _load(con, workspace: Workspace, path: Path, label: str, sha: str) -> Outcome:
    """Store a new or changed file, or record it as a duplicate of content already loaded."""
    original = _holder(con, sha, label)
    if original:
        store.store_duplicate(con, label, sha, original)
        return Outcome(label, "dubblett", message=f"samma innehåll som {original}")
    if problem := unreadable_format(path):  # never stored, so examined anew (and reported) at every run
        store.store_refusal(con, label, sha, problem)
        return Outcome(label, "avvisad", message=problem)
    report = examine(path, workspace, label, sha)
    if report.refusal:
        store.store_refusal(con, label, report.sha256, report.refusal)
        return Outcome(label, "avvisad", report, report.refusal)
    store.store_file(con, report)
    action = "inläst" if report.issues.empty else "inläst med karantän"
    return Outcome(label, action, report)


def _holder(con, sha: str, label: str) -> str | None:
    """Another path whose rows in the database are this content, if any."""
    return con.execute(
        "SELECT min(path) FROM raw_files WHERE sha256 = ? AND status <> 'dubblett' AND path <> ?", [sha, label]
    ).fetchall()[0][0]


def _orphaned_duplicates(con) -> list[tuple[str, str]]:
    """Duplicates whose original no longer holds the same content."""
    return con.execute(
        """
        SELECT d.path, d.sha256
        FROM raw_files d
        LEFT JOIN raw_files o ON o.path = d.duplicate_of
        WHERE d.status = 'dubblett' AND (o.path IS NULL OR o.status = 'dubblett' OR o.sha256 <> d.sha256)
        ORDER BY d.path
        """
    ).fetchall()
