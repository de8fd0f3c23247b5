"""What a reader can work out about every hidden count, by linear programming.

The reader holds the shown counts, knows which cells are hidden, and knows the relations between
cells (pipeline/publish/relations.py) and the bounds a published rate or share puts on its count.
For a hidden cell x the tightest interval is [min x, max x] over every assignment of the hidden
cells that agrees with all of that at once: the LP relaxation, solved by HiGHS.

A hidden count is protected when its interval
  - holds another whole number than its true value (it is not determined exactly), and,
  - for a count below the threshold, holds at least threshold - 1 whole numbers, as many as
    1 … threshold - 1: a reader cannot narrow it down more than "a small count" already does.

Two LPs per hidden cell take long on a large component (the demo's largest links 7 000 cells,
and one solve of it takes half a second). So the check starts the other way round: LPs that push
all unproved cells at once towards what they must reach (their sum, each capped at its target)
prove many cells with a few solves. A cell still unproved gets LPs of its own, which give its
tightest interval and, through their duals, the relations that pin it down. A protected cell's
interval is therefore known to contain [lo, hi], and a failing cell's is exact. A cell that the
time allowed could not reach is reported as not tested, never passed in silence.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from pipeline.files import redirected

EPS = 1e-6
INF = highspy.kHighsInf
Status = highspy.HighsModelStatus


@dataclass(frozen=True)
class Extra:
    """lo <= sum(coef * cell) <= hi over cells that may be hidden or shown: the bounds a published
    rate or share puts on its count (and a share on its total)."""

    cells: tuple[int, ...]
    coefs: tuple[float, ...]
    lo: float
    hi: float
    what: str  # how a message names it


@dataclass
class Protection:
    """Per cell (NaN for a shown one): an interval the reader's interval is known to contain
    (exactly the reader's interval for a failing cell), whether the cell is protected, and for a
    failing cell the LP rows whose combination pins it down."""

    lo: np.ndarray
    hi: np.ndarray
    protected: np.ndarray
    untested: np.ndarray  # hidden cells the time allowed did not reach
    small: np.ndarray  # hidden cells whose value is below the threshold (the primary ones)
    proof: dict[int, list[int]]  # cell -> relation ids, then len(relation ids) + index into extra
    inconsistent: list[int]  # relations without a hidden cell whose shown cells do not add up
    components: int
    largest: int
    solves: int

    def failing(self) -> np.ndarray:
        return np.flatnonzero(~np.isnan(self.lo) & ~self.protected & ~self.untested)

    def determined(self) -> np.ndarray:
        """Failing cells with exactly one whole number in their interval."""
        with np.errstate(invalid="ignore"):
            return ~self.protected & ~self.untested & (np.ceil(self.lo - EPS) >= np.floor(self.hi + EPS))


def protection(relations: pd.DataFrame, values: np.ndarray, hidden: np.ndarray, lower: np.ndarray, truth: np.ndarray,
               limit: int, extra: list[Extra] = (), seconds: float = float("inf"), only: np.ndarray | None = None) -> Protection:
    """Check every hidden cell. relations: (relation, cell, sign) summing to zero; values: the shown
    counts; lower: what a reader knows a hidden cell is at least (0 or 1); truth: the true counts,
    NaN where unknown (a feasible value then stands in for it); seconds: the time allowed; only: check
    just the components with one of these cells (the others' LPs are unchanged since they passed)."""
    deadline = time.monotonic() + seconds
    n = len(values)
    hidden = np.asarray(hidden, bool)
    values = np.where(hidden, 0.0, np.nan_to_num(np.asarray(values, float)))
    rel, cell, sign = (relations[c].to_numpy(np.int64) for c in ("relation", "cell", "sign"))
    n_rel = int(rel.max()) + 1 if len(rel) else 0
    is_hidden = hidden[cell]
    rhs = -np.bincount(rel, weights=np.where(is_hidden, 0.0, sign * values[cell]), minlength=n_rel)
    with_hidden = np.bincount(rel, weights=is_hidden, minlength=n_rel) > 0
    inconsistent = np.flatnonzero(~with_hidden & (np.abs(rhs) > EPS)).tolist()

    # the LP's rows: the relations with a hidden cell (row = relation id), then the extra constraints
    row_lo = np.full(n_rel + len(extra), np.nan)
    row_lo[:n_rel][with_hidden] = rhs[with_hidden]
    row_hi = row_lo.copy()
    rows, cols, coefs = [rel[is_hidden]], [cell[is_hidden]], [sign[is_hidden].astype(float)]
    for k, item in enumerate(extra):
        ids, weights = np.array(item.cells, np.int64), np.array(item.coefs, float)
        shown = ~hidden[ids]
        if shown.all():
            continue
        constant = float((weights[shown] * values[ids[shown]]).sum())
        rows.append(np.full(int((~shown).sum()), n_rel + k))
        cols.append(ids[~shown])
        coefs.append(weights[~shown])
        row_lo[n_rel + k], row_hi[n_rel + k] = item.lo - constant, item.hi - constant
    rows, cols, coefs = np.concatenate(rows), np.concatenate(cols), np.concatenate(coefs)

    result = Protection(np.full(n, np.nan), np.full(n, np.nan), np.ones(n, bool), np.zeros(n, bool), np.zeros(n, bool), {}, inconsistent, 0, 0, 0)
    hidden_cells = np.flatnonzero(hidden)
    if not len(hidden_cells):
        return result
    truth = np.asarray(truth, float)
    # a hidden cell in no row is free: from its lower bound up, without end
    free = hidden_cells[~np.isin(hidden_cells, cols)]
    result.lo[free], result.hi[free] = lower[free], INF
    result.small[free] = truth[free] < limit

    graph = sparse.coo_matrix((np.ones(len(rows)), (cols, n + rows)), shape=(n + len(row_lo), n + len(row_lo)))
    _, label = connected_components(graph, directed=False)
    linked = hidden_cells[np.isin(hidden_cells, cols)]
    order = np.argsort(label[linked], kind="stable")
    groups = np.split(linked[order], np.flatnonzero(np.diff(label[linked][order])) + 1) if len(linked) else []
    row_label = label[n + rows]
    for members in groups:
        if only is not None and not only[members].any():
            continue
        in_component = row_label == label[members[0]]
        _component(result, members, rows[in_component], cols[in_component], coefs[in_component], row_lo, row_hi,
                   lower, truth, limit, deadline)
    result.components = len(groups) + len(free)
    result.largest = max((len(g) for g in groups), default=min(len(free), 1))
    return result


def _component(result: Protection, members, rows, cols, coefs, row_lo, row_hi, lower, truth, limit, deadline) -> None:
    """Prove each cell of one component protected, or find its exact interval and what pins it down."""
    lp = _ComponentLP(members, rows, cols, coefs, row_lo, row_hi, lower)
    true = truth[members].copy()
    unknown = np.isnan(true)
    if unknown.any():  # a feasible value stands in for an unknown truth
        x = lp.solve(np.where(unknown, 1.0, 0.0), None, highspy.ObjSense.kMinimize)
        true[unknown] = np.round(x[unknown])
    small = true < limit
    # what each cell must reach: up to threshold - 1 and down to 1 for a small count; a whole number
    # above or below its value for any other
    spread = limit - 2  # 1 … threshold - 1 spans this much
    up = np.where(small, true + spread, true + 1)
    down = np.where(small, np.maximum(true - spread, lp.floor), true - 1)
    seen_lo, seen_hi = true.copy(), true.copy()

    def proved() -> np.ndarray:
        wide = np.floor(seen_hi + EPS) - np.ceil(seen_lo - EPS) >= spread
        return np.where(small, wide, (seen_hi >= up - EPS) | (seen_lo <= down + EPS))

    def take(x) -> None:
        np.minimum(seen_lo, x, out=seen_lo)
        np.maximum(seen_hi, x, out=seen_hi)

    # pushes, while each proves at least a tenth of the cells it pushes
    for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
        raising = sense == highspy.ObjSense.kMaximize
        while time.monotonic() < deadline:
            todo = ~proved() & ((seen_hi < up - EPS) if raising else (seen_lo > down + EPS))
            if not todo.any():
                break
            x = lp.solve(todo.astype(float), np.where(todo, np.maximum(up, lp.floor), INF) if raising else None, sense)
            take(x)
            if (todo & ~proved()).sum() > 0.9 * todo.sum():
                break

    # each cell still unproved: its own two LPs give its exact interval
    untested = np.zeros(lp.count, bool)
    for k in np.flatnonzero(~proved()):
        if time.monotonic() > deadline:
            untested[k] = True
            continue
        costs = np.zeros(lp.count)
        costs[k] = 1.0
        x = lp.solve(costs, None, highspy.ObjSense.kMaximize)
        duals = None
        if x is None:
            seen_hi[k] = INF
        else:
            take(x)
            seen_hi[k] = max(seen_hi[k], lp.objective())
            duals = lp.duals()
        take(lp.solve(costs, None, highspy.ObjSense.kMinimize))
        seen_lo[k] = min(seen_lo[k], lp.objective())
        if not proved()[k]:
            pins = duals if duals is not None and seen_hi[k] < up[k] - EPS else lp.duals()
            result.proof[int(members[k])] = [int(r) for r in lp.row_ids[np.abs(pins) > EPS]]
    result.lo[members], result.hi[members] = seen_lo, seen_hi
    result.protected[members] = proved() & ~untested
    result.untested[members] = untested
    result.small[members] = small
    result.solves += lp.solves


class _ComponentLP:
    """One component's LP in HiGHS; its solves differ only in costs and column bounds."""

    def __init__(self, members, rows, cols, coefs, row_lo, row_hi, lower):
        self.count = len(members)
        self.row_ids = np.unique(rows)
        matrix = sparse.csc_matrix((coefs, (np.searchsorted(self.row_ids, rows), np.searchsorted(members, cols))),
                                   shape=(len(self.row_ids), self.count))
        matrix.sum_duplicates()
        self.floor = lower[members].astype(float)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = self.count, len(self.row_ids)
        model.col_cost_ = np.zeros(self.count)
        model.col_lower_ = self.floor
        model.col_upper_ = np.full(self.count, INF)
        model.row_lower_ = np.where(np.isnan(row_lo[self.row_ids]), -INF, row_lo[self.row_ids])
        model.row_upper_ = np.where(np.isnan(row_hi[self.row_ids]), INF, row_hi[self.row_ids])
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = matrix.indptr
        model.a_matrix_.index_ = matrix.indices
        model.a_matrix_.value_ = matrix.data
        self.solver = _solver()
        # Interior point does not depend on a good start, which the changing objectives of a large
        # component never give the simplex (thousands of iterations a solve); small ones: simplex.
        self.solver.setOptionValue("solver", "ipm" if self.count > 500 else "simplex")
        self.solver.passModel(model)
        self.columns = np.arange(self.count, dtype=np.int32)
        self.solves = 0

    def solve(self, costs: np.ndarray, upper: np.ndarray | None, sense) -> np.ndarray | None:
        """The solution, or None when the objective has no bound."""
        self.solver.changeColsCost(self.count, self.columns, costs)
        self.solver.changeColsBounds(self.count, self.columns, self.floor, np.full(self.count, INF) if upper is None else upper)
        self.solver.changeObjectiveSense(sense)
        self.solver.run()
        self.solves += 1
        status = self.solver.getModelStatus()
        if status == Status.kOptimal:
            return np.array(self.solver.getSolution().col_value)
        if status in (Status.kUnbounded, Status.kUnboundedOrInfeasible):
            return None
        # the true counts satisfy every row, so an infeasible LP means the published cells contradict each other
        raise ValueError(f"de publicerade cellerna går inte ihop med relationerna ({status})")

    def objective(self) -> float:
        return self.solver.getInfo().objective_function_value

    def duals(self) -> np.ndarray:
        return np.array(self.solver.getSolution().row_dual)


_SOLVER: highspy.Highs | None = None


def _solver() -> highspy.Highs:
    """One HiGHS per process; its banner (English, on stdout at the first construction) is kept out of the CLI's output."""
    global _SOLVER
    if _SOLVER is None:
        with redirected(1, os.devnull):
            _SOLVER = highspy.Highs()
        _SOLVER.setOptionValue("output_flag", False)
    _SOLVER.clearModel()
    return _SOLVER
