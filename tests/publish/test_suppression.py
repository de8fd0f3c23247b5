"""Small-number suppression: no count 1-4 leaves the pipeline, and no hidden cell can be recovered.

The secondary-suppression audit below is written independently of pipeline.publish: it lists the
linear relations between published counts itself (a breakdown and its total, a region and its
covered members, two overlapping regions, rolling 12 months and its months, two consecutive rolling
windows, the same month last year and that month), checks on the unsuppressed values that each relation really holds, and
then checks on the published values that no relation has exactly one hidden cell.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from cli_helpers import run
from intox_helpers import form, query, reference_municipalities, run_all, write_coverage, write_forms, write_regions, write_threshold

from pipeline.build.indicators import catalogue
from pipeline.config import PROJECT_ROOT, Workspace
from pipeline.periods import CHAINS, last_month
from pipeline.publish import publish, suppress

KEY = ["indicator_id", "area_code", "period", "dimension", "category"]
BREAKDOWN_TOTAL = {
    "intox_age": "intox_cases", "intox_sex": "intox_cases", "intox_intent": "intox_cases",
    "intox_age_r12": "intox_cases_r12", "intox_sex_r12": "intox_cases_r12", "intox_intent_r12": "intox_cases_r12",
}
ROLLING_BASE = {
    "intox_cases_r12": "intox_cases", "intox_age_r12": "intox_age", "intox_sex_r12": "intox_sex",
    "intox_intent_r12": "intox_intent", "intox_substance_r12": "intox_substance",
}
LAST_YEAR_BASE = {"intox_cases_ly": "intox_cases"}
COUNT_CELLS = sorted({"intox_cases", "intox_substance", *BREAKDOWN_TOTAL, *ROLLING_BASE, *LAST_YEAR_BASE})
RATE_COUNT = {"intox_rate": "intox_cases", "intox_rate_r12": "intox_cases_r12", "intox_rate_ly": "intox_cases_ly"}
SHARE_TOTAL = {**BREAKDOWN_TOTAL, "intox_substance": "intox_cases", "intox_substance_r12": "intox_cases_r12"}
# Columns that describe a row rather than count people.
METADATA_COLUMNS = {"areas_covered", "areas_total", "decimals", "sort_order"}


# --- the independent audit -------------------------------------------------------------------


def region_members(root: Path) -> dict[str, set[str]]:
    """Members of every region, from the reference csv and the regions config (own or project's)."""
    table = reference_municipalities()
    members = {f"lan-{county}": set(group.municipality_code) for county, group in table.groupby("county_code")}
    members["riket"] = set(table.municipality_code)
    own = root / "schemas" / "regions.yaml"
    config = yaml.safe_load((own if own.exists() else PROJECT_ROOT / "schemas" / "regions.yaml").read_text(encoding="utf-8"))
    for region_id, spec in (config.get("regions") or {}).items():
        members[region_id] = {str(code).zfill(4) for code in spec["municipalities"]}
    return members


def month_number(period: pd.Series) -> pd.Series:
    return period.str[:4].astype(int) * 12 + period.str[5:7].astype(int)


def _tagged(frame: pd.DataFrame, kind: str, relation: pd.Series, sign: int) -> pd.DataFrame:
    return frame[KEY].assign(kind=kind, relation=kind + "|" + relation.astype(str), sign=sign)


def linear_relations(cells: pd.DataFrame, members: dict[str, set[str]]) -> pd.DataFrame:
    """Every relation as rows (kind, relation, KEY..., sign): the signed cells of a relation sum to 0."""
    cells = cells[cells.indicator_id.isin(COUNT_CELLS)].assign(month=lambda f: month_number(f.period))
    row_id = cells[KEY].astype(str).agg("/".join, axis=1)
    cells = cells.assign(row_id=row_id)
    parts = []

    # a breakdown (partition) adds up to its total
    for part, total in BREAKDOWN_TOTAL.items():
        categories = cells[cells.indicator_id == part]
        ids = part + "/" + categories.area_code + "/" + categories.period
        parts.append(_tagged(categories, "breakdown", ids, +1))
        totals = cells[cells.indicator_id == total].merge(categories[["area_code", "period"]].drop_duplicates())
        parts.append(_tagged(totals, "breakdown", part + "/" + totals.area_code + "/" + totals.period, -1))

    # a region equals the sum of its members that have a row (the covered ones)
    kommun = cells[cells.area_type == "kommun"]
    regional = cells[cells.area_type != "kommun"]
    link = pd.DataFrame([(area, code) for area, codes in members.items() for code in codes], columns=["region", "member"])
    linked = regional.merge(link, left_on="area_code", right_on="region").merge(
        kommun.rename(columns={"area_code": "member", "row_id": "member_row"})[
            ["indicator_id", "member", "period", "dimension", "category", "member_row"]],
        on=["indicator_id", "member", "period", "dimension", "category"])
    parts.append(_tagged(regional, "region", regional.row_id, -1))
    member_cells = linked[["indicator_id", "member", "period", "dimension", "category", "row_id"]].rename(columns={"member": "area_code"})
    parts.append(_tagged(member_cells, "region", member_cells.row_id, +1))

    # two overlapping regions (a county and the country, a cooperation and its county, two equal
    # ones) differ by their members outside the overlap: A - B = members(A - B) - members(B - A)
    names = ["indicator_id", "period", "dimension", "category"]
    present = sorted(set(regional.area_code) & set(members))
    for i, first in enumerate(present):
        for second in present[i + 1 :]:
            if not members[first] & members[second]:
                continue
            common = cells.loc[cells.area_code == first, names].merge(cells.loc[cells.area_code == second, names])

            def tagged(frame: pd.DataFrame, sign: int, pair=f"{first}~{second}", common=common) -> pd.DataFrame:
                frame = frame.merge(common)
                ids = pair + "/" + frame.indicator_id + "/" + frame.period + "/" + frame.dimension + "/" + frame.category
                return _tagged(frame, "overlap", ids, sign)

            parts += [
                tagged(cells[cells.area_code == first], -1), tagged(cells[cells.area_code == second], +1),
                tagged(kommun[kommun.area_code.isin(members[first] - members[second])], +1),
                tagged(kommun[kommun.area_code.isin(members[second] - members[first])], -1),
            ]

    # rolling 12 months: the sum of its months; the same month last year: that month;
    # two consecutive windows: r12(P) - r12(P-1) = month(P) - month(P-12)
    same = ["area_code", "dimension", "category", "areas_covered"]
    for window, base_id in {**ROLLING_BASE, **LAST_YEAR_BASE}.items():
        windows = cells[cells.indicator_id == window]
        base = cells[cells.indicator_id == base_id]
        offsets = range(12) if window in ROLLING_BASE else [12]
        wanted = windows[same + ["month", "row_id"]].merge(pd.DataFrame({"offset": list(offsets)}), how="cross")
        wanted["month"] -= wanted.offset
        found = wanted.merge(base[KEY + ["areas_covered", "month"]], on=same + ["month"])
        complete = found.groupby("row_id").offset.transform("size").eq(len(offsets))
        found = found[complete]
        kind = "rolling" if window in ROLLING_BASE else "last_year"
        parts.append(_tagged(found, kind, found.row_id, +1))
        owners = windows[windows.row_id.isin(found.row_id)]
        parts.append(_tagged(owners, kind, owners.row_id, -1))
        if window in ROLLING_BASE:
            joined = windows[same + ["month", "row_id"]]
            steps = {"previous_window": (windows, 1), "same_month": (base, 0), "year_before": (base, 12)}
            for name, (frame, shift) in steps.items():
                other = frame[same + ["month", "row_id"]].rename(columns={"row_id": name})
                joined = joined.merge(other.assign(month=other.month + shift), on=same + ["month"])
            for column, sign in (("row_id", -1), ("previous_window", +1), ("same_month", +1), ("year_before", -1)):
                rows = cells.set_index("row_id").loc[joined[column], KEY].reset_index(drop=True)
                parts.append(_tagged(rows, "difference", joined.row_id.reset_index(drop=True), sign))
    return pd.concat(parts, ignore_index=True)


def relation_sums(relations: pd.DataFrame, true_values: pd.DataFrame) -> pd.Series:
    """The signed sum of each relation on unsuppressed values: 0 when the relation really holds."""
    merged = relations.merge(true_values[KEY + ["numerator"]], on=KEY, how="left", validate="many_to_one")
    assert merged.numerator.notna().all(), "a relation names a cell that does not exist"
    return (merged.sign * merged.numerator).groupby(merged.relation).sum()


def exposed_relations(relations: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Relations in which exactly one cell is hidden while all the others are shown."""
    merged = relations.merge(published[KEY + ["numerator"]], on=KEY, how="left", validate="many_to_one")
    merged["hidden"] = merged.numerator.isna()
    summary = merged.groupby(["kind", "relation"]).agg(cells=("hidden", "size"), hidden=("hidden", "sum")).reset_index()
    return summary[summary.hidden == 1]


def audit(published: pd.DataFrame, true_values: pd.DataFrame, members: dict[str, set[str]]) -> pd.DataFrame:
    relations = linear_relations(true_values, members)
    sums = relation_sums(relations, true_values)
    assert (sums == 0).all(), f"not linear relations: {sums[sums != 0].head().to_dict()}"
    return exposed_relations(relations, published)


def test_audit_finds_a_single_hidden_cell():
    """The audit itself can fail: a breakdown with one hidden category is reported."""
    true = pd.DataFrame([
        ["intox_cases", "kommun", "1737", "2024-03", "", "", 10, 1],
        ["intox_sex", "kommun", "1737", "2024-03", "kon", "man", 7, 1],
        ["intox_sex", "kommun", "1737", "2024-03", "kon", "kvinna", 3, 1],
    ], columns=["indicator_id", "area_type", "area_code", "period", "dimension", "category", "numerator", "areas_covered"])
    published = true.assign(numerator=[10, 7, np.nan])
    exposed = audit(published, true, {})
    assert exposed.kind.tolist() == ["breakdown"]
    assert audit(true.assign(numerator=[10, np.nan, np.nan]), true, {}).empty


# --- suppress() on small hand-made frames ----------------------------------------------------


@pytest.fixture(scope="module")
def indicators(tmp_path_factory) -> pd.DataFrame:
    return catalogue(Workspace(tmp_path_factory.mktemp("catalogue")))


def row(indicator: str, area: str, numerator: int, denominator: float | None = None, *, area_type: str = "kommun",
        dimension: str = "", category: str = "", period: str = "2024-03", covered: int = 1, total: int = 1) -> dict:
    if indicator.startswith("intox_rate"):
        value = numerator / denominator * 10_000
    elif dimension:
        value = numerator / denominator * 100 if denominator else np.nan
    else:
        value = float(numerator)
    return {"indicator_id": indicator, "area_type": area_type, "area_code": area, "period": period,
            "dimension": dimension, "category": category, "value": value, "numerator": numerator,
            "denominator": denominator, "population_basis": "medelfolkmängd 2024" if denominator and not dimension else None,
            "areas_covered": covered, "areas_total": total}


def sex_breakdown(area: str, counts: dict[str, int], **kwargs) -> list[dict]:
    total = sum(counts.values())
    return [row("intox_cases", area, total, **kwargs)] + [
        row("intox_sex", area, n, total, dimension="kon", category=sex, **kwargs) for sex, n in counts.items()
    ]


NO_MEMBERS = pd.DataFrame(columns=["area_code", "municipality_code"], dtype=str)


def by_area(result: pd.DataFrame, indicator: str, category: str = "") -> pd.DataFrame:
    return result[(result.indicator_id == indicator) & (result.category == category)].set_index("area_code")


def test_counts_from_one_to_four_are_hidden_zeros_and_five_are_shown(indicators):
    values = pd.DataFrame(
        [row("intox_cases", f"k{n}", n) for n in range(8)] + [row("intox_rate", f"k{n}", n, 10_000.0) for n in range(8)]
    )
    result = suppress(values, indicators, NO_MEMBERS, 5)
    cases, rates = by_area(result, "intox_cases"), by_area(result, "intox_rate")
    for n in range(8):
        area = f"k{n}"
        if 1 <= n <= 4:
            assert cases.loc[area, "suppressed"] and rates.loc[area, "suppressed"], n
            assert np.isnan(cases.loc[area, "value"]) and np.isnan(cases.loc[area, "numerator"])
            assert np.isnan(rates.loc[area, "value"]) and np.isnan(rates.loc[area, "numerator"])
        else:
            assert not cases.loc[area, "suppressed"] and not rates.loc[area, "suppressed"], n
            assert cases.loc[area, "value"] == n and cases.loc[area, "numerator"] == n
            assert rates.loc[area, "value"] == pytest.approx(n)  # n per 10 000 inhabitants


@pytest.mark.parametrize("limit, hidden", [(3, {1, 2}), (5, {1, 2, 3, 4}), (10, set(range(1, 10)))])
def test_the_threshold_is_a_parameter(indicators, limit, hidden):
    values = pd.DataFrame([row("intox_cases", f"k{n}", n) for n in range(12)])
    result = suppress(values, indicators, NO_MEMBERS, limit)
    assert set(result.loc[result.suppressed, "area_code"].str[1:].astype(int)) == hidden
    assert result[result.suppressed].numerator.isna().all()
    assert (result[~result.suppressed].numerator == result[~result.suppressed].area_code.str[1:].astype(int)).all()


def test_shares_on_a_small_total_are_hidden_and_zero_shares_on_a_large_total_shown(indicators):
    values = pd.DataFrame(
        sex_breakdown("small", {"man": 4, "kvinna": 0, "annat": 0, "okand": 0})
        + sex_breakdown("large", {"man": 12, "kvinna": 0, "annat": 0, "okand": 0})
    )
    result = suppress(values, indicators, NO_MEMBERS, 5)
    small = result[(result.area_code == "small") & (result.indicator_id == "intox_sex")].set_index("category")
    assert small.loc["man", "suppressed"] and np.isnan(small.loc["man", ["value", "numerator"]].astype(float)).all()
    # 0 % of a hidden total is shown: it says nothing of the total, which stays hidden
    zeros = small.drop(index="man")
    assert not zeros.suppressed.any() and (zeros.value == 0).all() and (zeros.numerator == 0).all()
    assert small.denominator.isna().all()
    large = result[(result.area_code == "large") & (result.indicator_id == "intox_sex")].set_index("category")
    assert not large.suppressed.any()
    assert large.loc["man", "value"] == pytest.approx(100)
    assert large.loc["kvinna", "value"] == 0 and large.loc["kvinna", "numerator"] == 0


def test_a_single_small_category_gets_a_partner(indicators):
    values = pd.DataFrame(sex_breakdown("k", {"man": 7, "kvinna": 3, "annat": 0, "okand": 0}))
    result = suppress(values, indicators, NO_MEMBERS, 5)
    kvinna = result[(result.indicator_id == "intox_sex") & (result.category == "kvinna")]
    assert kvinna.suppressed.all() and kvinna.numerator.isna().all() and kvinna.value.isna().all()
    # 10 = man + kvinna: with kvinna hidden, man or the total must be hidden too
    assert audit(result, values, {}).empty
    hidden = result[result.suppressed]
    assert len(hidden[hidden.indicator_id.isin(["intox_cases", "intox_sex"])]) >= 2


def test_a_region_with_one_small_member_hides_a_partner(indicators):
    values = pd.DataFrame([
        row("intox_cases", "1737", 3), row("intox_cases", "1766", 20),
        row("intox_cases", "duo", 23, area_type="region", covered=2, total=2),
        row("intox_rate", "1737", 3, 11_000.0), row("intox_rate", "1766", 20, 13_000.0),
        row("intox_rate", "duo", 23, 24_000.0, area_type="region", covered=2, total=2),
    ])
    members = pd.DataFrame({"area_code": ["duo", "duo"], "municipality_code": ["1737", "1766"]})
    result = suppress(values, indicators, members, 5)
    cases = by_area(result, "intox_cases")
    assert cases.loc["1737", "suppressed"]
    assert cases.suppressed.sum() == 2  # 1737 and one partner, not the whole relation
    assert audit(result, values, {"duo": {"1737", "1766"}}).empty
    # a rate is hidden exactly when the count it rests on is hidden
    rates = by_area(result, "intox_rate")
    assert (rates.suppressed == cases.suppressed).all()
    assert rates[rates.suppressed].value.isna().all()


def test_a_region_inside_another_does_not_give_a_member_away(indicators):
    # big = a + b + c + d, small = a + b; a and c are small. Hiding a partner for a inside each
    # region is not enough: big - small = c + d, so c would follow from big, small and d.
    counts = {"a": 3, "b": 20, "c": 4, "d": 30}
    values = pd.DataFrame(
        [row("intox_cases", code, n) for code, n in counts.items()]
        + [row("intox_cases", "small", 23, area_type="region", covered=2, total=2),
           row("intox_cases", "big", 57, area_type="region", covered=4, total=4)]
    )
    members = {"small": {"a", "b"}, "big": {"a", "b", "c", "d"}}
    member_frame = pd.DataFrame([(area, code) for area, codes in members.items() for code in sorted(codes)],
                                columns=["area_code", "municipality_code"])
    result = suppress(values, indicators, member_frame, 5)
    cases = by_area(result, "intox_cases")
    assert cases.loc["a", "suppressed"] and cases.loc["c", "suppressed"]
    assert cases.loc[["big", "small", "c", "d"], "suppressed"].sum() >= 2
    assert audit(result, values, members).empty


def test_two_consecutive_rolling_windows_do_not_give_a_month_away(indicators):
    # 13 months: January 2023 = 50, then eleven months of 10, then January 2024 = 3 (hidden).
    # r12(2024-01) - r12(2023-12) = month(2024-01) - month(2023-01): with both windows and
    # January 2023 shown, the hidden 3 would follow.
    months = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01"]
    counts = dict(zip(months, [50] + [10] * 11 + [3]))
    windows = {"2023-12": sum(counts[p] for p in months[:12]), "2024-01": sum(counts[p] for p in months[1:])}
    values = pd.DataFrame(
        [row("intox_cases", "k", n, period=p) for p, n in counts.items()]
        + [row("intox_cases_r12", "k", n, period=p) for p, n in windows.items()]
    )
    result = suppress(values, indicators, NO_MEMBERS, 5)
    hidden = result[result.suppressed]
    assert ("intox_cases", "2024-01") in set(zip(hidden.indicator_id, hidden.period))
    assert audit(result, values, {}).empty


def test_three_tertials_and_the_window_ending_in_april_do_not_give_a_tertial_away(indicators):
    # r12(2024-04) = 2023-T2 + 2023-T3 + 2024-T1 (May 2023 to April 2024): with the window and two of the
    # tertials shown, the hidden 3 would follow (43 - 20 - 20), without a month published.
    tertials = {"2023-T2": 20, "2023-T3": 3, "2024-T1": 20}
    values = pd.DataFrame([row("intox_cases_tertial", "k", n, period=p) for p, n in tertials.items()]
                          + [row("intox_cases_r12", "k", 43, period="2024-04")])
    result = suppress(values, indicators, NO_MEMBERS, 5).set_index(["indicator_id", "period"])
    assert result.loc[("intox_cases_tertial", "2023-T3"), "suppressed"]
    assert result.suppressed.sum() == 2  # the small tertial and one partner among the three others


# --- a hand-made workspace through ingest, build and publish -----------------------------------


SUTOHAMU = ["1737", "1766", "1783", "1762"]


def small_workspace(root: Path, counts: dict[str, int], threshold: int | None = None) -> tuple[Workspace, pd.DataFrame]:
    write_coverage(root, {"torsby": (SUTOHAMU, "2024-03")})
    write_regions(root, {"sutohamu": SUTOHAMU})
    if threshold is not None:
        write_threshold(root, threshold)
    forms = [
        form(f"{code}-{k}", f"2024-03-{k + 1:02d}", home=code)
        for code, n in counts.items()
        for k in range(n)
    ]
    write_forms(root, "torsby", "forms.csv", forms)
    return run_all(root, "2024-03")


def assert_no_small_count_published(published: pd.DataFrame, threshold: int = 5) -> None:
    assert not published.numerator.between(1, threshold - 1).any()
    hidden = published[published.suppressed]
    assert hidden.value.isna().all() and hidden.numerator.isna().all()


def cases_by_area(published: pd.DataFrame) -> pd.DataFrame:
    return published[published.indicator_id == "intox_cases"].set_index("area_code")


def test_one_small_member_of_a_region_gets_a_partner_hidden(tmp_path):
    workspace, published = small_workspace(tmp_path, {"1737": 3, "1766": 20, "1783": 0, "1762": 0})
    assert_no_small_count_published(published)
    cases = cases_by_area(published)
    assert cases.loc["1737", "suppressed"] and np.isnan(cases.loc["1737", "numerator"])
    # Sunne 20 = SuToHaMu 23 - Torsby: one of the three must be hidden besides Torsby
    assert cases.loc[["1737", "1766", "sutohamu"], "suppressed"].sum() >= 2
    for area in ["lan-17", "riket"]:  # the same relation with the county and the country
        assert cases.loc[["1737", "1766", area], "suppressed"].sum() >= 2
    # the zeros of Hagfors and Munkfors are shown
    assert cases.loc["1783", "value"] == 0 and cases.loc["1762", "value"] == 0
    true = query(workspace, "SELECT * FROM indicator_values")
    exposed = audit(published, true, region_members(tmp_path))
    assert exposed.empty, exposed.head(20).to_string()


@pytest.mark.parametrize("threshold, hidden", [(None, {"1737", "1766"}), (3, set()), (8, {"1737", "1766", "1783"})])
def test_the_threshold_comes_from_settings_yaml(tmp_path, threshold, hidden):
    # 3 + 4 + 7 + 0 = 14; every form is a man of 30 who took alcohol, so breakdowns mirror the totals
    workspace, published = small_workspace(tmp_path, {"1737": 3, "1766": 4, "1783": 7, "1762": 0}, threshold)
    assert_no_small_count_published(published, threshold or 5)
    cases = cases_by_area(published)
    kommun = cases[cases.area_type == "kommun"]
    assert set(kommun.index[kommun.numerator.isna()]) == hidden
    shown = kommun[kommun.numerator.notna()]
    assert {"1762"} <= set(shown.index) and (shown.numerator == shown.value).all()
    true = query(workspace, "SELECT * FROM indicator_values")
    assert audit(published, true, region_members(tmp_path)).empty


# --- the demo region: a realistic published dataset ------------------------------------------


@pytest.fixture(scope="module")
def published_demo(demo) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    """The session demo's published snapshot for 2026-10 and the true values it was made from."""
    workspace = Workspace(demo)
    published = pd.read_parquet(workspace.snapshot_dir("2026-10") / "indicators.parquet")
    true = query(workspace, "SELECT * FROM indicator_values")
    # what a month's snapshot holds: every period ended by its month, of the kinds a month publishes
    windows = catalogue(workspace).set_index("indicator_id").window_name.replace({"r12": "month", "ly": "month"})
    true = true[true.period.map(last_month).le("2026-10") & true.indicator_id.map(windows).isin(CHAINS["month"])]
    # the same month last year and the breakdowns are held by the snapshot of their own month only
    latest_only = true.indicator_id.str.endswith("_ly") | true.indicator_id.str.match(r"intox_(age|sex|intent|substance)_r12$")
    true = true[~latest_only | true.period.eq("2026-10")]
    return demo, published, true


def test_every_built_row_of_a_published_indicator_is_published_once(published_demo):
    root, published, true = published_demo
    assert not published.duplicated(KEY).any()
    listed = catalogue(Workspace(root))
    true = true[true.indicator_id.isin(listed.indicator_id[listed.published])]
    assert set(map(tuple, published[KEY].to_numpy())) == set(map(tuple, true[KEY].to_numpy()))
    # a breakdown is published for rolling 12 months only, never by single month
    assert not published.indicator_id.isin(["intox_age", "intox_sex", "intox_intent", "intox_substance"]).any()
    assert published.indicator_id.isin(["intox_age_r12", "intox_sex_r12", "intox_intent_r12", "intox_substance_r12"]).any()


def test_no_published_count_between_one_and_four(published_demo):
    _, published, _ = published_demo
    assert not published.numerator.between(1, 4).any()
    counts = published[published.indicator_id.isin(["intox_cases", "intox_cases_r12", "intox_cases_ly"])]
    assert not counts.value.between(1, 4).any()
    shares = published[published.indicator_id.isin(SHARE_TOTAL)]
    assert not shares.denominator.between(1, 4).any()


def test_suppressed_rows_carry_no_number_of_people(published_demo):
    _, published, _ = published_demo
    hidden = published[published.suppressed]
    assert len(hidden) > 0
    assert hidden.value.isna().all() and hidden.numerator.isna().all()
    assert hidden[hidden.indicator_id.isin(SHARE_TOTAL)].denominator.isna().all()
    numeric = [c for c in hidden.columns if pd.api.types.is_numeric_dtype(hidden[c])
               and not pd.api.types.is_bool_dtype(hidden[c]) and c not in METADATA_COLUMNS]
    assert {"value", "numerator", "denominator"} <= set(numeric)
    for column in numeric:
        assert not hidden[column].between(1, 4.999).any(), column


def test_rates_and_shares_on_a_hidden_count_are_hidden(published_demo):
    _, published, _ = published_demo
    keyed = published.set_index(["indicator_id", "area_code", "period", "dimension", "category"])
    for rate, count in RATE_COUNT.items():
        rates = published[published.indicator_id == rate]
        counts = keyed.loc[[(count, r.area_code, r.period, "", "") for r in rates.itertuples()]]
        assert (rates.numerator.isna().to_numpy() == counts.numerator.isna().to_numpy()).all(), rate
        assert rates[rates.numerator.isna()].value.isna().all()
    for share, total in SHARE_TOTAL.items():
        # a share above 0 % is shown only on a shown total (0 % says nothing of its total)
        shares = published[(published.indicator_id == share) & published.value.notna() & published.value.ne(0)]
        totals = keyed.loc[[(total, r.area_code, r.period, "", "") for r in shares.itertuples()]]
        assert totals.numerator.notna().all() and (totals.numerator >= 5).all(), share
        # and no share's denominator gives a hidden total away
        every = published[published.indicator_id == share]
        hidden_total = keyed.loc[[(total, r.area_code, r.period, "", "") for r in every.itertuples()]].suppressed.to_numpy()
        assert every[hidden_total].denominator.isna().all(), share


def test_every_hidden_cell_carries_the_same_mark(published_demo):
    """A mark per reason sorted the hidden cells by value: small counts, partners, zeros of a small total."""
    _, published, true = published_demo
    assert set(published.suppression) == {"", "dold"}
    assert (published.suppressed == published.suppression.eq("dold")).all()
    merged = published.merge(true[KEY + ["numerator"]].rename(columns={"numerator": "true"}), on=KEY)
    hidden = merged[merged.suppressed & merged.indicator_id.isin(COUNT_CELLS)]
    # behind the one mark: small counts and larger counts hidden as partners, hardly ever a zero
    assert hidden.true.between(1, 4).any() and (hidden.true >= 5).any() and (hidden.true == 0).mean() < 0.01


def test_zeros_are_shown(published_demo):
    _, published, true = published_demo
    merged = published.merge(true[KEY + ["numerator"]].rename(columns={"numerator": "true"}), on=KEY)
    zeros = merged[merged.true == 0]
    assert len(zeros) > 1000 and (zeros.numerator == 0).mean() > 0.99


def test_secondary_suppression_leaves_no_cell_recoverable(published_demo):
    root, published, true = published_demo
    relations = linear_relations(true, region_members(root))
    kinds = relations.drop_duplicates("relation").kind.value_counts()
    # the audit really looks at every kind of relation in this data set
    assert {"breakdown", "region", "overlap", "rolling", "last_year", "difference"} <= set(kinds.index)
    assert kinds.sum() > 1000
    exposed = audit(published, true, region_members(root))
    assert exposed.empty, exposed.groupby("kind").size().to_string() + "\n" + exposed.head(20).to_string()


def test_consecutive_monthly_snapshots_together_leave_no_cell_recoverable(demo_copy):
    """A reader who keeps every month's snapshot knows each cell that any of them showed."""
    for period in ("2026-10", "2026-T2", "2025"):  # the month published again, after the months before it
        shutil.rmtree(demo_copy / "data" / "processed" / period)
    workspace = Workspace(demo_copy)
    snapshots = []
    for period in ("2026-07", "2026-08", "2026-09", "2026-10"):
        publish(workspace, period)
        snapshots.append(pd.read_parquet(workspace.snapshot_dir(period) / "indicators.parquet"))
    key = ["indicator_id", "area_type", "area_code", "period", "dimension", "category"]
    # every cell any of them holds (an earlier one holds its own month's breakdowns), shown where one shows it
    combined = pd.concat(snapshots).groupby(key, as_index=False).numerator.first()
    true = query(workspace, "SELECT * FROM indicator_values WHERE period <= '2026-10'")
    true = true.merge(combined[key], on=key)  # the relations between cells a reader holds
    exposed = audit(combined, true, region_members(demo_copy))
    assert exposed.empty, exposed.groupby("kind").size().to_string()
    # what one snapshot hid to protect a count, a later one still hides
    for earlier, later in zip(snapshots, snapshots[1:]):
        held = later.set_index(key)
        hidden = earlier[earlier.suppressed].set_index(key).index.intersection(held.index)  # the cells both hold
        assert len(hidden) and held.loc[hidden].suppressed.all()
    # and the proof over all four side by side, all relations at once
    proof = run(["audit", "--workspace", str(demo_copy)])
    assert proof.returncode == 0, proof.stdout + proof.stderr
    assert "Granskat 4 publicerade ögonblicksbilder (2026-07, 2026-08, 2026-09 och 2026-10)" in proof.stdout
    assert "Röjandeskyddet håller" in proof.stdout


def test_a_month_published_after_a_later_one_keeps_what_the_later_one_hid(demo_copy):
    """The newer snapshot is already out: the older month published afterwards must not show what it hid."""
    workspace = Workspace(demo_copy)
    later = pd.read_parquet(workspace.snapshot_dir("2026-10") / "indicators.parquet")
    publish(workspace, "2026-09")
    earlier = pd.read_parquet(workspace.snapshot_dir("2026-09") / "indicators.parquet")
    key = ["indicator_id", "area_type", "area_code", "period", "dimension", "category"]
    both = earlier.merge(later, on=key, suffixes=("", "_later"))
    assert both.suppressed_later.sum() > 100
    assert both[both.suppressed_later].suppressed.all()


def test_data_quality_tables_publish_no_count_below_five(published_demo):
    root, _, _ = published_demo
    snapshot = Workspace(root).snapshot_dir("2026-10")
    files = pd.read_parquet(snapshot / "files.parquet")
    assert not [c for c in files.columns if c.startswith("rows")], "per-file counts would give a unit's month away"
    checked = 0
    for name, columns in (("folders", ["rows_read", "rows_loaded", "rows_quarantined"]), ("issues", ["rows"]), ("left_out", ["forms"])):
        frame = pd.read_parquet(snapshot / f"{name}.parquet")
        for column in columns:
            values = frame[column].dropna()
            assert not values.between(1, 4).any(), (name, column, values.tolist())
            checked += len(frame)
    issues = pd.read_parquet(snapshot / "issues.parquet")
    issues = issues[issues.path.str.startswith("intox/")]
    assert len(issues) == 8 and issues["rows"].isna().all()  # the demo's eight single faulty INTOX rows
    assert checked > 10


def test_a_snapshot_holds_the_five_years_up_to_its_period(tmp_path):
    """Seven years of forms: a snapshot holds the periods that ended in the five years up to its last month."""
    write_coverage(tmp_path, {"sunne": (["1766"], "2018-01")})
    write_regions(tmp_path, {})
    forms = [form(f"{y}-{m}-{k}", f"{y}-{m:02d}-{k + 1:02d}", home="1766") for y in range(2018, 2025) for m in range(1, 13) for k in range(8)]
    write_forms(tmp_path, "sunne", "forms.csv", forms)
    workspace, published = run_all(tmp_path, "2024-12")
    first = published.groupby("indicator_id").period.min()
    assert (first["intox_cases"], first["intox_cases_r12"], first["intox_cases_tertial"], first["intox_cases_year"]) == (
        "2020-01", "2020-01", "2020-T1", "2020")
    assert published[published.indicator_id == "intox_cases"].period.nunique() == 60
    year = pd.read_parquet(publish(workspace, "2022") / "indicators.parquet")
    assert sorted(year[year.indicator_id == "intox_cases_year"].period.unique()) == ["2018", "2019", "2020", "2021", "2022"]
