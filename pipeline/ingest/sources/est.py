"""EST incident reports (Effektiv samordning för trygghet): one staging row per reported event.

Reports come from the project's workbook (`lagesbild template est`) or as csv exports with the
same fields; the contract is schemas/est.yaml. Reading and validation are the generic ones: an
unknown category, function, assessment or municipality, a date that cannot be read, a DeSO
outside the row's municipality, or a place or description that seems to name a person keeps the
row out with a message naming file, row and column; a personal identity number in any text
column refuses the file (pipeline/ingest/examine.py). What is EST's own is done here:

- before validation, a file without a Kommun column takes its municipality from its folder
  (data/raw/est/<kommun>/) or file name, and a row without a place is placed by its DeSO;
- the free text (Beskrivning) goes to a table of its own, stg_est_text, which no model
  publishes: it is kept, never shown, like the questionnaire's comments. Coordinates are kept in
  stg_est and never published either.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipeline.config import Workspace
from pipeline.ingest.contract import Contract, contract_file, fold
from pipeline.ingest.read import RawTable
from pipeline.ingest.sources.enkat import municipality_from_path
from pipeline.places import resolver

SOURCE = "est"
STAGING_COLUMNS = [
    "source_row", "municipality_code", "event_date", "period", "time_band", "category", "place", "place_key",
    "deso_code", "coordinates", "reporter", "assessment",
]
TEXT_COLUMNS = ["source_row", "municipality_code", "period", "description"]
# The staging tables this reader fills (one batch of rows per file).
STAGING_DDL = """
CREATE TABLE IF NOT EXISTS stg_est (               -- EST incident reports: one row per reported event
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    municipality_code VARCHAR NOT NULL, event_date DATE NOT NULL, period VARCHAR NOT NULL,
    time_band VARCHAR NOT NULL,                     -- 00-06 | 06-12 | 12-18 | 18-24 | okand
    category VARCHAR NOT NULL,                      -- a code of schemas/est.yaml
    place VARCHAR NOT NULL,                         -- as written (spacing tidied)
    place_key VARCHAR NOT NULL,                     -- folded: spellings that differ in case, spacing or punctuation are one place
    deso_code VARCHAR,
    coordinates VARCHAR,                            -- as written; stored, never published or shown
    reporter VARCHAR, assessment VARCHAR            -- codes; NULL = not given
);
CREATE TABLE IF NOT EXISTS stg_est_text (          -- the reports' free text: stored, never published or shown
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    municipality_code VARCHAR NOT NULL, period VARCHAR NOT NULL, description VARCHAR NOT NULL
);
"""


def contract(workspace: Workspace) -> Contract:
    return contract_file(workspace, "est.yaml")


def prepare(table: RawTable, contract: Contract, workspace: Workspace) -> tuple[RawTable, list[str]]:
    """A municipality from the path when the file has no Kommun column; a place from the DeSO when
    a row names no place (the contract requires a place: a report says where)."""
    name, notes = table.path.name, []
    mapping = contract.map_headers(table.headers)
    position_of = {field: position for position, field in mapping.fields.items()}
    headers, cells = list(table.headers), table.cells.copy()
    if "municipality" not in position_of and (found := municipality_from_path(table.path, workspace, SOURCE)):
        code, where = found
        cells[len(headers)] = code
        headers.append(contract.label("municipality"))
        notes.append(f"{name}: kolumn för kommun saknas; filen gäller {resolver().names[code]} ({where}).")
    if "deso" in position_of:
        deso = cells[position_of["deso"]]
        if "place" in position_of:
            place = cells[position_of["place"]]
            cells[position_of["place"]] = place.where(place.ne("") | deso.eq(""), deso.str.upper())
        else:
            cells[len(headers)] = deso.str.upper()
            headers.append(contract.label("place"))
            notes.append(f"{name}: kolumn för plats saknas; händelserna redovisas per DeSO-område.")
    return replace(table, headers=headers, cells=cells), notes


def staging_rows(parsed: pd.DataFrame, contract: Contract, workspace: Workspace, table: RawTable) -> dict[str, pd.DataFrame]:
    """Typed staging rows of the events that passed validation, and their free text apart."""
    def optional(field: str) -> pd.Series:
        """The field's values, None where not given (Series.where would put NaN back)."""
        values = parsed.get(field, pd.Series(None, index=parsed.index, dtype="object"))
        return pd.Series([None if pd.isna(v) else v for v in values], index=parsed.index, dtype="object")

    rows = pd.DataFrame(index=parsed.index)
    rows["source_row"] = parsed.index.astype("int64")
    rows["municipality_code"] = parsed["municipality"]
    rows["event_date"] = parsed["date"].dt.date
    rows["period"] = parsed["date"].dt.strftime("%Y-%m")
    unknown_band = contract.codelists["time_band"].missing
    rows["time_band"] = parsed.get("time_band", pd.Series(unknown_band, index=parsed.index)).fillna(unknown_band)
    rows["category"] = parsed["category"]
    rows["place"] = parsed["place"].str.split().str.join(" ")
    rows["place_key"] = rows["place"].map(lambda place: fold(place) or place)
    for column, field in (("deso_code", "deso"), ("coordinates", "coordinates"), ("reporter", "reporter"), ("assessment", "assessment")):
        rows[column] = optional(field)
    text = optional("description")
    filled = text.notna()
    texts = rows.loc[filled, TEXT_COLUMNS[:3]].assign(description=text[filled])
    return {"stg_est": rows[STAGING_COLUMNS].reset_index(drop=True), "stg_est_text": texts[TEXT_COLUMNS].reset_index(drop=True)}
