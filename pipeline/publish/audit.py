"""The audit: can a reader who holds every published snapshot work out a hidden count?

It reads what a reader holds, every snapshot's indicators.parquet side by side (the workbook and
the charts are made from it), and works out the linear relations such a reader knows
(pipeline/publish/relations.py) and the bounds that a published rate or share puts on its count.
pipeline/publish/bounds.py then bounds every hidden count by linear programming. The audit fails
when the hidden cells carry more than one mark (a mark per reason sorts them by value), when a
count below the threshold is shown, when a hidden count is determined exactly, or when a count
below the threshold can be narrowed to fewer whole numbers than 1 … threshold - 1 holds. A cell that the time allowed did not reach fails it too.

The true counts come from the built database, when there is one, and decide only which hidden
cells are small; the bounds use nothing but what is published.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline.config import Workspace
from pipeline.files import write_if_changed
from pipeline.publish import true_counts
from pipeline.publish.bounds import INF, Extra, protection
from pipeline.publish.relations import CELL_KEY, KINDS, count_cells, relations
from pipeline.report.formats import join, number

SHOWN_PER_KIND = 20  # findings listed by name per kind; the rest are counted
PROOF_SHOWN = 4  # relations named per finding
KEPT = ".audit.json"  # the last audit's inputs key and result, under data/processed/
LATEST = ("snapshot.json", "catalogue.json", "members.parquet")  # what the audit reads of the snapshot it judges by


@dataclass
class AuditResult:
    snapshots: list[str]
    hidden: int = 0
    marks: dict[str, int] = field(default_factory=dict)
    numbers_in_hidden: int = 0
    small_shown: list[str] = field(default_factory=list)
    determined: list[str] = field(default_factory=list)
    narrowed: list[str] = field(default_factory=list)
    untested: int = 0
    inconsistent: int = 0
    components: int = 0
    largest: int = 0
    solves: int = 0
    seconds: float = 0.0
    kept: bool = False  # the findings of an earlier audit of exactly the same inputs

    @property
    def ok(self) -> bool:
        return len(self.marks) <= 1 and not (self.numbers_in_hidden or self.small_shown or self.determined or self.narrowed
                                             or self.untested)

    def lines(self, threshold: int) -> list[str]:
        """The audit in Swedish, for the CLI."""
        out = [f"Granskat {len(self.snapshots)} publicerade ögonblicksbilder ({join(self.snapshots)}) tillsammans: "
               f"{number(self.hidden)} dolda antal i {number(self.components)} grupper som hänger ihop genom relationer "
               f"(den största {number(self.largest)} celler); "
               + (f"samma underlag som vid förra granskningen, som gjorde {number(self.solves)} LP-lösningar; {number(self.seconds, 1)} s."
                  if self.kept else f"{number(self.solves)} LP-lösningar på {number(self.seconds, 1)} s.")]
        if len(self.marks) > 1:
            counts = join(f"”{mark}” {number(n)}" for mark, n in self.marks.items())
            out.append(f"De dolda cellerna har olika märkning ({counts}): märkningen sorterar dem efter värde. "
                       "Alla dolda celler ska ha samma märkning.")
        if self.numbers_in_hidden:
            out.append(f"{number(self.numbers_in_hidden)} dolda celler har ändå ett tal i värde, antal eller nämnare.")
        for title, found in ((f"visas fast de är färre än {threshold}", self.small_shown), ("kan räknas fram exakt", self.determined),
                             (f"är ett litet antal som kan avgränsas till färre än {threshold - 1} möjliga värden", self.narrowed)):
            if found:
                out.append(f"{number(len(found))} dolda antal {title}:")
                out += [f"  {line}" for line in found[:SHOWN_PER_KIND]]
                if len(found) > SHOWN_PER_KIND:
                    out.append(f"  … och {number(len(found) - SHOWN_PER_KIND)} till.")
        if self.untested:
            out.append(f"{number(self.untested)} dolda antal hann inte prövas inom tidsgränsen; de räknas som inte skyddade.")
        if self.inconsistent:
            out.append(f"Obs: {number(self.inconsistent)} relationer mellan visade tal går inte ihop (uppgifter som reviderats "
                       "mellan ögonblicksbilderna); de ger ingen dold uppgift och hoppas över.")
        if self.ok:
            out.append(f"Röjandeskyddet håller: ingen dold uppgift kan räknas fram exakt, och inget litet antal kan avgränsas "
                       f"till färre än {threshold - 1} möjliga värden (så många som 1–{threshold - 1}).")
        return out


def audit(workspace: Workspace, period: str | None = None, seconds: float = float("inf"), force: bool = False) -> tuple[AuditResult, int]:
    """Audit every snapshot in the workspace together; with `period`, check the hidden cells of that
    snapshot only (the others still count as what the reader holds). The findings of the last audit of
    exactly the same inputs are kept (unless `force`). Returns the result and the threshold it
    was judged by."""
    start = time.monotonic()
    folders = sorted(p.parent for p in workspace.processed.glob("*/indicators.parquet"))
    names = [folder.name for folder in folders]
    if period is not None and period not in names:
        raise FileNotFoundError(f"Det finns ingen publicerad ögonblicksbild för {period} i {workspace.processed}; kör 'lagesbild build --period {period}'.")
    if not folders:
        raise FileNotFoundError(f"Det finns inga publicerade ögonblicksbilder i {workspace.processed}; kör 'lagesbild build'.")
    latest = folders[-1] if period is None else folders[names.index(period)]
    threshold = int(json.loads((latest / "snapshot.json").read_text(encoding="utf-8"))["threshold"])
    catalogue = pd.DataFrame(json.loads((latest / "catalogue.json").read_text(encoding="utf-8")))
    members = pd.read_parquet(latest / "members.parquet", columns=["area_code", "municipality_code"])
    rows = pd.concat([pd.read_parquet(folder / "indicators.parquet").assign(snapshot=folder.name) for folder in folders], ignore_index=True)
    rows["suppression"] = rows.suppression.fillna("")
    result = AuditResult(names)
    hidden_rows = rows[rows.suppression.ne("") | rows.get("suppressed", pd.Series(False, index=rows.index)).fillna(False).astype(bool)]
    result.marks = hidden_rows.suppression.value_counts().to_dict()
    result.numbers_in_hidden = int(hidden_rows[["value", "numerator"]].notna().any(axis=1).sum())

    # one cell per key: shown when any snapshot shows it (the latest value), hidden when none does
    cells = count_cells(rows, catalogue).assign(hidden=lambda f: f.numerator.isna())
    cells = cells.sort_values(["hidden", "snapshot"], ascending=[True, False]).drop_duplicates(CELL_KEY).reset_index(drop=True)
    in_period = True if period is None else cells[CELL_KEY].merge(
        count_cells(rows[rows.snapshot == period], catalogue)[CELL_KEY], how="left", indicator=True)._merge.eq("both").to_numpy()
    checked = cells.hidden.to_numpy() & in_period
    truth = _truth(workspace, cells)
    key = _key(folders, latest, period, truth, seconds)
    kept = None if force else _kept(workspace, key)
    if kept is not None:
        kept.seconds = time.monotonic() - start
        return kept, threshold
    linked = relations(cells, catalogue, members)
    extra = _rate_and_share_bounds(rows, cells, catalogue)
    # the suppression never hides a zero, and a reader may know that: every hidden count is at least 1
    found = protection(linked, cells.numerator.to_numpy(float), cells.hidden.to_numpy(), np.ones(len(cells)), truth, threshold,
                       extra, seconds)
    result.hidden = int(checked.sum())
    result.inconsistent = len(found.inconsistent)
    result.components, result.largest, result.solves = found.components, found.largest, found.solves
    result.untested = int((found.untested & checked).sum())
    names_of = _names(rows)
    small = cells.numerator.between(1, threshold - 1).to_numpy() & in_period
    result.small_shown = [names_of(cell) for _, cell in cells[small].iterrows()]
    owners = linked[linked.sign > 0].drop_duplicates("relation").set_index("relation")
    n_rel = int(linked.relation.max()) + 1 if len(linked) else 0
    determined = found.determined()
    for cell in found.failing():
        if not checked[cell]:
            continue
        why = _why(found.proof.get(int(cell), []), n_rel, owners, cells, names_of, extra)
        if determined[cell]:
            result.determined.append(f"{names_of(cells.loc[cell])}: {why}")
        else:
            low, high = _whole(found.lo[cell], found.hi[cell])
            result.narrowed.append(f"{names_of(cells.loc[cell])}: mellan {low} och {high}; {why}")
    result.seconds = time.monotonic() - start
    # the same snapshots, true counts and time allowed give the same findings
    write_if_changed(workspace.processed / KEPT, json.dumps({"key": key, "result": asdict(result)}, ensure_ascii=False))
    return result, threshold


def _key(folders: list[Path], latest: Path, period: str | None, truth: np.ndarray, seconds: float) -> str:
    """What the audit's findings depend on: every snapshot it reads, the period it checks, the true
    counts (they decide which hidden cells are small), the time allowed and the code that reasons
    about them."""
    digest = hashlib.sha256(f"{period}|{seconds}".encode())
    for path in [*(folder / "indicators.parquet" for folder in folders), *(latest / name for name in LATEST)]:
        digest.update(path.parent.name.encode() + path.name.encode() + path.read_bytes())
    digest.update(np.nan_to_num(truth, nan=-1.0).tobytes())
    for code in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(code.read_bytes())
    return digest.hexdigest()


def _kept(workspace: Workspace, key: str) -> AuditResult | None:
    """The last audit's result, when it was made from exactly these inputs."""
    try:
        kept = json.loads((workspace.processed / KEPT).read_text(encoding="utf-8"))
        return AuditResult(**{**kept["result"], "kept": True}) if kept["key"] == key else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _rate_and_share_bounds(rows: pd.DataFrame, cells: pd.DataFrame, catalogue: pd.DataFrame) -> list[Extra]:
    """What a shown rate or share says of a count that is hidden: value = count × scale / base,
    rounded to the published decimals, so the count lies within half a unit of the last decimal."""
    meta = catalogue[["indicator_id", "value", "count_id", "share_of", "scale", "decimals"]].rename(columns={"value": "kind"})
    columns = ["indicator_id", *CELL_KEY[1:], "value", "denominator", "title", "area_name"]
    shown = rows.loc[rows.value.notna(), columns].merge(meta[meta.kind.isin(["rate", "share"])], on="indicator_id")
    if shown.empty:
        return []
    # a rate bounds its count's total cell; a share the same category's count and its total's total cell
    share = shown.kind.eq("share")
    shown["dimension"], shown["category"] = shown.dimension.where(share, ""), shown.category.where(share, "")
    index = cells[CELL_KEY].assign(count_cell=np.arange(len(cells)))
    shown = shown.merge(index, on=CELL_KEY)
    totals = index[index.dimension.eq("") & index.category.eq("")].drop(columns=["dimension", "category"])
    shown = shown.merge(totals.rename(columns={"count_id": "share_of", "count_cell": "total_cell"}),
                        on=["share_of", "area_type", "area_code", "period"], how="left")
    hidden = cells.hidden.to_numpy()
    half = 0.5 * 10.0 ** -shown.decimals.astype(int)
    shown["low"], shown["high"] = (shown.value - half) / shown.scale, (shown.value + half) / shown.scale
    shown["what"] = shown.title + " " + shown.period + " (" + shown.area_name + ")"
    extra = []
    rates = shown[shown.kind.eq("rate") & hidden[shown.count_cell] & shown.denominator.notna()]
    for row in rates.itertuples():
        extra.append(Extra((row.count_cell,), (1.0,), row.low * row.denominator, row.high * row.denominator, row.what))
    shares = shown[shown.kind.eq("share") & shown.total_cell.notna()].astype({"total_cell": int})
    for row in shares[hidden[shares.count_cell] | hidden[shares.total_cell]].itertuples():
        # low * total <= count <= high * total, linear in the two cells
        extra.append(Extra((row.count_cell, row.total_cell), (1.0, -row.low), 0.0, INF, row.what))
        extra.append(Extra((row.count_cell, row.total_cell), (1.0, -row.high), -INF, 0.0, row.what))
    return extra


def _truth(workspace: Workspace, cells: pd.DataFrame) -> np.ndarray:
    """The built true counts of the cells, NaN where there is no database or no such cell."""
    if not workspace.database.exists():
        return np.full(len(cells), np.nan)
    try:
        con = duckdb.connect(str(workspace.database), read_only=True)
    except duckdb.Error:  # busy elsewhere: judge by feasible values instead
        return np.full(len(cells), np.nan)
    try:
        true = true_counts(con, "indicator_values", cells.rename(columns={"count_id": "indicator_id"}))
    except duckdb.Error:
        return np.full(len(cells), np.nan)
    finally:
        con.close()
    true = true.rename(columns={"indicator_id": "count_id", "numerator": "truth"})
    return cells[CELL_KEY].merge(true, on=CELL_KEY, how="left").truth.to_numpy(float)


def _names(rows: pd.DataFrame):
    labels = rows.drop_duplicates(["indicator_id", "area_code", "period", "dimension", "category"]).set_index(
        ["indicator_id", "area_code", "period", "dimension", "category"])

    def name(cell) -> str:
        row = labels.loc[(cell.count_id, cell.area_code, cell.period, cell.dimension, cell.category)]
        category = f", {row.category_label}" if cell.category else ""
        return f"{row.title}{category}, {row.area_name}, {cell.period}"
    return name


def _why(proof: list[int], n_rel: int, owners: pd.DataFrame, cells: pd.DataFrame, name, extra: list[Extra]) -> str:
    """The relations and bounds whose combination pins a cell down, in words."""
    parts = []
    for row in proof:
        if row < n_rel and row in owners.index:
            owner = owners.loc[row]
            parts.append(f"{KINDS[owner.kind]} ({name(cells.loc[owner.cell])})")
        elif row >= n_rel and row - n_rel < len(extra):
            parts.append(f"den publicerade kvoten {extra[row - n_rel].what}")
    parts = list(dict.fromkeys(parts))
    if len(parts) > PROOF_SHOWN:
        parts = parts[:PROOF_SHOWN] + [f"{number(len(parts) - PROOF_SHOWN)} relationer till"]
    return "genom " + join(parts) if parts else "genom de publicerade talen"


def _whole(low: float, high: float) -> tuple[str, str]:
    return number(max(np.ceil(low - 1e-6), 0.0)), ("obegränsat" if high >= INF else number(np.floor(high + 1e-6)))
