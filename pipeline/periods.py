"""Periods: months, quarters, tertials, half-years and years (and the questionnaire's rounds, which
are half-years): parse them, shift them, list their months and name them in Swedish.

    2026-11   a month                  'november 2026'
    2026-Q3   a quarter (also 2026-K3)  'tredje kvartalet 2026'
    2026-T2   a tertial (T1 Jan–Apr, T2 May–Aug, T3 Sep–Dec)  'andra tertialet 2026'
    2026-H1   a half-year, and a questionnaire round  'första halvåret 2026'
    2026      a year                   '2026'

A period that is not a month is the whole of its months; it sits in the months' rules (what a
snapshot holds, which round or statistics year applies) by its last month.
"""
from __future__ import annotations

import re

MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]
SHORT_MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
ORDINALS = ["första", "andra", "tredje", "fjärde"]

# kind -> (letter in the code, months per period, Swedish noun in its definite form)
KINDS = {
    "month": ("", 1, ""),
    "quarter": ("Q", 3, "kvartalet"),
    "tertial": ("T", 4, "tertialet"),
    "half": ("H", 6, "halvåret"),
    "year": ("", 12, ""),
}
ORDER = tuple(KINDS)  # finest first
# The kinds a snapshot of each kind publishes counts for, finest first: its own and the coarser ones that
# nest it, down from its months. Quarters and tertials do not nest (T1 - Q1 = April), so a month's
# snapshot climbs by tertials, the cooperation's rhythm; quarters and half-years come with their own reports.
CHAINS = {
    "month": ("month", "tertial", "year"),
    "quarter": ("month", "quarter", "half", "year"),
    "tertial": ("month", "tertial", "year"),
    "half": ("month", "half", "year"),
    "year": ("month", "year"),
}
KIND_NAMES = {"month": "månad", "quarter": "kvartal", "tertial": "tertial", "half": "halvår", "year": "år"}
HELP = "ange perioden som ÅÅÅÅ-MM (månad), ÅÅÅÅ-Q1–Q4 eller ÅÅÅÅ-K1–K4 (kvartal), ÅÅÅÅ-T1–T3 (tertial), ÅÅÅÅ-H1–H2 (halvår) eller ÅÅÅÅ (år), till exempel 2026-10 eller 2026-T2."


def parse(text: str) -> str:
    """A period as written by a user -> its canonical code; ValueError (Swedish) otherwise.

    '2026-10', '2026-q3', '2026-K3' -> '2026-Q3', '2026-t2', '2026-h1', '2026'."""
    value = str(text).strip().upper()
    match = re.fullmatch(r"(\d{4})(?:-(0[1-9]|1[0-2])|-([QK])([1-4])|-T([1-3])|-H([12]))?", value)
    if not match:
        raise ValueError(HELP)
    year, number, _, quarter, tertial, half = match.groups()
    if number:
        return f"{year}-{number}"
    if quarter:
        return f"{year}-Q{quarter}"
    if tertial:
        return f"{year}-T{tertial}"
    if half:
        return f"{year}-H{half}"
    return year


def kind(period: str) -> str:
    """'2026-10' -> 'month', '2026-Q3' -> 'quarter', '2026-T2' -> 'tertial', '2026-H1' -> 'half', '2026' -> 'year'."""
    if re.fullmatch(r"\d{4}", period):
        return "year"
    if re.fullmatch(r"\d{4}-\d{2}", period):
        return "month"
    return {"Q": "quarter", "T": "tertial", "H": "half"}[period[5]]


def _index(period: str) -> tuple[int, int]:
    """(year, number within the year: month 1-12, quarter 1-4, ...)."""
    return int(period[:4]), (1 if kind(period) == "year" else int(period[-2:] if kind(period) == "month" else period[-1]))


def _make(kind_: str, year: int, number: int) -> str:
    if kind_ == "year":
        return f"{year:04d}"
    if kind_ == "month":
        return f"{year:04d}-{number:02d}"
    return f"{year:04d}-{KINDS[kind_][0]}{number}"


def months(period: str) -> list[str]:
    """The months of a period, in order: '2026-T2' -> ['2026-05', ..., '2026-08']."""
    year, number = _index(period)
    length = KINDS[kind(period)][1]
    first = (number - 1) * length + 1
    return [f"{year:04d}-{m:02d}" for m in range(first, first + length)]


def first_month(period: str) -> str:
    return months(period)[0]


def last_month(period: str) -> str:
    """'2026-T2' -> '2026-08': where a period sits in the months' rules."""
    return months(period)[-1]


def containing(month_: str, kind_: str) -> str:
    """The period of a kind that holds a month: ('2026-05', 'tertial') -> '2026-T2'."""
    year, number = int(month_[:4]), int(month_[5:7])
    return _make(kind_, year, (number - 1) // KINDS[kind_][1] + 1)


def latest_complete(month_: str, kind_: str) -> str:
    """The latest period of a kind that has ended by a month: ('2026-10', 'tertial') -> '2026-T2'."""
    current = containing(month_, kind_)
    return current if last_month(current) == month_ else step(current, -1)


def step(period: str, count: int) -> str:
    """The period `count` periods of the same kind later (earlier when negative): ('2026-T1', -1) -> '2025-T3'."""
    kind_ = kind(period)
    year, number = _index(period)
    per_year = 12 // KINDS[kind_][1]
    index = year * per_year + number - 1 + count
    return _make(kind_, index // per_year, index % per_year + 1)


def year_earlier(period: str) -> str:
    """The same period a year earlier: '2026-T2' -> '2025-T2'."""
    return str(int(period[:4]) - 1) + period[4:]


def series(period: str, years: int) -> list[str]:
    """The periods of the same kind over `years` years up to and including `period`, oldest first."""
    per_year = 12 // KINDS[kind(period)][1]
    return [step(period, -i) for i in range(years * per_year - 1, -1, -1)]


def month(period: str) -> str:
    """'2026-10' -> 'oktober 2026'."""
    year, number = period.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def short_month(period: str) -> str:
    """'2026-10' -> 'okt 2026'."""
    year, number = period.split("-")
    return f"{SHORT_MONTHS[int(number) - 1]} {year}"


def shift(period: str, months_: int) -> str:
    """A month shifted by a number of months: '2026-10' shifted by -12 -> '2025-10'."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months_
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
    """A round has begun by period `period` when its first month (January or July) is not after the
    period's last month."""
    return f"{round_[:4]}-{'01' if round_.endswith('H1') else '07'}" <= last_month(period)


def period_text(period: object) -> str:
    """'2026-10' -> 'oktober 2026', '2026-Q3' -> 'tredje kvartalet 2026', '2026-T2' -> 'andra tertialet 2026',
    '2025-H1' -> 'första halvåret 2025', '2024' -> '2024', missing '–'."""
    if not isinstance(period, str) or not period:
        return "–"
    try:
        kind_ = kind(period)
    except (KeyError, IndexError):
        return period
    if kind_ == "month":
        return month(period)
    if kind_ == "year":
        return period
    return f"{ORDINALS[int(period[-1]) - 1]} {KINDS[kind_][2]} {period[:4]}"


def short_period(period: str) -> str:
    """Where space is tight (chart axes): 'okt 2026', '2026 K3', '2026 T2', '2026 H1', '2026'."""
    kind_ = kind(period)
    if kind_ == "month":
        return short_month(period)
    if kind_ == "year":
        return period
    return f"{period[:4]}\u00a0{'K' if kind_ == 'quarter' else period[5]}{period[-1]}"



def date_text(day, month_: int, year: int) -> str:
    """1, 2, 2025 -> '1 februari 2025'."""
    return f"{day} {MONTHS[month_ - 1]} {year}"
