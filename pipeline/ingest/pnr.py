"""Detect Swedish personal identity numbers (personnummer, samordningsnummer) in a table.

A file with such a column is refused whole before anything is stored. Messages name the column,
never a value.

Free text (a column the contract stores as written: comments, promises, activities, functions –
not identifiers or codes) is held to a stricter rule than other columns: one valid 10-digit number
in it is enough ("elev 0802114561 omhändertogs"). Elsewhere a cell that is not such a number is
quarantined, and its value is never echoed or stored. A number counts when it stands alone as ten digits (no digit directly before or
after it), its date is plausible (month 01–12, day 01–31, or 61–91 for a samordningsnummer) and its
check digit is valid. That keeps false alarms on phone numbers low: numbers written as they are
usually written ("070-123 45 67", "+46 70 123 45 67") never form ten digits in a row; of mobile
numbers written without separators, 072-, 073-, 076- and 079- numbers give month 20–99 and are
never plausible, and a 070-number passes only when its day is plausible and its check digit
happens to be valid (about one in eighteen).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

# 12 or 10 digits, optionally with the separator (- or +) before the last four.
_PATTERN = r"^(?:(?:19|20)?(\d{6}))[-+]?(\d{4})$"
_UNMISTAKABLE = r"(?<!\d)((?:19|20)\d{6}[-+]?\d{4}|\d{6}[-+]\d{4})(?!\d)"
_TEN_DIGITS = r"(?<!\d)(\d{10})(?!\d)"
# A column is a personal-number column when this share of its filled cells are valid numbers;
# one valid number written with its separator or with all 12 digits is enough on its own.
SHARE_THRESHOLD = 0.2


def valid_mask(values: pd.Series) -> pd.Series:
    """True where the cell is a personal identity number with a real date and a valid check digit."""
    parts = values.astype(str).str.replace(" ", "", regex=False).str.extract(_PATTERN)
    ok = parts[0].notna()
    if not ok.any():
        return ok
    digits = (parts[0] + parts[1])[ok]
    matrix = (np.frombuffer("".join(digits).encode("ascii"), dtype=np.uint8).reshape(-1, 10) - 48).astype(np.int64)
    month = matrix[:, 2] * 10 + matrix[:, 3]
    day = matrix[:, 4] * 10 + matrix[:, 5]
    day = np.where(day > 60, day - 60, day)  # samordningsnummer add 60 to the day
    plausible = (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    # Luhn over the first nine digits: weights 2,1,2,1,...; digits of products summed.
    products = matrix[:, :9] * np.array([2, 1, 2, 1, 2, 1, 2, 1, 2])
    total = (products // 10 + products % 10).sum(axis=1)
    luhn = (10 - total % 10) % 10 == matrix[:, 9]
    result = pd.Series(False, index=values.index)
    result.loc[digits.index] = plausible & luhn
    return result


def personal_number_columns(cells: pd.DataFrame, headers: list[str], free_text: set[int] = frozenset()) -> list[str]:
    """Headers of the columns that hold personal identity numbers; `free_text`: the positions of
    the columns stored as written, where one valid 10-digit number anywhere in a cell is enough."""
    found = []
    # Only a column with six digits in a row somewhere can hold a number: check those alone.
    for position, header in enumerate(headers):
        column = cells.iloc[:, position]
        # (on the distinct values: most columns repeat a few answers, often with å, ä or ö, for which
        # pandas runs the pattern in Python cell by cell)
        if not pd.Series(column.unique(), dtype=column.dtype).str.contains(r"\d{6}", regex=True).any():
            continue
        filled = column[column.ne("")]
        if filled.empty:
            continue
        # Only a cell with ten digits in a row (the separator perhaps between, spaces aside), or nine
        # alone, can hold a number: the costly checks below look at those alone (a national export's
        # form ids are thousands of cells with six digits in a row and no number among them).
        possible = filled.str.replace(" ", "", regex=False).str.contains(r"\d{6}[-+]?\d{4}", regex=True) | filled.str.fullmatch(r"\d{9}")
        candidates = filled[possible]
        if candidates.empty:
            continue
        # Written with its separator or with the century (12 digits), one number is unmistakable,
        # also inside a longer text ("pnr 19121212-1212").
        embedded = candidates.str.extractall(_UNMISTAKABLE)[0]
        # In free text, also the bare ten digits: "elev 0802114561 omhändertogs".
        in_text = candidates.str.extractall(_TEN_DIGITS)[0] if position in free_text else pd.Series(dtype=str)
        # A number cell in Excel drops the leading zero of those born 2000-2009: 9 digits left.
        padded = valid_mask(candidates.where(~candidates.str.fullmatch(r"\d{9}"), "0" + candidates))
        # the share counts every filled cell; the others cannot be numbers
        if valid_mask(embedded).any() or valid_mask(in_text).any() or padded.sum() / len(filled) >= SHARE_THRESHOLD:
            found.append(header or f"kolumn {position + 1}")
    return found
