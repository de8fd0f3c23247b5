"""Publish: small-number suppression, then the snapshot data/processed/<period>/.

Primary suppression hides every count from 1 to threshold - 1, and every rate or share built on
such a count. Secondary suppression then walks the linear relations between published counts —
a breakdown adds up to its total, a region to its covered members, rolling 12 months to its
months, the same month last year to that month — and wherever exactly one cell of a relation is
hidden, hides the smallest other one too, until no relation gives a hidden cell away.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import places
from pipeline.ingest.sources import statistik

from pipeline.ingest import store
from pipeline.build import catalogue
from pipeline.config import Workspace
from pipeline.files import write_if_changed
from pipeline.publish.xlsx import write_indicators_xlsx
from pipeline.publish.enkat import enkat_tables
from pipeline.publish.followup import follow_up, load_plans
from pipeline.publish.process import activity_list, process_values

CELL_KEY = ["count_id", "area_type", "area_code", "period", "dimension", "category"]


def threshold(workspace: Workspace) -> int:
    return int(workspace.load_yaml("settings.yaml")["suppression_threshold"])


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


def publish(workspace: Workspace, period: str) -> Path:
    """Write data/processed/<period>/: the suppressed indicators and the data-quality tables.

    The snapshot holds every period up to and including `period`, so a report has its trend.
    Suppression is decided over exactly that data and the latest earlier snapshot, so the
    snapshot can be made again alike and no two snapshots together give a hidden count away.
    """
    previous = _latest_snapshot_before(workspace, period)
    con = store.connect(workspace.database)
    try:
        values = con.execute("SELECT * FROM indicator_values WHERE period <= ?", [period]).df()
        members = con.execute("SELECT area_code, municipality_code FROM ref_area_member").df()
        labels = con.execute("SELECT codelist, code AS category, label AS category_label, sort_order FROM ref_codes").df()
        quality = _quality_tables(con, period, threshold(workspace))
        questionnaire = enkat_tables(con, period)
        official = _official_statistics(con, workspace, period)
        process = process_values(con, period)
        activities = activity_list(con, period)
    finally:
        con.close()
    indicators = catalogue(workspace)
    published = suppress(values, indicators, members, threshold(workspace), previous)
    published = (
        published.merge(indicators[["indicator_id", "title", "unit", "decimals", "codelist"]], on="indicator_id")
        .merge(labels, on=["codelist", "category"], how="left")
        .merge(places.area_names(workspace), on=["area_type", "area_code"], how="left")
        .drop(columns=["codelist"])
    )
    published["category_label"] = published.category_label.fillna("")
    published["sort_order"] = published.sort_order.fillna(0).astype(int)
    published = published.sort_values(["indicator_id", "area_type", "area_code", "period", "dimension", "category"])
    target = workspace.snapshot_dir(period)
    target.mkdir(parents=True, exist_ok=True)
    _write_parquet(published.reset_index(drop=True), target / "indicators.parquet")
    for name, frame in (quality | questionnaire | {"statistik": official, "process": process, "insatser": activities}).items():
        _write_parquet(frame, target / f"{name}.parquet")
    write_if_changed(
        target / "catalogue.json", json.dumps(indicators.drop(columns=["sql"]).to_dict(orient="records"), ensure_ascii=False, indent=1)
    )
    # the follow-up of the agreements' indicators reads the snapshot just written, like a report
    _write_parquet(follow_up(target, period, load_plans(workspace)), target / "uppfoljning.parquet")
    # the county board's workbook, from exactly what the snapshot holds
    write_indicators_xlsx(pd.read_parquet(target / "indicators.parquet"), indicators, target, period, threshold=threshold(workspace))
    return target


def _official_statistics(con, workspace: Workspace, period: str) -> pd.DataFrame:
    """The years up to the snapshot's, with the catalogue's titles. Official statistics are public
    already: counts and rates are published as the source gave them, and a region's rate is pooled."""
    values = con.execute("SELECT * FROM statistik_values WHERE period <= ? ORDER BY ALL", [period[:4]]).df()
    entries = statistik.catalogue(workspace)
    meta = pd.DataFrame(
        [{"indicator_id": key, **{k: spec.get(k) for k in ("title", "unit", "decimals", "kind", "polarity", "source")}} for key, spec in entries.items()]
    )
    return values.merge(meta, on="indicator_id", how="left")


def _latest_snapshot_before(workspace: Workspace, period: str) -> pd.DataFrame | None:
    earlier = sorted(p for p in workspace.processed.glob("*/indicators.parquet") if p.parent.name < period)
    if not earlier:
        return None
    return pd.read_parquet(earlier[-1], columns=["indicator_id", *CELL_KEY[1:], "numerator", "suppression"])


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write only when the content changed, so an unchanged run leaves the file as it was."""
    tmp = path.with_suffix(".tmp")
    frame.to_parquet(tmp, index=False)
    if path.exists() and pd.read_parquet(path).equals(pd.read_parquet(tmp)):
        tmp.unlink()
    else:
        tmp.replace(path)


def _quality_tables(con, period: str, limit: int) -> dict[str, pd.DataFrame]:
    """What the reports say about their data: files, quarantine by rule, forms left out.

    Row counts per file would give a unit's monthly count away, so files carry no counts; the
    counts per unit folder, per quarantine rule and of forms left out are suppressed like any other.
    """
    files = con.execute(
        """
        SELECT path, source, left(sha256, 12) AS sha256, status, duplicate_of, first_period, last_period, description
        FROM raw_files
        UNION ALL
        SELECT path, NULL, left(sha256, 12), 'avvisad', NULL, NULL, NULL, message
        FROM refused_files
        ORDER BY path
        """
    ).df()
    folders = con.execute(
        """
        SELECT regexp_replace(path, '/[^/]*$', '') AS folder, count(*) AS files, sum(rows_read) AS rows_read,
               sum(rows_loaded) AS rows_loaded, sum(rows_quarantined) AS rows_quarantined,
               min(first_period) AS first_period, max(last_period) AS last_period
        FROM raw_files WHERE status <> 'dubblett'
        GROUP BY ALL ORDER BY ALL
        """
    ).df()
    issues = con.execute(
        "SELECT path, column_name, rule, count(DISTINCT source_row) AS rows FROM quarantine GROUP BY ALL ORDER BY ALL"
    ).df()
    # Forms that no municipality's figures include, and why (no row-level data leaves the database).
    left_out = con.execute(
        """
        SELECT CASE WHEN NOT f.home_known THEN 'hemkommun okänd'
                    ELSE 'hemkommun utanför registreringens täckning' END AS reason,
               count(*) AS forms
        FROM int_intox_forms_all f
        LEFT JOIN int_coverage c USING (municipality_code, period)
        WHERE f.period <= ? AND c.period IS NULL
        GROUP BY ALL ORDER BY ALL
        """,
        [period],
    ).df()
    duplicates = con.execute(
        "SELECT (SELECT count(*) FROM stg_intox WHERE period <= ?) - (SELECT count(*) FROM int_intox_forms_all WHERE period <= ?) AS forms",
        [period, period],
    ).df()
    left_out = pd.concat([left_out, pd.DataFrame({"reason": ["dubblett av formulär i annan fil"], "forms": duplicates.forms})])
    members = con.execute(
        """
        SELECT m.area_type, m.area_code, m.area_name, m.municipality_code
        FROM ref_area_member m
        WHERE m.area_code IN (SELECT DISTINCT area_code FROM indicator_values)
        ORDER BY ALL
        """
    ).df()
    for frame, columns in ((folders, ["rows_read", "rows_loaded", "rows_quarantined"]), (issues, ["rows"]), (left_out, ["forms"])):
        for column in columns:
            counts = frame[column].astype("Int64")
            frame[column] = counts.mask(counts.between(1, limit - 1))  # <NA> = fewer than the threshold
    return {"files": files, "folders": folders, "issues": issues, "left_out": left_out, "members": members}
