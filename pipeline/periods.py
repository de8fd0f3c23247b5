"""Months and questionnaire rounds: shift them and name them in Swedish ('oktober 2026', 'första halvåret 2026')."""
from __future__ import annotations

import re

MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]
SHORT_MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def month(period: str) -> str:
    """'2026-10' -> 'oktober 2026'."""
    year, number = period.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def short_month(period: str) -> str:
    """'2026-10' -> 'okt 2026'."""
    year, number = period.split("-")
    return f"{SHORT_MONTHS[int(number) - 1]} {year}"


def shift(period: str, months: int) -> str:
    """'2026-10' shifted by -12 -> '2025-10'."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def is_round(period: object) -> bool:
    """'2026-H1' is a questionnaire round; '2026-10' a month."""
    return isinstance(period, str) and re.fullmatch(r"\d{4}-H[12]", period) is not None


def round_of(period: str) -> str:
    """The round a month falls in: '2026-10' -> '2026-H2'."""
    return f"{period[:4]}-{'H1' if period[5:7] <= '06' else 'H2'}"


def round_text(round_: str) -> str:
    """'2026-H1' -> 'första halvåret 2026', '2026-H2' -> 'andra halvåret 2026'."""
    return f"{'första' if round_.endswith('H1') else 'andra'} halvåret {round_[:4]}"


def short_round(round_: str) -> str:
    """'2026-H1' -> '2026 H1' (non-breaking space; where space is tight)."""
    return f"{round_[:4]}\u00a0{round_[5:]}"


def round_begun(round_: str, period: str) -> bool:
    """A round has begun by month `period` when its first month (January or July) is not after it."""
    return f"{round_[:4]}-{'01' if round_.endswith('H1') else '07'}" <= period


def period_text(period: object) -> str:
    """'2026-10' -> 'oktober 2026', '2025-H1' -> 'första halvåret 2025', '2024' -> '2024', missing '–'."""
    if not isinstance(period, str) or not period:
        return "–"
    if is_round(period):
        return round_text(period)
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return month(period)
    return period


def date_text(day, month_: int, year: int) -> str:
    """1, 2, 2025 -> '1 februari 2025'."""
    return f"{day} {MONTHS[month_ - 1]} {year}"
