"""Ingest: load every new or changed file under data/raw/ into the DuckDB file.

A file's identity is its path under data/raw/. New content at a path replaces that path's rows;
content already loaded from another path is not loaded twice; a path that disappeared takes
its rows with it.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import Workspace
from pipeline.files import sha256_file
from pipeline.ingest import store
from pipeline.ingest.examine import examine
from pipeline.ingest.findings import FileReport
from pipeline.ingest.read import READABLE, unreadable_format
from pipeline.lock import end_with_parent
from pipeline.sources import SOURCES

__all__ = ["READABLE", "Outcome", "ingest", "raw_files", "staging_ddl"]

# From this many files under data/raw/ on, worker processes examine the files (pandas works on one
# core) while this process stores the ones before, in their order: a national ingest on two cores.
PARALLEL_FILES = 8
WORKERS = 2


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
    files = raw_files(workspace)
    with _workers(len(files)) as pool:
        con = store.connect(workspace.database, staging_ddl=staging_ddl())
        try:
            return _ingest(con, workspace, files, pool)
        finally:
            con.close()


def _ingest(con, workspace: Workspace, files: list[Path], pool: ProcessPoolExecutor | None) -> list[Outcome]:
    known = store.registry(con).set_index("path")
    labels = {path: path.relative_to(workspace.raw).as_posix() for path in files}
    outcomes = [Outcome(label, "borttagen") for label in sorted(set(known.index) - set(labels.values()))]
    for outcome in outcomes:
        store.remove_path(con, outcome.label)
    store.forget_refusals_except(con, list(labels.values()))
    known = store.registry(con).set_index("path")  # removing an original also forgot its duplicates
    handled: dict[str, Outcome] = {}
    changed: list[tuple[Path, str, str]] = []
    for path in files:
        label = labels[path]
        sha = sha256_file(path)
        if label in known.index and known.at[label, "sha256"] == sha:
            handled[label] = Outcome(label, "oförändrad")
        else:
            changed.append((path, label, sha))
    loader = _Loader(con, workspace, pool)
    loader.examine_ahead(changed)
    for path, label, sha in changed:
        loader.load(path, label, sha)
    loader.commit()
    # A duplicate rests on its original: when the original left or changed this run, the
    # duplicate's content is no longer in the database and is loaded from the duplicate itself.
    by_label = {label: path for path, label in labels.items()}
    for label, sha in _orphaned_duplicates(con):
        loader.load(by_label[label], label, sha)
    loader.commit()
    handled.update(loader.outcomes)
    return outcomes + [handled[labels[path]] for path in files]


@contextmanager
def _workers(files: int) -> Iterator[ProcessPoolExecutor | None]:
    """Worker processes to examine files in, or None for a few files or a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if files < PARALLEL_FILES or cores < 2:
        yield None
        return
    pool = ProcessPoolExecutor(max_workers=min(WORKERS, cores), initializer=end_with_parent, initargs=(os.getpid(),))
    try:
        pool.submit(int).result()  # the workers start now, before the database and its threads do
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def _examine(path: Path, workspace: Workspace, label: str, sha: str) -> FileReport | str:
    """A file examined, or why examining it failed: an error's text crosses from a worker whole,
    where the error itself might not."""
    try:
        return examine(path, workspace, label, sha)
    except Exception as error:
        return f"{type(error).__name__}: {error}"


class _Loader:
    """Loads files in batches (store.Batch). When anything in a batch fails, the batch is rolled back
    and its files are loaded again one by one, each in a transaction of its own, as if there had
    been no batch: one file's failure keeps no other file out."""

    def __init__(self, con, workspace: Workspace, pool: ProcessPoolExecutor | None = None) -> None:
        self.con, self.workspace, self.pool = con, workspace, pool
        self.outcomes: dict[str, Outcome] = {}
        self.batch: store.Batch | None = None
        self.files: list[tuple[Path, str, str]] = []  # the open batch's
        self.reports: dict[str, FileReport | str] = {}  # examined, kept for a second attempt
        self.ahead: dict[str, Future] = {}

    def examine_ahead(self, files: list[tuple[Path, str, str]]) -> None:
        """Have the workers examine these files, in this order, while the files before are stored
        (a file that turns out a duplicate is examined in vain)."""
        if self.pool is not None:
            self.ahead = {label: self.pool.submit(_examine, path, self.workspace, label, sha) for path, label, sha in files}

    def load(self, path: Path, label: str, sha: str) -> None:
        if self.batch is None:
            self.batch, self.files, self.reports = store.Batch(self.con), [], {}
        self.files.append((path, label, sha))
        try:
            self.outcomes[label] = _load(self.con, self.workspace, path, label, sha, self._examined, self.batch)
        except _ExamineFailed as error:  # nothing of the file was written: the batch goes on
            self.outcomes[label] = _failed(label, error)
        except Exception:
            self._one_by_one()
            return
        if self.batch.full:
            self.commit()

    def commit(self) -> None:
        if self.batch is None:
            return
        try:
            self.batch.commit()
        except Exception:
            self._one_by_one()
        self.batch = None

    def _one_by_one(self) -> None:
        try:
            self.batch.rollback()
        except Exception:  # the transaction may already be gone with the error
            pass
        self.batch = None
        for path, label, sha in self.files:
            self.outcomes[label] = _load_or_report(self.con, self.workspace, path, label, sha, self._examined)

    def _examined(self, path: Path, label: str, sha: str) -> FileReport:
        """The file examined once, also when it is stored a second time; an error examining it, again."""
        if label not in self.reports:
            try:
                self.reports[label] = self.ahead.pop(label).result() if label in self.ahead else _examine(path, self.workspace, label, sha)
            except Exception:  # the worker died (out of memory, killed): examine the file here
                self.reports[label] = _examine(path, self.workspace, label, sha)
        if isinstance(self.reports[label], str):
            raise _ExamineFailed(self.reports[label])
        return self.reports[label]


class _ExamineFailed(Exception):
    """Examining a file failed (the message says why): the file alone fails, nothing was written for it."""


def _load_or_report(con, workspace: Workspace, path: Path, label: str, sha: str, examined) -> Outcome:
    """One file's failure (its transaction rolled back) must not keep the other files out."""
    try:
        return _load(con, workspace, path, label, sha, examined)
    except Exception as error:
        return _failed(label, error)


def _failed(label: str, error: Exception) -> Outcome:
    message = str(error) if isinstance(error, _ExamineFailed) else f"{type(error).__name__}: {error}"
    return Outcome(label, "misslyckades", message=message)


def _load(con, workspace: Workspace, path: Path, label: str, sha: str, examined, batch: store.Batch | None = None) -> Outcome:
    """Store a new or changed file, or record it as a duplicate of content already loaded."""
    original = _holder(con, sha, label)
    if original:
        store.store_duplicate(con, label, sha, original, batch)
        return Outcome(label, "dubblett", message=f"samma innehåll som {original}")
    if problem := unreadable_format(path):  # never stored, so examined anew (and reported) at every run
        store.store_refusal(con, label, sha, problem, batch)
        return Outcome(label, "avvisad", message=problem)
    report = examined(path, label, sha)
    if report.refusal:
        store.store_refusal(con, label, report.sha256, report.refusal, batch)
        return Outcome(label, "avvisad", report, report.refusal)
    store.store_file(con, report, batch)
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
