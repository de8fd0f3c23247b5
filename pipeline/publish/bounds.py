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

The components are independent, so the pushes of many small ones run as one LP (a national
snapshot has some 13 000 components, most of a few cells); a cell they leave unproved gets its own
LPs in its own component's LP, so what is found does not depend on which components shared a batch.
For the same reason the batches are solved side by side, one HiGHS per core (HiGHS lets go of
Python's lock while it solves), largest first so that the last one to finish is a short one.
"""
from __future__ import annotations

import os
import queue
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from pipeline.files import redirected

EPS = 1e-6
INF = highspy.kHighsInf
BATCH_CELLS = 5000  # hidden cells of small components solved as one LP
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
    result.components = len(groups) + len(free)
    result.largest = max((len(g) for g in groups), default=min(len(free), 1))
    if only is not None:
        groups = [members for members in groups if only[members].any()]
    # Components are independent, so one LP over several of them has their optima side by side: its
    # solves serve them all at once (small ones in batches; a large one alone, its solves are long)
    row_label = label[n + rows]
    by_label = np.argsort(row_label, kind="stable")
    sorted_labels = row_label[by_label]

    def entries(group: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The LP's rows, columns and coefficients of one component."""
        at = by_label[np.searchsorted(sorted_labels, label[group[0]]):np.searchsorted(sorted_labels, label[group[0]], "right")]
        return rows[at], cols[at], coefs[at]

    batches, size = [[]], 0
    for members in sorted(groups, key=len):
        if batches[-1] and size + len(members) > BATCH_CELLS:
            batches.append([])
            size = 0
        batches[-1].append(members)
        size += len(members)
    batches = [batch for batch in reversed(batches) if batch]  # largest first
    solvers = queue.SimpleQueue()
    for solver in _solvers(min(len(batches), os.cpu_count() or 1)):
        solvers.put(solver)

    def solve(batch: list[np.ndarray]) -> Outcome:
        solver = solvers.get()
        try:
            return _batch(solver, batch, entries, row_lo, row_hi, lower, truth, limit, deadline)
        finally:
            solvers.put(solver)

    with ThreadPoolExecutor(max_workers=max(solvers.qsize(), 1)) as pool:
        for outcome in pool.map(solve, batches):
            outcome.into(result)
    return result


@dataclass
class Outcome:
    """What one batch found, per cell of its components (in `members`' order)."""

    members: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    protected: np.ndarray
    untested: np.ndarray
    small: np.ndarray
    proof: dict[int, list[int]]
    solves: int

    def into(self, result: Protection) -> None:
        result.lo[self.members], result.hi[self.members] = self.lo, self.hi
        result.protected[self.members] = self.protected
        result.untested[self.members] = self.untested
        result.small[self.members] = self.small
        result.proof.update(self.proof)
        result.solves += self.solves


def _batch(solver: highspy.Highs, groups: list[np.ndarray], entries, row_lo, row_hi, lower, truth, limit, deadline) -> Outcome:
    """Prove each cell of these components protected, or find its exact interval and what pins it down.

    Whatever else is in the batch, a component's outcome is its own: the pushes only decide which
    cells are proved at once, and what cannot be, gets its exact interval and its proof from LPs of
    its own component."""
    def alone(group):
        return _ComponentLP(solver, group, *entries(group), row_lo, row_hi, lower)

    true = [truth[group] for group in groups]
    for c, group in enumerate(groups):
        unknown = np.isnan(true[c])
        if unknown.any():  # a feasible value stands in for an unknown truth
            x = alone(group).solve(unknown.astype(float), None, highspy.ObjSense.kMinimize)
            true[c] = np.where(unknown, np.round(x), true[c])
    members, true = np.concatenate(groups), np.concatenate(true)  # component after component
    starts = np.cumsum([0] + [len(group) for group in groups])
    lp = _ComponentLP(solver, members, *(np.concatenate(parts) for parts in zip(*map(entries, groups))), row_lo, row_hi, lower,
                      largest=max(map(len, groups)))
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

    def take(x, at=slice(None)) -> None:
        np.minimum(seen_lo[at], x, out=seen_lo[at])
        np.maximum(seen_hi[at], x, out=seen_hi[at])

    # pushes, while each proves at least a tenth of the cells it pushes
    for sense in (highspy.ObjSense.kMaximize, highspy.ObjSense.kMinimize):
        raising = sense == highspy.ObjSense.kMaximize
        while time.monotonic() < deadline:
            todo = ~proved() & ((seen_hi < up - EPS) if raising else (seen_lo > down + EPS))
            if not todo.any():
                break
            x = lp.solve(todo.astype(float), np.where(todo, np.maximum(up, lp.floor), lp.ceiling) if raising else None, sense)
            take(x)
            if (todo & ~proved()).sum() > 0.9 * todo.sum():
                break
    solves = lp.solves

    # each cell still unproved: two LPs of its own, in its component's LP, give its exact interval
    untested, proof = np.zeros(len(members), bool), {}
    for c, group in enumerate(groups):
        at = slice(starts[c], starts[c + 1])
        left = np.flatnonzero(~proved()[at])
        if not len(left):
            continue
        if time.monotonic() > deadline:
            untested[at][left] = True
            continue
        own = alone(group)
        for k in left:
            if time.monotonic() > deadline:
                untested[starts[c] + k] = True
                continue
            costs = np.zeros(own.count)
            costs[k] = 1.0
            take(own.solve(costs, None, highspy.ObjSense.kMaximize, cold=True), at)
            raised = own.duals()
            take(own.solve(costs, None, highspy.ObjSense.kMinimize, cold=True), at)
            if not proved()[starts[c] + k]:
                pins = raised if seen_hi[starts[c] + k] < up[starts[c] + k] - EPS else own.duals()
                proof[int(group[k])] = [int(r) for r in own.row_ids[np.abs(pins) > EPS]]
        solves += own.solves
    seen_hi[seen_hi >= lp.ceiling - 1] = INF  # as far as the LP's ceiling: without bound
    return Outcome(members, seen_lo, seen_hi, proved() & ~untested, untested, small, proof, solves)


class _ComponentLP:
    """The LP of one or more components in HiGHS; its solves differ only in costs and column bounds.

    No cell goes above a ceiling that no count reaches, so every objective has an optimum (one cell
    without bound would leave the other components of its batch without a solution)."""

    ceiling = 1e7

    def __init__(self, solver: highspy.Highs, members, rows, cols, coefs, row_lo, row_hi, lower, largest: int | None = None):
        self.count = len(members)
        self.row_ids = np.unique(rows)
        order = np.argsort(members)
        local_rows, local_cols = np.searchsorted(self.row_ids, rows), order[np.searchsorted(members[order], cols)]
        matrix = sparse.csc_matrix((coefs, (local_rows, local_cols)), shape=(len(self.row_ids), self.count))
        matrix.sum_duplicates()
        self.floor = lower[members].astype(float)
        self.top = np.full(self.count, self.ceiling)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = self.count, len(self.row_ids)
        model.col_cost_ = np.zeros(self.count)
        model.col_lower_ = self.floor
        model.col_upper_ = self.top
        model.row_lower_ = np.where(np.isnan(row_lo[self.row_ids]), -INF, row_lo[self.row_ids])
        model.row_upper_ = np.where(np.isnan(row_hi[self.row_ids]), INF, row_hi[self.row_ids])
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = matrix.indptr
        model.a_matrix_.index_ = matrix.indices
        model.a_matrix_.value_ = matrix.data
        self.solver = solver
        solver.clearModel()
        # Interior point does not depend on a good start, which the changing objectives of a large
        # component never give the simplex (thousands of iterations a solve); small ones, also many
        # side by side (`largest`: the largest of them): simplex.
        self.solver.setOptionValue("solver", "ipm" if (largest or self.count) > 500 else "simplex")
        self.solver.passModel(model)
        self.columns = np.arange(self.count, dtype=np.int32)
        self.solves = 0

    def solve(self, costs: np.ndarray, upper: np.ndarray | None, sense, cold: bool = False) -> np.ndarray:
        """The solution; `cold`: from no start, so that its duals do not depend on the solves before it."""
        if cold:
            self.solver.clearSolver()
        self.solver.changeColsCost(self.count, self.columns, costs)
        self.solver.changeColsBounds(self.count, self.columns, self.floor, self.top if upper is None else upper)
        self.solver.changeObjectiveSense(sense)
        self.solver.run()
        self.solves += 1
        status = self.solver.getModelStatus()
        if status == Status.kOptimal:
            return np.array(self.solver.getSolution().col_value)
        # the true counts satisfy every row, so an infeasible LP means the published cells contradict each other
        raise ValueError(f"de publicerade cellerna går inte ihop med relationerna ({status})")

    def duals(self) -> np.ndarray:
        return np.array(self.solver.getSolution().row_dual)


_SOLVERS: list[highspy.Highs] = []


def _solvers(count: int) -> list[highspy.Highs]:
    """`count` HiGHS instances, kept for the process; the banner (English, on stdout at the first
    construction) is kept out of the CLI's output."""
    while len(_SOLVERS) < count:
        with redirected(1, os.devnull):
            solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        _SOLVERS.append(solver)
    return _SOLVERS[:count]
