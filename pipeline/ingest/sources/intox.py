"""INTOX forms: from validated cells to staging rows (one row per emergency-department visit)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.config import Workspace
from pipeline.ingest.contract import Contract, contract_file, fold
from pipeline.ingest.read import RawTable
from pipeline.places import map_distinct

SOURCE = "intox"
UNKNOWN_AGE_BAND = "okand"
STAGING_COLUMNS = [
    "source_row", "case_id", "visit_date", "period", "age", "age_band", "sex", "municipality_code",
    "home_known", "substances", "intent", "care_level", "unit", "severity", "report_of_concern",
]
# The staging table this reader fills (one batch of rows per file).
STAGING_DDL = """
CREATE TABLE IF NOT EXISTS stg_intox (
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    case_id VARCHAR, visit_date DATE NOT NULL, period VARCHAR NOT NULL,
    age SMALLINT, age_band VARCHAR NOT NULL, sex VARCHAR NOT NULL,
    municipality_code VARCHAR, home_known BOOLEAN NOT NULL, substances VARCHAR[] NOT NULL,
    intent VARCHAR NOT NULL, care_level VARCHAR NOT NULL, unit VARCHAR,
    severity TINYINT, report_of_concern BOOLEAN
);
"""


def contract(workspace: Workspace) -> Contract:
    return contract_file(workspace, "intox.yaml")


def unit_names(workspace: Workspace) -> dict[str, str]:
    """Folded unit name or alias -> the unit's name in the coverage config."""
    names = {}
    for unit in workspace.load_yaml("intox_coverage.yaml").get("units") or []:
        for text in [unit["unit"], *unit.get("aliases", [])]:
            names[fold(text)] = unit["unit"]
    return names


def staging_rows(parsed: pd.DataFrame, contract: Contract, workspace: Workspace, table: RawTable) -> dict[str, pd.DataFrame]:
    """Typed staging rows from the parsed cells of the rows that passed validation."""
    index = parsed.index
    dates = parsed["visit_date"]
    home = parsed["home_municipality"]
    missing = {name: contract.codelists[contract.fields[name]["codelist"]].missing for name in ("sex", "intent", "care_level")}
    substances = contract.codelists["substance"]
    rows = pd.DataFrame(
        {
            "source_row": index.astype("int64"),
            "case_id": parsed.get("case_id", pd.Series(pd.NA, index=index, dtype="object")),
            # per distinct day: a national export has thousands of rows and a few hundred days
            "visit_date": map_distinct(dates, lambda day: day.date()),
            "period": map_distinct(dates, lambda day: day.strftime("%Y-%m") if pd.notna(day) else None),
            "age": parsed.get("age", pd.Series(pd.NA, index=index, dtype="Int64")),
            "age_band": parsed.get("age_band", pd.Series(None, index=index, dtype="object")).fillna(UNKNOWN_AGE_BAND),
            **{name: parsed.get(name, pd.Series(code, index=index)) for name, code in missing.items()},
            "municipality_code": home.where(home.ne("")),
            "home_known": home.ne(""),
            "substances": parsed.get(contract.multicode_field, pd.Series([[substances.missing]] * len(parsed), index=index)),
            "unit": _units(parsed, workspace, table.path),
            "severity": parsed.get("severity", pd.Series(pd.NA, index=index, dtype="Int64")),
            "report_of_concern": parsed.get("report_of_concern", pd.Series(pd.NA, index=index, dtype="boolean")),
        },
        index=index,
    )
    return {"stg_intox": rows[STAGING_COLUMNS].reset_index(drop=True)}


def _units(parsed: pd.DataFrame, workspace: Workspace, path: Path) -> pd.Series:
    """The unit column, or the folder under data/raw/intox/ when the form has no unit column."""
    known = unit_names(workspace)
    try:
        parts = path.resolve().relative_to((workspace.raw / SOURCE).resolve()).parts
    except ValueError:  # a file checked outside data/raw/intox/ has no unit folder
        parts = ()
    folder = parts[0] if len(parts) > 1 else ""
    given = parsed["unit"].fillna(folder) if "unit" in parsed else pd.Series(folder, index=parsed.index)
    return map_distinct(given, lambda text: known.get(fold(text), text) or None)
