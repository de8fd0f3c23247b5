"""Register of agreements: medborgarlöften and their insatser, one staging row per activity.

Analysts keep the register in Excel (`lagesbild template avtal`); the contract is
schemas/avtal.yaml. Reading and validation are the generic ones: the area of a row is a
municipality or a region (kind area), the responsible party must be a function and not a person
(kind role), and an end date must not lie before its start (not_before). The region ids and names
that an area cell may hold come from pipeline.places.region_lookup.
"""
from __future__ import annotations

import pandas as pd

from pipeline.config import Workspace
from pipeline.ingest.contract import Contract
from pipeline.ingest.read import RawTable
from pipeline.places import region_lookup

SOURCE = "avtal"
STAGING_COLUMNS = [
    "source_row", "area_type", "area_code", "promise", "activity", "responsible",
    "start_date", "end_date", "status", "indicators",
]
# The staging table this reader fills (one batch of rows per file).
STAGING_DDL = """
CREATE TABLE IF NOT EXISTS stg_avtal (             -- register of agreements: one row per insats/aktivitet
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    area_type VARCHAR NOT NULL, area_code VARCHAR NOT NULL,  -- kommun (4-digit code) | region | lan | riket
    promise VARCHAR NOT NULL, activity VARCHAR NOT NULL,
    responsible VARCHAR NOT NULL,                   -- a function, never a person
    start_date DATE NOT NULL, end_date DATE,
    status VARCHAR,                                 -- ej_paborjad | pagar | genomford | ej_genomford | installd; NULL = not given
    indicators VARCHAR[] NOT NULL                   -- linked indicator ids, as written
);
"""


def contract(workspace: Workspace) -> Contract:
    spec = dict(workspace.load_yaml("avtal.yaml"))
    spec["areas"] = region_lookup(workspace)  # the area cells may name a region too
    return Contract(spec)


def staging_rows(parsed: pd.DataFrame, contract: Contract, workspace: Workspace, table: RawTable) -> dict[str, pd.DataFrame]:
    """Typed staging rows from the parsed cells of the rows that passed validation."""
    rows = pd.DataFrame(index=parsed.index)
    rows["source_row"] = parsed.index.astype("int64")
    rows["area_type"] = parsed["area_type"]
    rows["area_code"] = parsed["area"]
    for field_name in ("promise", "activity", "responsible"):
        rows[field_name] = parsed[field_name]
    rows["start_date"] = parsed["start"].dt.date
    end = parsed.get("end", pd.Series(pd.NaT, index=parsed.index, dtype="datetime64[ns]"))
    rows["end_date"] = end.dt.date.where(end.notna(), None)
    status = parsed.get("status", pd.Series(None, index=parsed.index, dtype="object"))
    rows["status"] = status.where(status.notna(), None)
    indicators = parsed.get("indicators", pd.Series([[]] * len(parsed), index=parsed.index, dtype="object"))
    rows["indicators"] = indicators.map(lambda items: list(items) if isinstance(items, list) else [])
    return {"stg_avtal": rows[STAGING_COLUMNS].reset_index(drop=True)}
