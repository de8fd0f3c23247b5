"""The DuckDB file: staging tables, quarantine, the file registry and the ingest log.

The CLI is the only writer (it holds the workspace lock, pipeline/lock.py). Each file is stored in
one transaction: its earlier rows, its new rows, its quarantine and its registry entry change
together or not at all – also when the process is killed (DuckDB's write-ahead log keeps only
committed transactions), so the next ingest finds the old version or the new one and goes on.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

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


def registry(con) -> pd.DataFrame:
    return con.execute("SELECT path, sha256, status, duplicate_of FROM raw_files").df()


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _log(con, path: str, sha256: str, action: str, report: FileReport | None = None, message: str = "") -> None:
    counts = (report.rows_read, report.rows_loaded, report.rows_quarantined, report.rows_blank) if report else (None,) * 4
    con.execute("INSERT INTO ingest_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [_now(), path, sha256, action, *counts, message])


def store_file(con, report: FileReport) -> None:
    """Replace whatever the file's path held before with this version, in one transaction."""
    status = "inläst" if report.issues.empty else "inläst med karantän"
    main = next(iter(report.staging.values()))
    periods = next((main[c] for c in ("period", "round") if c in main), pd.Series(dtype=str))  # months or survey rounds
    with transaction(con):
        _delete_path(con, report.label)
        for table, rows in report.staging.items():
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


def store_duplicate(con, path: str, sha256: str, original: str) -> None:
    with transaction(con):
        _delete_path(con, path)
        con.execute(
            "INSERT INTO raw_files (path, sha256, status, duplicate_of, loaded_at) VALUES (?, ?, 'dubblett', ?, ?)",
            [path, sha256, original, _now()],
        )
        _log(con, path, sha256, "dubblett", message=f"samma innehåll som {original}; läses inte in igen")


def store_refusal(con, path: str, sha256: str, message: str) -> None:
    """Record that a file was refused; rows an earlier version of it left stay as they were."""
    with transaction(con):
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


def _delete_path(con, path: str) -> None:
    # A file's rows are stored with its registry entry, in one transaction: a path the registry does
    # not know has no rows (a national first ingest would otherwise scan every table once per file).
    if not con.execute("SELECT count(*) FROM raw_files WHERE path = ?", [path]).fetchall()[0][0]:
        return
    for table in _staging_tables(con) + ["quarantine", "raw_files"]:
        con.execute(f"DELETE FROM {table} WHERE path = ?", [path])


def _staging_tables(con) -> list[str]:
    return [row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'stg\\_%' ESCAPE '\\'").fetchall()]
