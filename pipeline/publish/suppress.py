"""Small-number suppression of the counted indicators (INTOX's `indicators`).

Primary suppression hides every count from 1 to threshold - 1, and every rate or share built on
such a count. Secondary suppression then walks the linear relations between published counts —
a breakdown adds up to its total, a region to its covered members, rolling 12 months to its
months, the same month last year to that month — and wherever exactly one cell of a relation is
hidden, hides the smallest other one too, until no relation gives a hidden cell away.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CELL_KEY = ["count_id", "area_type", "area_code", "period", "dimension", "category"]


def suppress(
    values: pd.DataFrame, indicators: pd.DataFrame, members: pd.DataFrame, limit: int, previous: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Apply primary and secondary suppression; returns the rows with `suppression` set.

    `previous` is the latest earlier snapshot: what it hid stays hidden, and what it showed is
    known to every reader, so it can neither protect a hidden cell nor be hidden to protect one.
    """
    rows = values.merge(indicators[["indicator_id", "count_id", "share_of", "value"]].rename(columns={"value": "kind"}), on="indicator_id")
    cells = rows.loc[rows.indicator_id == rows.count_id, CELL_KEY + ["numerator", "areas_covered"]].reset_index(drop=True)
    cells["cell"] = np.arange(len(cells))
    primary = cells.numerator.between(1, limit - 1).to_numpy()
    hidden_before, known = _previous_state(cells, previous)
    relations = _relations(cells, indicators, members[["area_code", "municipality_code"]])
    hidden = _secondary(primary | hidden_before, known, cells.numerator.to_numpy(), relations)

    state = np.where(primary, "primär", np.where(hidden, "sekundär", ""))
    rows = rows.merge(cells[CELL_KEY + ["cell"]], on=CELL_KEY, how="left")
    rows["suppression"] = state[rows.cell.to_numpy()]
    # A share also disappears when its denominator (the total it is a part of) is hidden or small.
    totals = cells.loc[cells.dimension.eq(""), ["count_id", "area_type", "area_code", "period", "cell"]]
    rows = rows.merge(
        totals.rename(columns={"count_id": "share_of", "cell": "total_cell"}),
        on=["share_of", "area_type", "area_code", "period"], how="left",
    )
    total_hidden = rows.total_cell.notna() & (state[rows.total_cell.fillna(0).astype(int).to_numpy()] != "")
    small_denominator = rows.kind.eq("share") & rows.denominator.lt(limit)
    rows.loc[rows.suppression.eq("") & (total_hidden | small_denominator), "suppression"] = "nämnare"
    hide = rows.suppression.ne("")
    rows.loc[hide, ["value", "numerator"]] = np.nan
    rows.loc[hide & rows.kind.eq("share"), "denominator"] = np.nan
    rows["suppressed"] = hide
    return rows.drop(columns=["cell", "total_cell", "count_id", "share_of", "kind"])


def _previous_state(cells: pd.DataFrame, previous: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: hidden in the earlier snapshot, and shown there with the same count."""
    if previous is None or previous.empty:
        return np.zeros(len(cells), bool), np.zeros(len(cells), bool)
    before = previous.rename(columns={"indicator_id": "count_id", "numerator": "shown"})
    before = before[CELL_KEY + ["suppression", "shown"]]
    matched = cells[CELL_KEY + ["numerator"]].merge(before, on=CELL_KEY, how="left")
    # a count hidden only with its small total ("nämnare") protected nothing and need not stay hidden
    hidden = matched.suppression.isin(["primär", "sekundär"]).to_numpy()
    known = (matched.suppression.eq("") & matched.shown.eq(matched.numerator)).to_numpy()
    return hidden, known


def _secondary(hidden: np.ndarray, known: np.ndarray, counts: np.ndarray, relations: pd.DataFrame) -> np.ndarray:
    """Hide partners until no relation has exactly one cell that is hidden and not known."""
    if relations.empty:
        return hidden
    rel, cell = relations.relation.to_numpy(), relations.cell.to_numpy()
    value = counts[cell].astype(float)
    # Prefer hiding the smallest non-zero count: zeros protect nothing.
    rank = np.where(value > 0, value, np.inf)
    order = np.lexsort((rank, rel))
    rel, cell, rank = rel[order], cell[order], rank[order]
    is_known = known[cell]
    while True:
        is_hidden = hidden[cell]
        per_relation = np.bincount(rel, weights=is_hidden & ~is_known, minlength=rel.max() + 1)
        exposed = per_relation[rel] == 1
        candidates = exposed & ~is_hidden & ~is_known
        if not candidates.any():
            return hidden
        # first candidate of each exposed relation = its smallest count (sorted above)
        first = np.unique(rel[candidates], return_index=True)[1]
        hidden[cell[candidates][first]] = True


def _relations(cells: pd.DataFrame, indicators: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Every linear relation between count cells, as (relation, cell) pairs."""
    cells = cells.assign(month=_month_index(cells.period))
    groups = []

    def add(frame: pd.DataFrame, keys: list[str], size: int | None = None) -> None:
        if frame.empty:
            return
        relation = frame.groupby(keys, sort=False).ngroup()
        if size is not None:
            counts = relation.map(relation.value_counts())
            frame, relation = frame[counts.eq(size)], relation[counts.eq(size)]
        groups.append(pd.DataFrame({"key": relation.astype(str) + "|" + str(len(groups)), "cell": frame.cell.to_numpy()}))

    # a breakdown adds up to its total
    for row in indicators[indicators.partition_of.ne("")].itertuples():
        parts = cells[cells.count_id == row.count_id]
        total = cells[(cells.count_id == row.partition_of) & cells.dimension.eq("")]
        both = pd.concat([parts, total.merge(parts[["area_type", "area_code", "period"]].drop_duplicates())])
        add(both, ["area_type", "area_code", "period"])

    # a region adds up to its covered members
    kommun = cells[cells.area_type == "kommun"]
    regional = cells[cells.area_type != "kommun"]
    linked = regional[["cell", "count_id", "area_code", "period", "dimension", "category"]].merge(
        members, on="area_code"
    ).merge(
        kommun[["cell", "count_id", "area_code", "period", "dimension", "category"]].rename(columns={"area_code": "municipality_code", "cell": "member"}),
        on=["count_id", "municipality_code", "period", "dimension", "category"],
    )
    hierarchy = pd.concat(
        [linked[["cell"]].assign(region=linked.cell), linked[["member"]].rename(columns={"member": "cell"}).assign(region=linked.cell)]
    ).drop_duplicates()
    add(hierarchy, ["region"])

    # two overlapping regions differ by their members outside the overlap (a county and the
    # country, a cooperation inside its county): region A - region B = members(A - B) - members(B - A)
    sets = members.groupby("area_code").municipality_code.agg(frozenset)
    present = sorted(set(regional.area_code) & set(sets.index))
    keys = ["count_id", "period", "dimension", "category"]
    for i, first in enumerate(present):
        for second in present[i + 1 :]:
            if not sets[first] & sets[second]:
                continue
            common = regional.loc[regional.area_code == first, keys].merge(regional.loc[regional.area_code == second, keys])
            pair = regional[regional.area_code.isin([first, second])]
            outside = kommun[kommun.area_code.isin(sets[first] ^ sets[second])]
            add(pd.concat([pair[keys + ["cell"]].merge(common), outside[keys + ["cell"]].merge(common)]), keys)

    # rolling 12 months add up to their months; the same month last year equals that month
    windows = indicators[indicators.window_name.isin(["r12", "ly"])]
    for row in windows.itertuples():
        if row.indicator_id != row.count_id:
            continue
        base = cells[cells.count_id == row.base_id]
        window = cells[cells.count_id == row.count_id]
        offsets = range(12) if row.window_name == "r12" else [12]
        expanded = window[["cell", "area_type", "area_code", "dimension", "category", "month", "areas_covered"]].merge(
            pd.DataFrame({"offset": list(offsets)}), how="cross"
        )
        expanded["month"] -= expanded.offset
        matched = expanded.merge(
            base[["cell", "area_type", "area_code", "dimension", "category", "month", "areas_covered"]].rename(columns={"cell": "member"}),
            on=["area_type", "area_code", "dimension", "category", "month", "areas_covered"],
        )
        related = pd.concat([matched[["cell"]].assign(owner=matched.cell), matched[["member"]].rename(columns={"member": "cell"}).assign(owner=matched.cell)])
        add(related.drop_duplicates(), ["owner"], size=len(offsets) + 1)
        if row.window_name == "r12":
            add(_difference_relations(window, base), ["owner"], size=4)
    if not groups:
        return pd.DataFrame(columns=["relation", "cell"])
    relations = pd.concat(groups, ignore_index=True)
    relations["relation"] = relations.key.astype("category").cat.codes.astype(np.int64)
    return relations[["relation", "cell"]]


def _difference_relations(window: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """r12(P) - r12(P-1) = month(P) - month(P-12): two consecutive windows give a month away."""
    key = ["area_type", "area_code", "dimension", "category", "areas_covered"]
    joined = window[key + ["month", "cell"]].rename(columns={"cell": "c0"})
    for name, frame, shift in (("c1", window, 1), ("c2", base, 0), ("c3", base, 12)):
        other = frame[key + ["month", "cell"]].rename(columns={"cell": name})
        other = other.assign(month=other.month + shift)
        joined = joined.merge(other, on=key + ["month"])
    long = joined.assign(owner=joined.c0).melt(id_vars=["owner"], value_vars=["c0", "c1", "c2", "c3"], value_name="cell")
    return long[["owner", "cell"]].drop_duplicates()


def _month_index(period: pd.Series) -> pd.Series:
    return period.str[:4].astype(int) * 12 + period.str[5:7].astype(int) - 1
