"""EST incident reports in the reports: the places with the most events and their change (hotspots).

A pure function on rows of the published, suppressed indicators table (pipeline/report/snapshot.py),
so a report never sees more than any reader of the snapshot: `place_windows` picks a municipality's
place breakdown (est_place_r12) for the rolling 12 months ending in the period and the 12 months
before them; `hotspots` ranks the places and says how each changed.

Honesty about hidden cells: a place whose count is hidden (1–4, or hidden so that another cell
cannot be worked out, which may be any size) is never ranked or guessed; it is listed apart, so a
report can say that the ranking holds among the shown places. A change is given only when both
windows are shown; a hidden or missing earlier window says so instead of a number.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pipeline.periods import last_month, shift
from pipeline.report.formats import swedish_order

PLACE_INDICATOR = "est_place_r12"


@dataclass(frozen=True)
class Hotspot:
    rank: int  # 1 for the place with the most events
    code: str  # the place's code in est_plats ('1766:resecentrum')
    label: str  # its name as the reporters write it
    events: int  # events in the current window
    before: int | None  # events in the previous window; None when hidden or not covered
    change: int | None  # events - before
    change_percent: float | None  # 100 × change / before; None when before is None or 0
    note: str = ""  # '' | 'dold' (the previous window is hidden) | 'saknas' (no figure: not covered then)


@dataclass(frozen=True)
class Hotspots:
    places: list[Hotspot]  # the shown places with events, most first, at most n
    hidden: list[str] = field(default_factory=list)  # labels of the places whose current count is hidden
    shown: int = 0  # shown places with at least one event, of which `places` are the first n


def hotspots(now: pd.DataFrame, before: pd.DataFrame, n: int = 5) -> Hotspots:
    """The `n` shown places with the most events in `now`, each with its change against `before`.

    `now` and `before` are rows of the published indicators table for the same breakdown of one area
    and one window each (columns category, category_label, numerator, suppression): the rolling 12
    months ending in the period and the 12 months before them (`place_windows`). A place ranks by its
    events now, most first; equal counts in Swedish alphabetical order of the name. Places without
    events now are left out; places whose count now is hidden are left out of the ranking and named
    in `hidden`. A place's earlier figure is its count in `before` when shown, else None with note
    'dold' (hidden) or 'saknas' (no row: the area's reports do not cover those 12 months; a place
    first reported now has a row with 0 then); the change and its percentage are given only when both figures are shown (the
    percentage not when the earlier figure is 0).
    """
    current = now[now.suppression.fillna("").eq("")]
    current = current[current.numerator.fillna(0) > 0]
    order = sorted(current.itertuples(index=False), key=lambda r: (-int(r.numerator), swedish_order(r.category_label), r.category))
    earlier = {row.category: row for row in before.itertuples(index=False)}
    places = []
    for rank, row in enumerate(order[:n], start=1):
        events = int(row.numerator)
        previous = earlier.get(row.category)
        if previous is None or (previous.suppression or "") != "":
            note = "saknas" if previous is None else "dold"
            places.append(Hotspot(rank, row.category, row.category_label, events, None, None, None, note))
            continue
        count = int(previous.numerator)
        change = events - count
        percent = round(100 * change / count, 1) if count else None
        places.append(Hotspot(rank, row.category, row.category_label, events, count, change, percent))
    hidden_rows = now[now.suppression.fillna("").ne("")]
    hidden = sorted(hidden_rows.category_label, key=swedish_order)
    return Hotspots(places, hidden, len(order))


def place_windows(values: pd.DataFrame, area: str, period: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A municipality's place breakdown for the rolling 12 months ending in the period's last month and
    for the 12 months before them, from the published indicators table (rows of est_place_r12)."""
    end = last_month(period)
    rows = values[(values.indicator_id == PLACE_INDICATOR) & (values.area_code == area)]
    return rows[rows.period == end], rows[rows.period == shift(end, -12)]
