"""Hand-made police deliveries (Brottsstatistik_<Kommun>_<YYYYMM>.csv) in a tmp workspace.

Used by tests/ingest/test_polisen.py and tests/build/test_polisen_indicators.py. Nothing here
computes an expected value: the tests write their expectations out by hand.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pandas as pd

HEADER = ["LPO/Sektion nivå 4 brottsplats", "Län", "Kommunnamn", "Kommunkod", "desokod", "Brottskod", "Brottskod text",
          "Inskr år", "Inskr årmånad", "Inskrivningsdatum", "Brottsdatum från", "Brottsdatum till"]
NAMES = {"2080": "Falun", "2081": "Borlänge", "1766": "Sunne"}


def crime(municipality: str, registered: str, code: str = "9301", deso: str = "", committed: str | None = None,
          count: int | None = None) -> list[str]:
    """One row under HEADER (and Antal when `count` is given); `registered` is the registration date."""
    committed = registered if committed is None else committed
    row = ["LPO Test", "Dalarnas län", NAMES[municipality], municipality, deso, code, "text",
           registered[:4], registered[:4] + registered[5:7], registered, committed, committed]
    return row + ([str(count)] if count is not None else [])


def write_delivery(root: Path, name: str, rows: list[list[str]], encoding: str = "cp1252", delimiter: str = ";",
                   header: list[str] | None = None) -> Path:
    header = header or (HEADER + ["Antal"] if rows and len(rows[0]) == len(HEADER) + 1 else HEADER)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n" if encoding == "cp1252" else "\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = root / "data" / "raw" / "polisen" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def query(root: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(root / "data" / "processed" / "lagesbild.duckdb"), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()
