"""What examining one export found: its source, its table, notes, quarantined rows and staging rows.

`lagesbild check` prints it; `ingest` stores it (pipeline/ingest/store.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.ingest.read import RawTable
from pipeline.ingest.validate import ISSUE_COLUMNS


@dataclass
class FileReport:
    path: Path
    label: str  # the path as the analyst knows it: relative to data/raw/ when it lies there
    sha256: str
    source: str | None = None
    refusal: str | None = None  # why nothing of the file can be stored
    table: RawTable | None = None
    notes: list[str] = field(default_factory=list)
    issues: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ISSUE_COLUMNS))
    dropped_rows: int = 0  # rows left out as a whole
    cells_quarantined: int = 0  # answers left out of rows that were otherwise kept
    staging: dict[str, pd.DataFrame] | None = None  # staging table -> its new rows; the first is the source's main table
    rows_kept: int = 0
    records: int | None = None  # rows or records read when the file is no table (Kolada JSON)
    kind: str = ""  # what the file is, when there is no RawTable to describe it

    @property
    def rows_read(self) -> int:
        if self.records is not None:
            return self.records
        return 0 if self.table is None else len(self.table.cells) + self.table.blank_rows

    @property
    def description(self) -> str:
        return self.table.description if self.table is not None else self.kind

    @property
    def rows_blank(self) -> int:
        return 0 if self.table is None else self.table.blank_rows

    @property
    def rows_quarantined(self) -> int:
        return self.dropped_rows

    @property
    def rows_loaded(self) -> int:
        return self.rows_kept

    @property
    def clean(self) -> bool:
        return self.refusal is None and self.issues.empty
