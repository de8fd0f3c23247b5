"""Small-number suppression of the counted indicators (INTOX's `indicators`).

Primary suppression hides every count from 1 to threshold - 1. Secondary suppression then walks
the linear relations a reader knows between published counts (pipeline/publish/relations.py) and
wherever exactly one cell of a relation is hidden, hides the smallest other non-zero one too,
until no relation gives a hidden cell away by itself. Then the audit's proof (bounds.py) takes
all relations at once; a cell it can still pin down or narrow gets another partner, until none is. A rate or a share is hidden with its count,
and a share that is not 0 % also with its total (its denominator).

Every hidden cell carries the same mark, "dold": a mark per reason (a small count, a partner, a
small total) sorted the hidden cells by value and gave them away.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd

from pipeline.publish.bounds import Protection, protection
from pipeline.publish.relations import CELL_KEY, count_cells, relations

HIDDEN = "dold"
ROUNDS = 40  # rounds of proof and more partners; the national bench workspace needs 3
PROOF_SECONDS = 1800  # for all rounds; the national bench workspace takes about 25 s on two cores
EVERY_FROM = 12  # the round from which a failing cell gets a partner in every relation of its proof


def suppress(
    values: pd.DataFrame, indicators: pd.DataFrame, members: pd.DataFrame, limit: int, others: pd.DataFrame | None = None,
    truth: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Apply primary and secondary suppression; returns the rows with `suppression` set.

    `others` holds the other snapshots' cells (indicator_id, the cell key, numerator, suppression,
    areas_covered): what one of them hid stays hidden, and what one showed is known to every reader, so
    it can neither protect a hidden cell nor be hidden to protect one. A cell only another snapshot
    holds (a tertial beside a half-year) still takes part in the relations, with its true count from
    `truth` (the built indicator rows), so what this snapshot shows cannot pin it, or be pinned through it.
    """
    rows = values.merge(indicators[["indicator_id", "count_id", "share_of", "value"]].rename(columns={"value": "kind"}), on="indicator_id")
    cells = count_cells(values, indicators).reindex(columns=CELL_KEY + ["numerator", "areas_covered", "category_parent"])
    own = cells
    cells = pd.concat([own, _foreign_cells(own, indicators, others, truth)], ignore_index=True)
    cells["cell"] = np.arange(len(cells))
    primary = cells.numerator.between(1, limit - 1).to_numpy()
    hidden_before, known = _other_snapshots(cells, others)
    # the count cells of a share, and the cell of the total each is a share of
    shares = cells.merge(indicators[["indicator_id", "share_of"]].rename(columns={"indicator_id": "count_id"}), on="count_id")
    shares = shares[shares.share_of.ne("")]
    totals = cells.loc[cells.dimension.eq(""), ["count_id", "area_type", "area_code", "period", "cell"]]
    shares = shares.merge(totals.rename(columns={"count_id": "share_of", "cell": "total"}), on=["share_of", "area_type", "area_code", "period"])
    counts = cells.numerator.to_numpy(float)
    linked = relations(cells, indicators, members[["area_code", "municipality_code"]])
    # Where a rolling window is the sum of calendar periods, the first pass hides the window before a
    # period: the steering group reads the tertials and the year. Not the window ending in December: it is the year.
    window = cells.count_id.map(indicators.set_index("indicator_id").window_name).eq("r12") & ~cells.period.str.endswith("-12")
    linked["first"] = linked.kind.eq("perioder i rullande").to_numpy() & window.to_numpy()[linked.cell.to_numpy()]
    hidden = _secondary(primary | hidden_before, known, counts, linked, shares.cell.to_numpy(), shares.total.to_numpy())
    members_of = _members_of(linked)
    deadline = time.monotonic() + PROOF_SECONDS
    check = None  # the first round checks every component; later ones only those a new partner joined
    for round_ in range(ROUNDS):
        # the proof: all relations at once, as the audit sees them; each cell it finds unprotected
        # gets one more partner in a relation that pins it down, and the round starts again
        found = protection(linked, counts, hidden & ~known, np.ones(len(cells)), counts, limit,
                           seconds=deadline - time.monotonic(), only=check)
        if found.untested.any():  # out of time: what is left the audit after publish names
            break
        # after a few rounds, the last stubborn cells get a partner in every relation of their proof
        partners = _partners(found, members_of, hidden | known, counts, every=round_ >= EVERY_FROM)
        if not len(partners):
            # no partner left: a hidden count the shown cells determine protects nothing, so show it
            # (a partner of an earlier round that the other snapshots' cells pin down: a quarter beside tertials)
            pinned = found.determined() & (counts >= limit) & ~hidden_before & ~known
            pinned[len(own):] = False
            if not pinned.any():
                break
            hidden[pinned] = False
            check = pinned.copy()
            check[found.failing()] = True
            continue
        before = hidden.copy()
        hidden[partners] = True
        hidden = _secondary(hidden, known, counts, linked, shares.cell.to_numpy(), shares.total.to_numpy())
        check = hidden & ~before
        check[found.failing()] = True

    rows = rows.merge(cells[CELL_KEY + ["cell"]], on=CELL_KEY, how="left")
    rows = rows.merge(totals.rename(columns={"count_id": "share_of", "cell": "total_cell"}),
                      on=["share_of", "area_type", "area_code", "period"], how="left")
    total_hidden = rows.total_cell.notna() & hidden[rows.total_cell.fillna(0).astype(int).to_numpy()]
    hide = hidden[rows.cell.to_numpy()] | (total_hidden & rows.numerator.ne(0))
    rows["suppression"] = np.where(hide, HIDDEN, "")
    rows.loc[hide, ["value", "numerator"]] = np.nan
    rows.loc[(hide | total_hidden) & rows.kind.eq("share"), "denominator"] = np.nan
    rows["suppressed"] = hide
    return rows.drop(columns=["cell", "total_cell", "count_id", "share_of", "kind"])


def _foreign_cells(cells: pd.DataFrame, indicators: pd.DataFrame, others: pd.DataFrame | None,
                   truth: pd.DataFrame | None) -> pd.DataFrame:
    """The count cells of the other snapshots that this one does not hold, with their true counts."""
    if others is None or others.empty or truth is None:
        return cells.iloc[:0]
    foreign = count_cells(others, indicators).reindex(columns=CELL_KEY + ["areas_covered", "category_parent"]).drop_duplicates(CELL_KEY)
    foreign = foreign.merge(cells[CELL_KEY], how="left", indicator=True)
    foreign = foreign[foreign._merge.eq("left_only")].drop(columns="_merge")
    true = count_cells(truth, indicators)[CELL_KEY + ["numerator"]]
    return foreign.merge(true, on=CELL_KEY, how="inner")[CELL_KEY + ["numerator", "areas_covered", "category_parent"]]


def _other_snapshots(cells: pd.DataFrame, others: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """Per cell: hidden in any other snapshot, and shown in one with the same count."""
    if others is None or others.empty:
        return np.zeros(len(cells), bool), np.zeros(len(cells), bool)
    before = others.rename(columns={"indicator_id": "count_id", "numerator": "shown"})
    state = before.assign(hidden=before.suppression.fillna("").ne(""))
    hidden = state.groupby(CELL_KEY).hidden.any().rename("hidden_elsewhere").reset_index()
    shown = state[~state.hidden][CELL_KEY + ["shown"]].drop_duplicates()
    matched = cells[CELL_KEY].merge(hidden, on=CELL_KEY, how="left")
    same = cells[CELL_KEY + ["numerator"]].astype({"numerator": float}).merge(
        shown.rename(columns={"shown": "numerator"}).astype({"numerator": float}), how="left", indicator=True)
    return matched.hidden_elsewhere.fillna(False).to_numpy(bool), same._merge.eq("both").to_numpy()


def _members_of(linked: pd.DataFrame) -> dict[int, np.ndarray]:
    """Relation id -> its cells."""
    if linked.empty:
        return {}
    order = np.argsort(linked.relation.to_numpy(), kind="stable")
    relation, cell = linked.relation.to_numpy()[order], linked.cell.to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, relation[1:] != relation[:-1]])
    return dict(zip(relation[starts].tolist(), np.split(cell, starts[1:])))


def _partners(found: Protection, members: dict[int, np.ndarray], taken: np.ndarray, counts: np.ndarray, every: bool = False) -> np.ndarray:
    """For each unprotected cell: the smallest non-zero count that is neither hidden nor known, in
    the first relation of its proof that has one, the relations the cell is in first (with `every`,
    in each relation of its proof)."""
    chosen = set()
    for cell in found.failing():
        proof = found.proof.get(int(cell), [])
        for relation in sorted(proof, key=lambda r: cell not in members.get(r, [])):
            free = [c for c in members.get(relation, []) if not taken[c] and counts[c] > 0]
            if free:
                chosen.add(min(free, key=lambda c: counts[c]))
                if not every:
                    break
    return np.array(sorted(chosen), dtype=np.int64)


def _secondary(hidden: np.ndarray, known: np.ndarray, counts: np.ndarray, relations: pd.DataFrame,
               share_cells: np.ndarray, share_totals: np.ndarray) -> np.ndarray:
    """Hide partners until no relation has exactly one cell that is hidden and not known, except where only
    zeros are left to hide; a share's non-zero count is hidden with its total. `relations` marks with `first`
    the cells hidden before the others of their relation."""
    rel, cell = relations.relation.to_numpy(), relations.cell.to_numpy()
    value = counts[cell].astype(float)
    # Hide the smallest non-zero count (a relation's cells marked `first` before the others), never a zero:
    # the audit assumes that a reader knows a hidden count is at least 1 (a relation with only zeros left
    # to hide is the proof's to protect, through another relation).
    order = np.lexsort((value, ~relations["first"].to_numpy(bool), rel))
    rel, cell, nonzero = rel[order], cell[order], value[order] > 0
    is_known = known[cell]
    counted = counts[share_cells] > 0  # 0 % of anything is 0 %: a zero share tells nothing of its total
    while True:
        hidden[share_cells[counted & hidden[share_totals]]] = True
        if not len(rel):
            return hidden
        is_hidden = hidden[cell]
        per_relation = np.bincount(rel, weights=is_hidden & ~is_known, minlength=rel.max() + 1)
        exposed = per_relation[rel] == 1
        candidates = exposed & ~is_hidden & ~is_known & nonzero
        if not candidates.any():
            return hidden
        # first candidate of each exposed relation = its smallest count (sorted above)
        first = np.unique(rel[candidates], return_index=True)[1]
        hidden[cell[candidates][first]] = True
