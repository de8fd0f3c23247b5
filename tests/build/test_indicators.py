"""Indicator values on a hand-checked example: counts, coverage, rates, pooled regions, windows, breakdowns.

Expected values are written out by hand below or computed from data/reference/population.csv;
the pipeline's own output is never used as an expectation.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from intox_helpers import form, population_31_dec, query, write_coverage, write_forms, write_regions

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.ingest import ingest

TORSBY, SUNNE, KARLSTAD, KIL, ARVIKA = "1737", "1766", "1780", "1715", "1784"
COVERED_MONTHS = [f"2019-{m:02d}" for m in range(2, 13)] + ["2020-01", "2020-02", "2020-03"]

# Forms per covered month 2019-02 .. 2020-03, as they are counted (duplicates and uncounted forms apart).
TORSBY_FORMS = dict(zip(COVERED_MONTHS, [3, 5, 0, 2, 4, 1, 0, 3, 2, 1, 6, 2, 1, 2]))
SUNNE_FORMS = {"2019-02": 1, "2019-04": 2, "2019-12": 1}
KARLSTAD_FORMS = {"2019-03": 12, "2019-05": 1, "2019-06": 1}
HOME_TEXT = {TORSBY: "Torsby", SUNNE: "Sunne kommun", KARLSTAD: "1780"}

# Torsby, March 2019: five forms written out so that the breakdowns can be checked by hand.
TORSBY_MARCH = [
    form("TM1", "2019-03-02", home="Torsby", age="16", sex="Man", intent="Rus"),
    form("TM2", "2019-03-05", home="Torsby", age="17", sex="Kvinna", intent="Självskada"),
    form("TM3", "2019-03-09", home="Torsby", age="20", sex="Kvinna", intent="Rus"),
    form("TM4", "2019-03-14", home="Torsby", age="", sex="", intent="Olyckshändelse"),
    form("TM5", "2019-03-21", home="Torsby", age="70", sex="Man", intent="Vet ej"),
]
TORSBY_MARCH_AGE = {"0-17": 2, "18-24": 1, "25-44": 0, "45-64": 0, "65+": 1, "okand": 1}
TORSBY_MARCH_SEX = {"man": 2, "kvinna": 2, "annat": 0, "okand": 1}
TORSBY_MARCH_INTENT = {"rus": 2, "sjalvskada": 1, "oavsiktlig": 1, "okand": 1}


def generated_forms(code: str, counts: dict[str, int], prefix: str) -> list[list[str]]:
    return [
        form(f"{prefix}-{period.replace('-', '')}-{k}", f"{period}-{k + 1:02d}", home=HOME_TEXT[code])
        for period, n in counts.items()
        for k in range(n)
    ]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("indicators")
    write_coverage(root, {"torsby": ([TORSBY, SUNNE], "2019-02"), "karlstad": ([KARLSTAD], "2019-02")})
    write_regions(root, {"duo": [TORSBY, SUNNE], "trio": [TORSBY, SUNNE, KIL], "pool": [TORSBY, KARLSTAD]})

    torsby_unit = generated_forms(TORSBY, {p: n for p, n in TORSBY_FORMS.items() if p != "2019-03"}, "T")
    torsby_unit += TORSBY_MARCH + generated_forms(SUNNE, SUNNE_FORMS, "S")
    not_counted = [
        form("X1", "2019-01-20", home="Torsby"),  # before coverage starts
        form("X2", "2019-03-03", home="okänd"),
        form("X3", "2019-03-04", home="Okänd"),
        form("X4", "2019-03-05", home="Arvika"),  # a municipality no unit covers
        form("X5", "2019-03-06", home="Kil"),     # member of region trio, but not covered
    ]
    forms = torsby_unit + not_counted
    first_half = [row for row in forms if row[1] < "2019-07"]
    second_half = [row for row in forms if row[1] >= "2019-07"]
    # The second export overlaps the first by one form (same unit, same form id).
    repeated = next(row for row in first_half if row[1].startswith("2019-06") and row[4] == "Torsby")
    write_forms(root, "torsby", "export_2019a.csv", first_half)
    write_forms(root, "torsby", "export_2019b.csv", second_half + [repeated])
    # Another unit that happens to use the same form id is another form.
    karlstad = generated_forms(KARLSTAD, {p: n for p, n in KARLSTAD_FORMS.items() if p != "2019-06"}, "K")
    karlstad.append(form(repeated[0], "2019-06-15", home="1780"))
    write_forms(root, "karlstad", "karlstad.csv", karlstad)

    ws = Workspace(root)
    outcomes = ingest(ws)
    assert {o.action for o in outcomes} == {"inläst"}, [(o.label, o.action, o.message) for o in outcomes]
    build(ws)
    return ws


@pytest.fixture(scope="module")
def values(workspace) -> pd.DataFrame:
    return query(workspace, "SELECT * FROM indicator_values")


def one(values: pd.DataFrame, indicator: str, area: str, period: str, category: str = "") -> pd.Series:
    rows = values[(values.indicator_id == indicator) & (values.area_code == area)
                  & (values.period == period) & (values.category == category)]
    assert len(rows) == 1, f"{indicator} {area} {period} {category!r}: {len(rows)} rows"
    return rows.iloc[0]


def periods_of(values: pd.DataFrame, indicator: str, area: str) -> list[str]:
    rows = values[(values.indicator_id == indicator) & (values.area_code == area)]
    return sorted(rows.period.unique())


def mean_population(code: str, year: int) -> float:
    return (population_31_dec(code, year - 1) + population_31_dec(code, year)) / 2


# --- counts and coverage -------------------------------------------------------------------


@pytest.mark.parametrize("code, expected", [(TORSBY, TORSBY_FORMS), (SUNNE, SUNNE_FORMS), (KARLSTAD, KARLSTAD_FORMS)])
def test_counts_per_municipality_and_month(values, code, expected):
    for period in COVERED_MONTHS:
        row = one(values, "intox_cases", code, period)
        assert row.value == expected.get(period, 0), period
        assert row.numerator == expected.get(period, 0), period
    assert periods_of(values, "intox_cases", code) == COVERED_MONTHS


def test_march_2019_totals_by_hand(values):
    assert one(values, "intox_cases", TORSBY, "2019-03").value == 5
    assert one(values, "intox_cases", KARLSTAD, "2019-03").value == 12
    assert one(values, "intox_cases", "duo", "2019-03").value == 5


def test_a_covered_month_without_forms_is_a_real_zero(values):
    row = one(values, "intox_cases", SUNNE, "2019-03")
    assert row.value == 0 and row.numerator == 0
    rate = one(values, "intox_rate", SUNNE, "2019-03")
    assert rate.value == 0 and rate.denominator > 0


def test_a_month_before_coverage_has_no_row(values):
    # a Torsby form is dated January 2019, but coverage starts in February
    assert values[values.period == "2019-01"].empty


def test_forms_with_unknown_or_uncovered_home_are_counted_nowhere(values):
    assert values[values.area_code.isin([KIL, ARVIKA])].empty
    # the county and the country hold exactly the covered members' forms: 5 + 0 + 12 in March 2019
    for area in ["lan-17", "riket"]:
        row = one(values, "intox_cases", area, "2019-03")
        assert row.value == 17
        assert row.areas_covered == 3
    assert one(values, "intox_cases", "lan-17", "2019-03").areas_total == 16
    assert one(values, "intox_cases", "riket", "2019-03").areas_total == 290


def test_a_form_exported_twice_counts_once(values, workspace):
    # June 2019: four Torsby forms, one of them in both exports
    staged = query(workspace, "SELECT count(*) AS n FROM stg_intox WHERE municipality_code = '1737' AND period = '2019-06'")
    assert staged.n[0] == 5
    assert one(values, "intox_cases", TORSBY, "2019-06").value == 4
    # Karlstad's form with the same id is another unit's form and counts
    assert one(values, "intox_cases", KARLSTAD, "2019-06").value == 1


# --- rates -----------------------------------------------------------------------------------


def test_rate_uses_the_mean_population_of_the_year(values):
    population = mean_population(TORSBY, 2019)  # (31 Dec 2018 + 31 Dec 2019) / 2
    row = one(values, "intox_rate", TORSBY, "2019-03")
    assert row.denominator == pytest.approx(population)
    assert row.value == pytest.approx(5 / population * 10_000)
    assert row.numerator == 5
    assert row.population_basis == "medelfolkmängd 2019"
    # hand check: Torsby had 11 719 inhabitants on 31 Dec 2018 and 11 616 on 31 Dec 2019
    assert row.value == pytest.approx(5 / 11_667.5 * 10_000)


def test_regions_are_pooled_not_averaged(values):
    torsby, karlstad = mean_population(TORSBY, 2019), mean_population(KARLSTAD, 2019)
    pooled = (5 + 12) / (torsby + karlstad) * 10_000
    mean_of_rates = (5 / torsby * 10_000 + 12 / karlstad * 10_000) / 2
    assert abs(pooled - mean_of_rates) > 1  # the example tells the two apart
    row = one(values, "intox_rate", "pool", "2019-03")
    assert row.value == pytest.approx(pooled)
    assert row.numerator == 17
    assert row.denominator == pytest.approx(torsby + karlstad)


def test_a_partly_covered_region_counts_only_its_covered_members(values):
    # trio = Torsby, Sunne and Kil; Kil is not covered (its resident's form is not counted)
    for indicator in ["intox_cases", "intox_rate"]:
        row = one(values, indicator, "trio", "2019-03")
        assert (row.areas_covered, row.areas_total) == (2, 3)
    rate = one(values, "intox_rate", "trio", "2019-03")
    covered = mean_population(TORSBY, 2019) + mean_population(SUNNE, 2019)
    assert rate.denominator == pytest.approx(covered)
    assert rate.value == pytest.approx(5 / covered * 10_000)
    assert one(values, "intox_cases", "duo", "2019-03").areas_covered == 2
    assert one(values, "intox_cases", "duo", "2019-03").areas_total == 2


# --- windows ---------------------------------------------------------------------------------


def test_rolling_12_months_is_the_sum_of_its_months(values):
    # 2019-02 .. 2020-01: 3+5+0+2+4+1+0+3+2+1+6+2 = 29
    assert one(values, "intox_cases_r12", TORSBY, "2020-01").value == 29
    months = COVERED_MONTHS
    for end in range(11, len(months)):
        expected = sum(TORSBY_FORMS[p] for p in months[end - 11 : end + 1])
        assert one(values, "intox_cases_r12", TORSBY, months[end]).value == expected
        duo = sum(TORSBY_FORMS[p] + SUNNE_FORMS.get(p, 0) for p in months[end - 11 : end + 1])
        assert one(values, "intox_cases_r12", "duo", months[end]).value == duo


def test_rolling_12_months_is_absent_until_12_covered_months_exist(values):
    for code in [TORSBY, SUNNE, KARLSTAD, "duo", "pool"]:
        assert periods_of(values, "intox_cases_r12", code) == ["2020-01", "2020-02", "2020-03"]
        assert periods_of(values, "intox_rate_r12", code) == ["2020-01", "2020-02", "2020-03"]


def test_same_month_last_year_is_that_months_count(values):
    assert one(values, "intox_cases_ly", TORSBY, "2020-02").value == 3  # = 2019-02
    assert one(values, "intox_cases_ly", TORSBY, "2020-03").value == 5  # = 2019-03
    assert one(values, "intox_cases_ly", SUNNE, "2020-02").value == 1
    assert one(values, "intox_cases_ly", KARLSTAD, "2020-03").value == 12
    # January 2019 was not covered, so January 2020 has no same-month-last-year value
    assert periods_of(values, "intox_cases_ly", TORSBY) == ["2020-02", "2020-03"]
    cases = values[values.indicator_id == "intox_cases"].set_index(["area_code", "period"]).value
    for row in values[values.indicator_id == "intox_cases_ly"].itertuples():
        year, month = int(row.period[:4]), row.period[5:]
        assert row.value == cases[(row.area_code, f"{year - 1}-{month}")]


# --- breakdowns ------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator, expected", [
    ("intox_age", TORSBY_MARCH_AGE), ("intox_sex", TORSBY_MARCH_SEX), ("intox_intent", TORSBY_MARCH_INTENT),
])
def test_breakdown_counts_by_hand(values, indicator, expected):
    rows = values[(values.indicator_id == indicator) & (values.area_code == TORSBY) & (values.period == "2019-03")]
    assert dict(zip(rows.category, rows.numerator)) == expected
    for category, count in expected.items():
        assert one(values, indicator, TORSBY, "2019-03", category).value == pytest.approx(count / 5 * 100)


@pytest.mark.parametrize("indicator, total", [
    ("intox_age", "intox_cases"), ("intox_sex", "intox_cases"), ("intox_intent", "intox_cases"),
    ("intox_age_r12", "intox_cases_r12"), ("intox_sex_r12", "intox_cases_r12"), ("intox_intent_r12", "intox_cases_r12"),
])
def test_breakdowns_add_up_to_the_total_in_every_area_month(values, indicator, total):
    parts = values[values.indicator_id == indicator].groupby(["area_code", "period"]).agg(
        numerator=("numerator", "sum"), share=("value", "sum"), denominator=("denominator", "first"))
    totals = values[values.indicator_id == total].set_index(["area_code", "period"]).numerator
    assert len(parts) == len(totals) > 0
    for (area, period), row in parts.iterrows():
        assert row.numerator == totals[(area, period)], (area, period)
        assert row.denominator == totals[(area, period)], (area, period)
        if totals[(area, period)] > 0:
            assert row.share == pytest.approx(100), (area, period)


# --- population years ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def later_years(tmp_path_factory) -> pd.DataFrame:
    root = tmp_path_factory.mktemp("population_years")
    write_coverage(root, {"torsby": ([TORSBY], "2020-01")})
    write_regions(root, {})
    write_forms(root, "torsby", "forms.csv", [
        form("L1", "2020-05-04"),
        form("L2", "2026-03-01"), form("L3", "2026-03-02"), form("L4", "2026-03-03"),
    ])
    ws = Workspace(root)
    ingest(ws)
    build(ws)
    return query(ws, "SELECT * FROM indicator_values")


def test_a_year_without_population_names_the_year_used(later_years):
    row = one(later_years, "intox_rate", TORSBY, "2026-03")
    latest = population_31_dec(TORSBY, 2024)  # 2025 and 2026 are not in SCB's table yet
    assert row.denominator == pytest.approx(latest)
    assert row.value == pytest.approx(3 / latest * 10_000)
    assert "2024" in row.population_basis
    assert row.population_basis != "medelfolkmängd 2026"


def test_a_year_between_known_years_is_interpolated(later_years):
    p2019, p2021 = population_31_dec(TORSBY, 2019), population_31_dec(TORSBY, 2021)
    estimated = (p2019 + (p2019 + p2021) / 2) / 2  # 31 Dec 2020 halfway between 2019 and 2021
    row = one(later_years, "intox_rate", TORSBY, "2020-05")
    assert row.denominator == pytest.approx(estimated, abs=0.1)
    assert row.value == pytest.approx(1 / estimated * 10_000, rel=1e-5)
    assert "2019" in row.population_basis and "2021" in row.population_basis


def _built(root: Path) -> pd.DataFrame:
    workspace = Workspace(root)
    ingest(workspace)
    build(workspace)
    return query(workspace, "SELECT * FROM indicator_values WHERE area_type = 'kommun'")


def test_form_ids_that_restart_in_every_export_are_different_visits(tmp_path):
    write_coverage(tmp_path, {"torsby": ([TORSBY], "2019-01")})
    write_forms(tmp_path, "torsby", "2019-01.csv", [form("1", "2019-01-05"), form("2", "2019-01-09")])
    write_forms(tmp_path, "torsby", "2019-02.csv", [form("1", "2019-02-03"), form("2", "2019-02-11")])
    values = _built(tmp_path)
    cases = values[values.indicator_id == "intox_cases"].set_index("period").value
    assert cases.to_dict() == {"2019-01": 2, "2019-02": 2}


def test_the_unit_is_the_folder_right_under_intox_also_for_files_in_subfolders(tmp_path):
    write_coverage(tmp_path, {"torsby": ([TORSBY], "2019-01")})
    write_forms(tmp_path, "torsby/2019", "jan.csv", [form("1", "2019-01-05")])
    # a later, longer export that repeats the first form
    write_forms(tmp_path, "torsby/2020", "jan.csv", [form("1", "2019-01-05"), form("2", "2019-01-07")])
    _built(tmp_path)
    units = query(Workspace(tmp_path), "SELECT unit, count(*) AS n FROM stg_intox GROUP BY unit")
    assert units.values.tolist() == [["torsby", 3]]
    assert query(Workspace(tmp_path), "SELECT count(*) AS n FROM int_intox_forms").n[0] == 2
