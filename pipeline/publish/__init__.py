"""Publish: the snapshot data/processed/<period>/ from what the build wrote.

For every published table (the sources' in pipeline/sources.py and the common ones) publish
selects the rows that belong to the snapshot of period P — a model's rows carry snapshot_from and
snapshot_to, and P's last month must lie between them (a quarter, tertial, half-year or year sits in
the months' rules by its last month; its areas are those of any of its months; a row with a
period_kind only in the snapshots whose kind publishes it, periods.CHAINS) — applies the
small-number suppression and writes Parquet.
It computes no indicator and reads no staging row. Beside the tables: areas.parquet (the areas in
scope and the sources with data for each), snapshot.json (period, threshold, sources),
catalogue.json, the follow-up (uppfoljning.parquet) and the county board's workbook.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from pipeline.build import COMMON_PUBLISHED
from pipeline.build.dag import Project
from pipeline.config import Workspace
from pipeline.files import put_in_place, temporary_path, write_if_changed
from pipeline.ingest import store
from pipeline.periods import CHAINS, first_month, kind, last_month
from pipeline.publish.followup import follow_up, load_plans
from pipeline.publish.relations import CELL_KEY
from pipeline.publish.suppress import suppress
from pipeline.publish.xlsx import FILE_NAME as XLSX_NAME
from pipeline.publish.xlsx import write_indicators_xlsx
from pipeline.sources import SOURCES

__all__ = ["publish", "suppress", "threshold", "true_counts"]
SNAPSHOT_COLUMNS = ("snapshot_from", "snapshot_to", "period_kind")
# tables whose rows of any month of the period belong to its snapshot: an area with data in
# some month of a year gets the year's report
OVER_THE_PERIOD = ("areas", "members")
MARKS = ("suppression", "suppressed")
KEYS = ".suppression.json"  # per suppressed table, the key of the inputs its suppression was made from


def threshold(workspace: Workspace) -> int:
    return int(workspace.load_yaml("settings.yaml")["suppression_threshold"])


def publish(workspace: Workspace, period: str, force: bool = False) -> Path:
    """Write data/processed/<period>/ and return it.

    The snapshot of INTOX's counted indicators holds every month up to and including `period`, so
    a report has its trend. Suppression is decided over exactly that data and every
    other snapshot in the workspace, earlier or later, so no two snapshots together give a hidden
    count away. A table whose suppression's inputs are those it was last published from keeps its
    suppression (unless `force`).
    """
    limit = threshold(workspace)
    suppressed = {table for source in SOURCES for table in source.suppressed}
    names = list(dict.fromkeys([*COMMON_PUBLISHED, *(table for source in SOURCES for table in source.published)]))
    con = store.connect(workspace.database, read_only=True)
    try:
        tables = {name: _snapshot_rows(con, name, period) for name in names}
        others = {name: _other_snapshots(workspace, period, name) for name in suppressed}
        # the true counts of the cells other snapshots hold
        truth = {name: true_counts(con, name, others[name]) for name in suppressed}
        catalogue = con.execute("SELECT * FROM ref_indicators").df()
        members = con.execute("SELECT area_code, municipality_code FROM ref_area_member").df()
    finally:
        con.close()
    project = Project()
    target = workspace.snapshot_dir(period)
    keys, kept = _read_keys(target), set()
    for name in names:
        if name in suppressed:
            key = _suppression_key(tables[name], others[name], truth[name], catalogue, members, limit)
            if not force and keys.get(name) == key and (target / f"{name}.parquet").exists():
                # the same cells, beside the same other snapshots, by the same code: the same suppression
                tables[name] = pd.read_parquet(target / f"{name}.parquet")
                kept.add(name)
            else:
                tables[name] = _marks_after_counts(suppress(tables[name], catalogue, members, limit, others[name], truth[name]))
            keys[name] = key
        for column in project.small_counts(name):
            counts = tables[name][column].astype("Int64")
            tables[name][column] = counts.mask(counts.between(1, limit - 1))  # <NA> = fewer than the threshold
    target.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        _write_parquet(frame.reset_index(drop=True), target / f"{name}.parquet")
    with_data = set(tables["areas"].source)
    about = {"period": period, "threshold": limit, "sources": [source.name for source in SOURCES if source.name in with_data]}
    write_if_changed(target / "snapshot.json", json.dumps(about, ensure_ascii=False, indent=1))
    write_if_changed(
        target / "catalogue.json", json.dumps(catalogue.drop(columns=["sql"]).to_dict(orient="records"), ensure_ascii=False, indent=1)
    )
    # the follow-up of the agreements' indicators reads the snapshot just written, like a report
    _write_parquet(follow_up(target, last_month(period), load_plans(workspace)), target / "uppfoljning.parquet")
    # the county board's workbook, from exactly what the snapshot holds (the same when the suppression was kept)
    if "indicators" not in kept or not (target / XLSX_NAME).exists():
        write_indicators_xlsx(pd.read_parquet(target / "indicators.parquet"), catalogue, target, period, threshold=limit)
    # last, once everything they describe is in place: a run killed before it suppresses again
    write_if_changed(target / KEYS, json.dumps(keys, indent=1, sort_keys=True))
    return target


def true_counts(con, table: str, cells: pd.DataFrame | None) -> pd.DataFrame:
    """The built counts (indicator_id, the rest of the cell key, numerator) of the cells in `cells`, in key
    order: joined in DuckDB, where the model's millions of rows of every period stay."""
    key = ["indicator_id", *CELL_KEY[1:]]
    wanted = pd.DataFrame(columns=key) if cells is None else cells[key].drop_duplicates()
    con.register("wanted_cells", wanted.astype(str))
    try:
        return con.execute(f"SELECT {', '.join(key)}, numerator FROM {table} JOIN wanted_cells USING ({', '.join(key)}) "
                           f"ORDER BY {', '.join(key)}").df()
    finally:
        con.unregister("wanted_cells")


def _suppression_key(rows: pd.DataFrame, others: pd.DataFrame | None, truth: pd.DataFrame, catalogue: pd.DataFrame,
                     members: pd.DataFrame, limit: int) -> str:
    """What the suppression of a table depends on: its rows, the other snapshots' cells, the true counts of
    the cells only they hold, the catalogue, the regions, the threshold and the suppression's code. Adding
    next month's files changes none of it for this month: the month is published again as it was."""
    digest = hashlib.sha256(str(limit).encode())
    if others is not None:
        frames = [others, truth.merge(others[["indicator_id", *CELL_KEY[1:]]].drop_duplicates())]
    else:
        frames = []
    for frame in [rows, catalogue.drop(columns=["sql"]), members, *frames]:
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
        digest.update(",".join(map(str, frame.columns)).encode())
    for code in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(code.read_bytes())
    return digest.hexdigest()


def _read_keys(target: Path) -> dict[str, str]:
    try:
        return json.loads((target / KEYS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _snapshot_rows(con, name: str, period: str) -> pd.DataFrame:
    """The model's rows of the snapshot for `period`, without the snapshot columns, in the model's order."""
    columns = [row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()]
    kept = ", ".join(f'"{column}"' for column in columns if column not in SNAPSHOT_COLUMNS)
    start = first_month(period) if name in OVER_THE_PERIOD else last_month(period)
    where = [f"coalesce({column} {op} ${bound}, true)" for column, op, bound in (("snapshot_from", "<=", "end"), ("snapshot_to", ">=", "start"))
             if column in columns]
    if not where:
        return con.execute(f"SELECT {kept} FROM {name}").df()
    if "period_kind" in columns:  # the kinds of period this snapshot's kind publishes
        where.append(f"period_kind IN ({', '.join(repr(k) for k in CHAINS[kind(period)])})")
    distinct = "DISTINCT " if start != last_month(period) else ""
    query = f"SELECT {distinct}{kept} FROM {name} WHERE {' AND '.join(where)}"
    if distinct:  # several months' rows of one area: one of each, in the model's order
        query = f"SELECT * FROM ({query}) ORDER BY ALL"
    bounds = {"start": start, "end": last_month(period)}
    return con.execute(query, {name: value for name, value in bounds.items() if f"${name}" in query}).df()


def _marks_after_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """The suppression's marks (suppression, suppressed) right after the counted columns they describe."""
    columns = [c for c in frame.columns if c not in MARKS]
    at = columns.index("areas_total") + 1 if "areas_total" in columns else len(columns)
    return frame[columns[:at] + list(MARKS) + columns[at:]]


def _other_snapshots(workspace: Workspace, period: str, name: str) -> pd.DataFrame | None:
    """The cells of every other snapshot in the workspace, earlier or later: a reader holds them
    side by side with this one."""
    others = sorted(p for p in workspace.processed.glob(f"*/{name}.parquet") if p.parent.name != period)
    own = workspace.snapshot_dir(period) / f"{name}.parquet"
    if own.exists():
        # published again: the snapshots published after it were made beside it and keep to it, so only the
        # earlier ones count, and the same inputs give the same snapshot whatever came after
        others = [p for p in others if p.stat().st_mtime_ns < own.stat().st_mtime_ns]
    if not others:
        return None
    columns = ["indicator_id", *CELL_KEY[1:], "numerator", "suppression", "areas_covered", "category_parent"]
    # a snapshot published before the categories had parents lacks that column: no parent
    return pd.concat([pd.read_parquet(p, columns=[c for c in columns if c in pq.read_schema(p).names]).reindex(columns=columns)
                      for p in others], ignore_index=True)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write only when the content changed, so an unchanged run leaves the file as it was; a new
    version is written to a temporary name and renamed into place, never left half-written."""
    tmp = temporary_path(path)
    try:
        frame.to_parquet(tmp, index=False)
        if _same_frame(path, tmp):
            return
        put_in_place(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _same_frame(path: Path, tmp: Path) -> bool:
    try:
        return path.exists() and pd.read_parquet(path).equals(pd.read_parquet(tmp))
    except Exception:  # an unreadable old file is replaced
        return False
