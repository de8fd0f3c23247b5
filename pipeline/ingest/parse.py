"""Parse text cells into typed values, vectorised over the distinct values of a column.

Each parser returns NaN/NaT for a filled cell it cannot read; an empty cell stays empty, and the
validation decides whether empty is allowed.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from pipeline.ingest.contract import CodeList, fold
from pipeline.places import map_distinct

SWEDISH_MONTHS = {
    "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7,
    "augusti": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}
_MONTH_ABBREVIATIONS = {name[:3]: number for name, number in SWEDISH_MONTHS.items()} | {"sept": 9}
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0, after its 1900 leap-year bug
_TEXT_DATE = re.compile(r"^(\d{1,2})\s*([a-zåäö]+)\.?\s*(\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_ROUND_TEXT = re.compile(r"^(?:(\d{4})\s*([a-zåäö0-9]+)|([a-zåäö0-9]+)\s*(\d{4}))$")
# ISO dates, with or without time; also year-first with slashes and a trailing clock suffix and time
# zone, as Google Forms writes its timestamp ("2026/03/14 10:02:11 fm CET", "… 3:45:12 PM GMT+1").
_ISO = re.compile(
    r"^(\d{4})[-/]?(\d{2})[-/]?(\d{2})"
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?"
    r"(?:\s+(?:[a-z]\.m\.|[a-z]{1,5}(?:[+-]\d{1,2}(?::?\d{2})?)?))*)?$"
)


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO dates (with or without time), Swedish text dates, day-first dates and Excel serials."""
    return pd.to_datetime(map_distinct(values, _parse_date), errors="coerce")


def _parse_date(text: str) -> dt.date | None:
    value = text.strip().lower()
    if not value:
        return None
    try:
        if match := _ISO.match(value):
            return dt.date(*map(int, match.groups()))
        if match := _DAY_FIRST.match(value):
            day, month, year = map(int, match.groups())
            return dt.date(year, month, day)
        if match := _TEXT_DATE.match(value):
            day, name, year = match.groups()
            month = SWEDISH_MONTHS.get(name) or _MONTH_ABBREVIATIONS.get(name[:4]) or _MONTH_ABBREVIATIONS.get(name[:3])
            return dt.date(int(year), month, int(day)) if month and (name in SWEDISH_MONTHS or len(name) <= 4) else None
        serial = float(value.replace(",", "."))
        if 20_000 <= serial < 80_000:  # 1954-2119: a serial, not some other number
            return (EXCEL_EPOCH + pd.Timedelta(days=int(serial))).date()
    except (ValueError, OverflowError):
        return None
    return None


_MONTH = re.compile(r"^(\d{4})(?:[-/ ]?(\d{2})|[-/ ](\d))$")


def parse_months(values: pd.Series) -> pd.Series:
    """A calendar month -> 'YYYY-MM': '202512', '2025-12', '2025-1', or a date in it ('2025-12-01');
    None when the cell is no month of the years 2000-2100."""
    def one(text: str) -> str | None:
        value = text.strip()
        if match := _MONTH.match(value):
            year, month = int(match.group(1)), int(match.group(2) or match.group(3))
        elif date := _parse_date(value):
            year, month = date.year, date.month
        else:
            return None
        return f"{year}-{month:02d}" if 2000 <= year <= 2100 and 1 <= month <= 12 else None

    return map_distinct(values, one)


def parse_integers(values: pd.Series, low: int, high: int) -> pd.Series:
    """Whole numbers within [low, high]; "4,0" and "4.0" count as 4."""
    numbers = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")
    whole = numbers.where((numbers % 1 == 0) & numbers.between(low, high))
    return whole.astype("Int64")


_AGE_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|–|till)\s*(\d{1,3})(?:\s*år)?$")
_AGE_OPEN = re.compile(r"^(\d{1,3})\s*(?:\+|år och äldre|och äldre|eller äldre|-)$")


def parse_ages(values: pd.Series, bands: list[list]) -> pd.DataFrame:
    """Age in years or an age band; columns `age` (Int64) and `age_band` (one of `bands`)."""
    def band_of(low: int, high: int) -> str | None:
        for label, band_low, band_high in bands:
            if band_low <= low and high <= band_high:
                return label
        return None

    def one(text: str) -> tuple[float, str | None]:
        value = text.strip().lower().replace(" år", "").strip()
        if not value:
            return (np.nan, None)
        if re.fullmatch(r"\d{1,3}(?:[.,]0)?", value):
            age = int(value.split(".")[0].split(",")[0])
            return (age, band_of(age, age)) if age <= 120 else (np.nan, None)
        if match := _AGE_RANGE.match(value):
            return (np.nan, band_of(int(match.group(1)), int(match.group(2))))
        if match := _AGE_OPEN.match(value):
            return (np.nan, band_of(int(match.group(1)), 130))
        return (np.nan, None)

    parsed = map_distinct(values, one, {"age": "Float64", "age_band": object})
    parsed["age"] = parsed["age"].astype("Int64")
    return parsed


def parse_yes_no(values: pd.Series, yes: set[str], no: set[str]) -> pd.Series:
    """True, False, or NaN for an answer that is neither; empty cells are False."""
    def one(text: str) -> object:
        folded = fold(text)
        if folded in yes:
            return True
        if folded in no or folded == "":
            return False
        return np.nan

    return map_distinct(values, one)


def split_multicode(values: pd.Series, codes: CodeList, separators: list[str]) -> pd.DataFrame:
    """One delimited cell of several answers: columns `codes` (list) and `unknown` (list of texts)."""
    pattern = "|".join(re.escape(s) for s in sorted(separators, key=len, reverse=True))

    def one(text: str) -> tuple[list[str], list[str]]:
        items = [item.strip() for item in re.split(pattern, text, flags=re.IGNORECASE) if item.strip()]
        if not items:
            return ([codes.missing] if codes.missing else [], [])
        found = [codes.lookup.get(fold(item)) for item in items]
        return (sorted(set(c for c in found if c)), [item for item, code in zip(items, found) if code is None])

    # dtype object: a header-only export has no rows, and an empty column must still be a list column
    return map_distinct(values, one, {"codes": object, "unknown": object})


def parse_rounds(values: pd.Series, aliases: dict) -> pd.Series:
    """'2026-H1', 'H1 2026', 'VT 2026', 'hösten 2026' -> '2026-H1'/'2026-H2'; NaN when not a round."""
    halves = {fold(k): v for k, v in aliases.items()}

    def one(text: str):
        match = _ROUND_TEXT.match(fold(text))
        if not match:
            return None
        year, half = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        half = halves.get(half)
        return f"{year}-{half}" if half and 2000 <= int(year) <= 2100 else None

    return map_distinct(values, one)
