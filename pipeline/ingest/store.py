"""The DuckDB file: staging tables, quarantine, the file registry and the ingest log.

The CLI is the only writer (it holds the workspace lock, pipeline/lock.py). Each file is stored in
one transaction: its earlier rows, its new rows, its quarantine and its registry entry change
together or not at all – also when the process is killed (DuckDB's write-ahead log keeps only
committed transactions), so the next ingest finds the old version or the new one and goes on.
Ingest stores many files in one such transaction, a Batch, which is all or nothing in the same way.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from pipeline.ingest.findings import FileReport

DDL = """
CREATE TABLE IF NOT EXISTS raw_files (
    path VARCHAR PRIMARY KEY,        -- relative to data/raw/: a file's identity
    source VARCHAR,
    sha256 VARCHAR NOT NULL,
    status VARCHAR NOT NULL,         -- inläst | inläst med karantän | dubblett
    duplicate_of VARCHAR,
    rows_read INTEGER, rows_loaded INTEGER, rows_quarantined INTEGER, rows_blank INTEGER,
    first_period VARCHAR, last_period VARCHAR,
    description VARCHAR,
    notes VARCHAR[],
    loaded_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS refused_files (path VARCHAR PRIMARY KEY, sha256 VARCHAR, message VARCHAR, seen_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS ingest_log (
    logged_at TIMESTAMP, path VARCHAR, sha256 VARCHAR, action VARCHAR,
    rows_read INTEGER, rows_loaded INTEGER, rows_quarantined INTEGER, rows_blank INTEGER, message VARCHAR
);
CREATE TABLE IF NOT EXISTS quarantine (
    path VARCHAR, sha256 VARCHAR, source_row INTEGER, column_name VARCHAR, value VARCHAR, rule VARCHAR, message VARCHAR
);
"""


def connect(database: Path, read_only: bool = False, staging_ddl: str = "") -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file; a writer makes sure the bookkeeping tables and `staging_ddl` (the
    sources' staging tables, pipeline.ingest.staging_ddl) exist."""
    database.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(database), read_only=read_only)
    if not read_only:
        con.execute(DDL + staging_ddl)
    return con


@contextmanager
def transaction(con) -> Iterator[None]:
    """One DuckDB transaction: committed when the block ends, rolled back when it raises."""
    con.begin()
    try:
        yield
        con.commit()
    except BaseException:
        con.rollback()
        raise


# A batch commits when its staging rows reach this many, or once it has been open this long: a few
# large inserts instead of one small one per file, and a killed ingest loses about half a second of work.
BATCH_ROWS = 250_000
BATCH_SECONDS = 0.5


class Batch:
    """Several files stored in one transaction, their staging rows inserted together when it commits
    (DuckDB inserts a few hundred thousand rows at once many times faster than a few thousand at a
    time). Everything else is written at once, in order. All or nothing like a file's own
    transaction: the caller rolls back a batch that failed and stores its files one by one."""

    def __init__(self, con) -> None:
        self.con = con
        self.pending: dict[str, list[pa.Table]] = {}
        self.rows = 0
        self.opened = time.monotonic()
        con.begin()

    @property
    def full(self) -> bool:
        return self.rows >= BATCH_ROWS or time.monotonic() - self.opened >= BATCH_SECONDS

    def add(self, table: str, rows: pd.DataFrame, path: str, sha256: str) -> None:
        arrow = pa.Table.from_pandas(rows, preserve_index=False, nthreads=1)  # a thread pool per file costs more than it saves
        arrow = arrow.append_column("path", pa.repeat(path, len(arrow))).append_column("sha256", pa.repeat(sha256, len(arrow)))
        self.pending.setdefault(table, []).append(arrow)
        self.rows += len(arrow)

    def insert_pending(self) -> None:
        """The staging rows added so far (before a path's rows are deleted, and at commit)."""
        for table, parts in self.pending.items():
            # a column of one file may be all empty (Arrow's null type) where another's has values
            rows = pa.concat_tables(parts, promote_options="permissive")
            columns = ", ".join(rows.column_names)
            self.con.register("incoming", rows)
            self.con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming")
            self.con.unregister("incoming")
        self.pending.clear()

    def commit(self) -> None:
        self.insert_pending()
        self.con.commit()

    def rollback(self) -> None:
        self.pending.clear()
        self.con.rollback()


def _stored_in(con, batch: Batch | None):
    """The batch's transaction, or one of its own when there is no batch."""
    return transaction(con) if batch is None else nullcontext()


def registry(con) -> pd.DataFrame:
    return con.execute("SELECT path, sha256, status, duplicate_of FROM raw_files").df()


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _log(con, path: str, sha256: str, action: str, report: FileReport | None = None, message: str = "") -> None:
    counts = (report.rows_read, report.rows_loaded, report.rows_quarantined, report.rows_blank) if report else (None,) * 4
    con.execute("INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [_now(), path, sha256, action, *counts, message])


def store_file(con, report: FileReport, batch: Batch | None = None) -> None:
    """Replace whatever the file's path held before with this version, in one transaction (the batch's)."""
    status = "inläst" if report.issues.empty else "inläst med karantän"
    main = next(iter(report.staging.values()))
    periods = next((main[c] for c in ("period", "round") if c in main), pd.Series(dtype=str))  # months or survey rounds
    with _stored_in(con, batch):
        _delete_path(con, report.label, batch)
        for table, rows in report.staging.items():
            if batch is not None:
                batch.add(table, rows, report.label, report.sha256)
                continue
            columns = ", ".join(rows.columns)
            con.register("incoming", rows)
            con.execute(f"INSERT INTO {table} ({columns}, path, sha256) SELECT {columns}, ?, ? FROM incoming", [report.label, report.sha256])
            con.unregister("incoming")
        if len(report.issues):
            con.register("incoming_issues", report.issues)
            con.execute(
                'INSERT INTO quarantine SELECT ?, ?, "row", "column", value, rule, message FROM incoming_issues', [report.label, report.sha256]
            )
            con.unregister("incoming_issues")
        con.execute(
            "INSERT INTO raw_files VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                report.label, report.source, report.sha256, status,
                report.rows_read, report.rows_loaded, report.rows_quarantined, report.rows_blank,
                periods.min() if len(periods) else None, periods.max() if len(periods) else None,
                report.description, report.notes, _now(),
            ],
        )
        con.execute("DELETE FROM refused_files WHERE path = ?", [report.label])
        _log(con, report.label, report.sha256, status, report)


def store_duplicate(con, path: str, sha256: str, original: str, batch: Batch | None = None) -> None:
    with _stored_in(con, batch):
        _delete_path(con, path, batch)
        con.execute(
            "INSERT INTO raw_files (path, sha256, status, duplicate_of, loaded_at) VALUES (?, ?, 'dubblett', ?, ?)",
            [path, sha256, original, _now()],
        )
        _log(con, path, sha256, "dubblett", message=f"samma innehåll som {original}; läses inte in igen")


def store_refusal(con, path: str, sha256: str, message: str, batch: Batch | None = None) -> None:
    """Record that a file was refused; rows an earlier version of it left stay as they were."""
    with _stored_in(con, batch):
        con.execute("INSERT OR REPLACE INTO refused_files VALUES (?, ?, ?, ?)", [path, sha256, message, _now()])
        _log(con, path, sha256, "avvisad", message=message)


def remove_path(con, path: str) -> None:
    """A file that left data/raw/ takes its rows with it; its duplicates are examined anew."""
    with transaction(con):
        _delete_path(con, path)
        con.execute("DELETE FROM raw_files WHERE duplicate_of = ?", [path])
        con.execute("DELETE FROM refused_files WHERE path = ?", [path])
        _log(con, path, "", "borttagen", message="filen finns inte längre i data/raw/")


def forget_refusals_except(con, present: list[str]) -> None:
    """Refusals of files that are no longer in data/raw/ are history (kept in the log)."""
    con.execute("DELETE FROM refused_files WHERE NOT list_contains(?, path)", [present])


def _delete_path(con, path: str, batch: Batch | None = None) -> None:
    # A file's rows are stored with its registry entry, in one transaction: a path the registry does
    # not know has no rows (a national first ingest would otherwise scan every table once per file).
    if not con.execute("SELECT count(*) FROM raw_files WHERE path = ?", [path]).fetchall()[0][0]:
        return
    if batch is not None:
        batch.insert_pending()  # the path's rows added earlier in the batch are deleted too
    for table in _staging_tables(con) + ["quarantine", "raw_files"]:
        con.execute(f"DELETE FROM {table} WHERE path = ?", [path])


def _staging_tables(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'stg\\_%' ESCAPE '\\'").fetchall()]
