"""Build: load the reference tables, run the SQL models in DAG order, check their declared keys.

The models live in pipeline/sql/<source>/<model>.sql (and pipeline/sql/common/), ordered by
pipeline/sql/dag.yml and checked against pipeline/sql/schema.yml (pipeline/build/dag.py). Each
source's build side, the module pipeline/build/<source>.py when there is one, loads the reference
tables its models read (`reference`); the counted indicators' catalogue of every source makes the model
int_indicator_month (pipeline/build/indicators.py).
Every model runs whichever sources have data: a source without files gives empty tables.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import importlib.util
from dataclasses import dataclass, field
from types import ModuleType

import pandas as pd

from pipeline import places
from pipeline.build import dag, indicators
from pipeline.config import SQL_DIR, Workspace
from pipeline.ingest import staging_ddl, store
from pipeline.periods import last_month
from pipeline.sources import SOURCES

# Built tables that every snapshot holds whichever sources have data (models in pipeline/sql/common/).
COMMON_PUBLISHED = ("files", "folders", "issues", "areas", "members")


@dataclass
class BuildResult:
    rebuilt: bool  # False when nothing the build depends on changed since the last build
    rows: int  # rows of the tables that pass the small-number suppression (INTOX: indicator values)
    first_period: str | None  # first and last month of those rows (INTOX: its months)
    last_period: str | None
    sources: list[str] = field(default_factory=list)  # the sources with data, in the registry's order
    first_month: str | None = None  # first month any source has data for
    last_month: str | None = None  # last month with data: the current month while a source is open-ended
    current_month: str = ""  # the build's month ('YYYY-MM'): the latest month that can be published
    counts: dict[str, int] = field(default_factory=dict)  # rows per published table
    warnings: list[str] = field(default_factory=list)  # Swedish, from the sources' <source>_warnings models

    def publishable(self, period: str) -> bool:
        """A period can be published when some source has data for it or before it, and its last month
        has come (the current month for a month, like a month that has begun)."""
        return self.first_month is not None and self.first_month <= last_month(period) <= self.current_month


def builder(source) -> ModuleType | None:
    """A source's build side, pipeline/build/<source>.py, when it has one."""
    name = f"pipeline.build.{source.name}"
    return importlib.import_module(name) if importlib.util.find_spec(name) else None


def build(workspace: Workspace, force: bool = False, today: dt.date | None = None) -> BuildResult:
    current_month = (today or dt.date.today()).strftime("%Y-%m")
    con = store.connect(workspace.database, staging_ddl=staging_ddl())
    try:
        fingerprint = _fingerprint(con, workspace, current_month)
        previous = next(iter(con.execute("SELECT fingerprint FROM build_info").fetchall()), None) if _has_table(con, "build_info") else None
        if previous and previous[0] == fingerprint and not force:
            return _result(con, False)
        con.begin()
        _load_reference(con, workspace, current_month)
        generated = {"int_source_areas": _source_areas_sql()} | indicators.models(workspace)
        dag.run(con, generated)
        con.execute("CREATE OR REPLACE TABLE build_info AS SELECT ?::VARCHAR AS fingerprint, now() AS built_at", [fingerprint])
        con.commit()
        return _result(con, True)
    except Exception:
        try:
            con.rollback()
        except Exception:  # the failure came before the transaction began
            pass
        raise
    finally:
        con.close()


def _load_reference(con, workspace: Workspace, current_month: str) -> None:
    """The places every source uses, the build's month, and each source's own reference tables."""
    tables = {
        "ref_municipality": places.municipalities(),
        "ref_area_member": places.region_members(workspace),
        "ref_area": places.area_names(workspace),
        "ref_build": pd.DataFrame({"current_month": [current_month]}),
    }
    tables |= indicators.reference(workspace, current_month)
    for module in filter(None, map(builder, SOURCES)):
        for name, frame in (module.reference(workspace, con) if hasattr(module, "reference") else {}).items():
            # a table two sources give (the code lists of their breakdowns) holds both
            tables[name] = pd.concat([tables[name], frame], ignore_index=True) if name in tables else frame
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")


def _source_areas_sql() -> str:
    """int_source_areas: every source's <source>_areas model, with the source's name."""
    return "\nUNION ALL\n".join(
        f"SELECT '{source.name}' AS source, area_type::VARCHAR AS area_type, area_code::VARCHAR AS area_code, "
        f"from_period::VARCHAR AS from_period, to_period::VARCHAR AS to_period FROM {source.areas_model}"
        for source in SOURCES
    )


def _result(con, rebuilt: bool) -> BuildResult:
    counted = list(dict.fromkeys(table for source in SOURCES for table in source.suppressed))
    rows, first, last = 0, None, None
    for table in counted:
        n, low, high = con.execute(f"SELECT count(*), min(snapshot_from), max(snapshot_from) FROM {table}").fetchall()[0]
        rows += n
        first = min(filter(None, (first, low)), default=None)
        last = max(filter(None, (last, high)), default=None)
    current = con.execute("SELECT current_month FROM ref_build").fetchall()[0][0]
    first_month, last_month = con.execute(
        "SELECT min(from_period), CASE WHEN count(*) > 0 THEN least(max(coalesce(to_period, ?)), ?) END FROM int_source_areas",
        [current, current],
    ).fetchall()[0]
    with_data = {row[0] for row in con.execute("SELECT DISTINCT source FROM int_source_areas").fetchall()}
    published = [*COMMON_PUBLISHED, *(table for source in SOURCES for table in source.published)]
    counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in dict.fromkeys(published)}
    warnings = [
        message
        for source in SOURCES
        if _has_table(con, f"{source.name}_warnings")
        for (message,) in con.execute(f"SELECT message FROM {source.name}_warnings").fetchall()
    ]
    return BuildResult(
        rebuilt, rows, first, last, sources=[s.name for s in SOURCES if s.name in with_data], first_month=first_month,
        last_month=last_month, current_month=current, counts=counts, warnings=warnings,
    )


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0][0])


def _fingerprint(con, workspace: Workspace, current_month: str) -> str:
    """What a build depends on: the loaded files (by hash), every contract, model and reference
    file, the catalogue's SQL files and the current month (the calendar ends there)."""
    files = con.execute("SELECT string_agg(path || ':' || sha256, ',' ORDER BY path) FROM raw_files").fetchall()[0][0]
    digest = hashlib.sha256(f"{workspace.contract_fingerprint()}|{files}|{current_month}".encode())
    for path in sorted(SQL_DIR.rglob("*.sql")) + sorted(SQL_DIR.rglob("*.yml")):
        digest.update(path.relative_to(SQL_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
