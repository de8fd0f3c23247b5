"""Indicator follow-up: plans, baselines, targets, trend and status at their edges."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.config import Workspace
from pipeline.publish import followup
from pipeline.publish.followup import PlanError, follow_up, judge, load_plans, slope, validate_plans

PERIOD = "2026-10"
KNOWN = {
    "intox": {"intox_rate_r12": {"polarity": "lägre är bättre"}, "intox_substance_r12": {"polarity": "ingen"}},
    "statistik": {"anmalda_brott_totalt": {"polarity": "lägre är bättre"}},
    "enkat": {"natverk_rekrytering": dict(followup.ENKAT_DEFAULTS)},
}


def months(end: str, n: int) -> list[str]:
    idx = pd.period_range(end=end, periods=n, freq="M")
    return [str(p) for p in idx]


def write_snapshot(folder: Path, intox: list[tuple] = (), statistik: list[tuple] = (), enkat: list[tuple] = (), region: list[tuple] = ()):
    """intox: (indicator_id, area_code, period, value, suppression); statistik: (area_code, year,
    rate, value_given); enkat: (municipality_code, round, question_id, index); region: (area_code, round, question_id, index)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {"indicator_id": i, "area_type": "region" if not a.isdigit() else "kommun", "area_code": a, "period": p,
         "dimension": "", "category": "", "value": v, "suppression": s,
         "title": "INTOX-formulär per 10 000 invånare, rullande 12 månader", "unit": "per 10 000 invånare", "decimals": 1}
        for i, a, p, v, s in intox
    ]
    pd.DataFrame(rows, columns=["indicator_id", "area_type", "area_code", "period", "dimension", "category", "value",
                                "suppression", "title", "unit", "decimals"]).to_parquet(folder / "indicators.parquet")
    (folder / "catalogue.json").write_text(json.dumps([
        {"indicator_id": "intox_rate_r12", "title": "INTOX-formulär per 10 000 invånare, rullande 12 månader",
         "unit": "per 10 000 invånare", "kind": "lång sikt", "polarity": "lägre är bättre", "decimals": 1},
        {"indicator_id": "intox_visits_r12", "title": "Besök", "unit": "antal", "kind": "kort sikt",
         "polarity": "högre är bättre", "decimals": 0},
    ], ensure_ascii=False), encoding="utf-8")
    pd.DataFrame(
        [{"area_type": "kommun", "area_code": a, "period": y, "indicator_id": "anmalda_brott_totalt", "count": pd.NA,
          "rate_per_100k": r, "value_given": g, "title": "Anmälda brott totalt", "unit": "per 100 000 invånare",
          "decimals": 0, "kind": "lång sikt", "polarity": "lägre är bättre"} for a, y, r, g in statistik],
        columns=["area_type", "area_code", "period", "indicator_id", "count", "rate_per_100k", "value_given", "title",
                 "unit", "decimals", "kind", "polarity"],
    ).astype({"rate_per_100k": float, "value_given": float}).to_parquet(folder / "statistik.parquet")
    pd.DataFrame(
        [{"municipality_code": m, "round": r, "question_id": q, "presence_index": v, "question_text": "Rekrytering av unga"}
         for m, r, q, v in enkat],
        columns=["municipality_code", "round", "question_id", "presence_index", "question_text"],
    ).to_parquet(folder / "enkat_values.parquet")
    pd.DataFrame(
        [{"area_type": "region", "area_code": a, "round": r, "question_id": q, "presence_index": v, "question_text": "Rekrytering av unga"}
         for a, r, q, v in region],
        columns=["area_type", "area_code", "round", "question_id", "presence_index", "question_text"],
    ).to_parquet(folder / "enkat_region.parquet")
    return folder


def plan(indicator="intox_rate_r12", area="1766", baseline=None, target=None, **extra) -> list[dict]:
    entry = {"indicator": indicator, "baseline": baseline or {"value": 12.0, "note": "Givet i avtalet."},
             "target": target or {"level": 10.0, "by": "2027-12"}, **extra}
    raw = {"plans": {"p": {"title": "Medborgarlöften", "area": area, "period": {"from": "2025-01", "to": "2026-12"}, "indicators": [entry]}}}
    known = KNOWN | {"intox": KNOWN["intox"] | {"intox_visits_r12": {"polarity": "högre är bättre"}}}
    return validate_plans(raw, known)


def series(values: list[float], suppressed_last: bool = False, indicator="intox_rate_r12") -> list[tuple]:
    periods = months(PERIOD, len(values))
    rows = [(indicator, "1766", p, v, "") for p, v in zip(periods, values)]
    if suppressed_last:
        i, a, p, _, _ = rows[-1]
        rows[-1] = (i, a, p, float("nan"), "<5")
    return rows


def run(tmp_path, values, **plan_args) -> pd.Series:
    snap = write_snapshot(tmp_path / PERIOD, intox=series(values, indicator=plan_args.get("indicator", "intox_rate_r12"),
                                                          suppressed_last=plan_args.pop("suppressed_last", False)))
    return follow_up(snap, PERIOD, plan(**plan_args)).iloc[0]


def ramp(last: float, step: float, n: int = 12) -> list[float]:
    """n months that end at `last`, falling by `step` a month (rising when step < 0)."""
    return [round(last + step * (n - 1 - k), 6) for k in range(n)]


# --- status at its edges (lower is better, target level 10.0 by 2027-12) ---------------------

def test_exactly_at_target_with_flat_trend_is_reached(tmp_path):
    row = run(tmp_path, [10.0] * 12)
    assert (row.status, row.status_symbol, row.trend_direction) == ("uppnått", "✔", "oförändrad")
    assert row.status_text == "✔ uppnått"


def test_just_above_target_with_falling_trend_is_on_the_way(tmp_path):
    row = run(tmp_path, ramp(10.1, 0.1))
    assert row.trend_direction == "minskar"
    assert (row.status, row.status_symbol) == ("på väg mot målet", "↘")


def test_just_above_target_with_flat_trend_is_not_on_the_way(tmp_path):
    row = run(tmp_path, [10.1] * 12)
    assert (row.status, row.status_symbol) == ("inte på väg", "✖")


def test_just_below_target_with_rising_trend_is_not_reached_for_lower_is_better(tmp_path):
    row = run(tmp_path, ramp(9.9, -0.1))
    assert row.trend_direction == "ökar"
    assert row.status == "inte på väg"
    assert "går bort" in row.status_reason


def test_falling_too_slowly_to_reach_the_target_in_time(tmp_path):
    # 0.05 a month, 14 months left from 2026-10 to 2027-12: 12.0 − 0.7 = 11.3 > 10
    row = run(tmp_path, ramp(12.0, 0.05), baseline={"value": 13.0, "note": "Givet."})
    assert row.trend_direction == "minskar"
    assert row.status == "inte på väg"
    assert "långsamt" in row.status_reason


def test_noise_within_tolerance_is_unchanged(tmp_path):
    row = run(tmp_path, [10.5, 10.6, 10.4, 10.5, 10.6, 10.5, 10.4, 10.5, 10.6, 10.5, 10.4, 10.5])
    assert row.trend_direction == "oförändrad"
    assert row.status == "inte på väg"


def test_one_good_month_does_not_reach_the_target(tmp_path):
    # a rising series whose last month happens to dip below the target
    row = run(tmp_path, ramp(11.0, -0.2)[:-1] + [9.9])
    assert row.trend_direction == "ökar"
    assert row.status == "inte på väg"


def test_higher_is_better_mirror(tmp_path):
    target = {"level": 10.0, "by": "2027-12"}
    base = {"value": 8.0, "note": "Givet."}
    at = run(tmp_path / "a", [10.0] * 12, indicator="intox_visits_r12", target=target, baseline=base)
    rising = run(tmp_path / "b", ramp(9.9, -0.1), indicator="intox_visits_r12", target=target, baseline=base)
    flat = run(tmp_path / "c", [9.9] * 12, indicator="intox_visits_r12", target=target, baseline=base)
    above_falling = run(tmp_path / "d", ramp(10.1, 0.1), indicator="intox_visits_r12", target=target, baseline=base)
    assert at.status == "uppnått"
    assert (rising.status, rising.status_symbol) == ("på väg mot målet", "↗")
    assert flat.status == "inte på väg"
    assert above_falling.status == "inte på väg"


def test_fewer_than_three_points_is_missing(tmp_path):
    row = run(tmp_path, [10.0, 9.0])
    assert (row.status, row.status_symbol) == ("underlag saknas", "?")
    assert row.trend_points == 2 and pd.isna(row.trend_slope)


def test_suppressed_latest_value_is_missing_never_a_number(tmp_path):
    row = run(tmp_path, [9.0] * 12, suppressed_last=True)
    assert row.status == "underlag saknas"
    assert pd.isna(row.latest_value) and row.latest_period == PERIOD
    assert "skyddat" in row.status_reason
    assert row.trend_points == 11  # the suppressed month is left out of the fit


def test_suppressed_baseline_period_is_missing(tmp_path):
    rows = series([9.0] * 12)
    rows[0] = (*rows[0][:3], float("nan"), "<5")
    snap = write_snapshot(tmp_path / PERIOD, intox=rows)
    row = follow_up(snap, PERIOD, plan(baseline={"period": rows[0][2]})).iloc[0]
    assert row.status == "underlag saknas"
    assert pd.isna(row.baseline_value)
    assert "Basvärdet" in row.status_reason


# --- baselines and relative targets ----------------------------------------------------------

def test_minus_ten_percent_of_a_given_baseline():
    item = plan(baseline={"value": 20.0, "note": "Givet."}, target={"change": -10, "unit": "procent", "by": "2026-12"})[0]
    assert followup.target_value(item, 20.0) == pytest.approx(18.0)
    item = plan(target={"change": -2, "unit": "enheter", "by": "2026-12"})[0]
    assert followup.target_value(item, 20.0) == pytest.approx(18.0)


def test_baseline_from_a_published_period_and_relative_target(tmp_path):
    values = [20.0] + ramp(19.0, 0.1, 11)
    snap = write_snapshot(tmp_path / PERIOD, intox=series(values))
    row = follow_up(snap, PERIOD, plan(baseline={"period": "2025-11"}, target={"change": -10, "unit": "procent", "by": "2026-12"})).iloc[0]
    assert row.baseline_value == 20.0 and row.baseline_period == "2025-11" and row.baseline_note == ""
    assert row.target_value == pytest.approx(18.0)
    assert row.target_text == "−10 % mot basvärdet" and row.target_by == "2026-12"
    assert row.latest_value == 19.0 and row.latest_period == PERIOD


def test_given_baseline_keeps_its_note(tmp_path):
    snap = write_snapshot(tmp_path / PERIOD, intox=series([15.0] * 12))
    row = follow_up(snap, PERIOD, plan(baseline={"value": 20.0, "note": "Länsstyrelsens sammanställning 2024."},
                                       target={"change": -10, "unit": "procent", "by": "2027-12"})).iloc[0]
    assert row.baseline_value == 20.0 and row.baseline_period == "" and row.baseline_note.startswith("Länsstyrelsens")
    assert row.target_value == pytest.approx(18.0)
    assert row.status == "uppnått"


# --- trend -----------------------------------------------------------------------------------

def test_slope_on_a_hand_computed_series():
    # x = 0,1,2,3; y = 1,3,2,5: mean x 1.5, mean y 2.75; Sxy = (−1.5)(−1.75)+(−.5)(.25)+(.5)(−.75)+(1.5)(2.25) = 5.5; Sxx = 5
    assert slope([0, 1, 2, 3], [1, 3, 2, 5]) == pytest.approx(1.1)
    # gaps count by period, not by position
    assert slope([0, 1, 3], [0, 1, 3]) == pytest.approx(1.0)


def test_intox_trend_uses_the_last_twelve_months(tmp_path):
    values = [50.0] * 6 + ramp(12.0, 0.5, 12)  # the six old months must not count
    row = run(tmp_path, values, target={"level": 5.0, "by": "2027-12"})
    assert row.trend_points == 12 and row.trend_slope == pytest.approx(-0.5)
    assert row.trend_from == months(PERIOD, 12)[0] and row.trend_unit == "per månad"


def test_statistik_three_years_and_deadline_in_years(tmp_path):
    snap = write_snapshot(tmp_path / PERIOD, statistik=[("1766", "2021", 9000.0, None), ("1766", "2022", 8000.0, None),
                                                        ("1766", "2023", 7600.0, None), ("1766", "2024", None, 7200.0)])
    row = follow_up(snap, PERIOD, plan("anmalda_brott_totalt", baseline={"period": "2022"},
                                       target={"change": -15, "unit": "procent", "by": "2026-12"})).iloc[0]
    assert row.latest_value == 7200.0  # the source's own rate where no count was given
    assert row.trend_points == 3 and row.trend_slope == pytest.approx(-400.0) and row.trend_unit == "per år"
    # 7200 − 2 × 400 = 6400 ≤ 6800 by 2026
    assert row.target_value == pytest.approx(6800.0) and row.status == "på väg mot målet"


def test_enkat_presence_index_for_a_municipality_and_a_region(tmp_path):
    rounds = ["2025-H1", "2025-H2", "2026-H1", "2026-H2"]
    snap = write_snapshot(
        tmp_path / PERIOD,
        enkat=[("1766", r, "natverk_rekrytering", v) for r, v in zip(rounds, [2.0, 1.8, 1.5, 1.2])],
        region=[("sutohamu", r, "natverk_rekrytering", v) for r, v in zip(rounds, [1.0, 1.0, 1.05, 1.0])],
    )
    plans = plan("enkat:natverk_rekrytering", baseline={"period": "2025-H1"}, target={"level": 1.2, "by": "2026-12"})
    plans += plan("enkat:natverk_rekrytering", area="sutohamu", baseline={"period": "2025-H1"}, target={"level": 0.8, "by": "2026-12"})
    kommun, region = follow_up(snap, PERIOD, plans).itertuples()
    assert (kommun.area_type, kommun.latest_period, kommun.trend_points, kommun.status) == ("kommun", "2026-H2", 3, "uppnått")
    assert kommun.polarity == "lägre är bättre" and kommun.unit == "index 0–3" and kommun.title == "Rekrytering av unga"
    assert (region.area_type, region.trend_direction, region.status) == ("region", "oförändrad", "inte på väg")
    # a snapshot of an earlier month does not see a round that has not begun
    earlier = follow_up(snap, "2026-05", plans).iloc[0]
    assert earlier.latest_period == "2026-H1"


def test_judge_without_polarity_is_missing():
    assert judge("ingen", 1.0, 2.0, 1.0, -0.1, "minskar", 5).status == "underlag saknas"


def test_columns_are_stable(tmp_path):
    snap = write_snapshot(tmp_path / PERIOD)
    frame = follow_up(snap, PERIOD, plan())
    assert list(frame.columns) == followup.COLUMNS
    assert frame.iloc[0].status == "underlag saknas" and frame.iloc[0].status_reason == "Inga publicerade värden för området."


# --- plan validation, in Swedish -------------------------------------------------------------

def problems(entry: dict, **plan_fields) -> list[str]:
    raw = {"plans": {"p": {"title": "T", "area": "1766", "period": {"from": "2025-01", "to": "2026-12"}, "indicators": [entry]} | plan_fields}}
    with pytest.raises(PlanError) as caught:
        validate_plans(raw, KNOWN)
    return caught.value.problems


GOOD = {"indicator": "intox_rate_r12", "baseline": {"period": "2024-12"}, "target": {"level": 10, "by": "2026-12"}}


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"indicator": "intox_finns_inte"}, "okänd indikator 'intox_finns_inte'"),
        ({"indicator": "enkat:finns_inte"}, "okänd indikator 'enkat:finns_inte'"),
        ({"target": {"level": 10}}, "målet saknar 'by'"),
        ({"target": {"level": 10, "change": -10, "unit": "procent", "by": "2026-12"}}, "både level och change"),
        ({"target": {"change": -10, "by": "2026-12"}}, "unit: procent eller unit: enheter"),
        ({"target": {"level": 10, "by": "dec 2026"}}, "ska skrivas ÅÅÅÅ-MM"),
        ({"baseline": {"value": 12.0}}, "behöver en note"),
        ({"baseline": {"period": "2024"}}, "ska skrivas ÅÅÅÅ-MM, t.ex. 2024-12"),
        ({"baseline": {"period": "2024-12", "value": 3}}, "både period och value"),
        ({"baseline": None}, "basvärde saknas"),
        ({"indicator": "intox_substance_r12", "category": "cannabis"}, "ingen riktning"),
        ({"polarity": "högre är bättre"}, "strider mot katalogens"),
        ({"source": "kolada"}, "okänd källa 'kolada'"),
    ],
)
def test_plan_validation_messages(change, expected):
    found = problems({k: v for k, v in (GOOD | change).items() if v is not None})
    assert any(expected in text for text in found), found


def test_plan_level_messages_are_collected():
    raw = {"plans": {"p": {"area": "176", "period": {"from": "2026-12", "to": "2025-01"}, "indicators": []}}}
    with pytest.raises(PlanError) as caught:
        validate_plans(raw, KNOWN)
    text = str(caught.value)
    assert "'title' saknas" in text and "fyra siffror" in text and "slutar (2025-01) före" in text and "inga indikatorer" in text


def test_breakdown_with_polarity_and_category_is_accepted():
    item = validate_plans({"plans": {"p": {"title": "T", "area": "1766", "indicators": [
        GOOD | {"indicator": "intox_substance_r12", "category": "cannabis", "polarity": "lägre är bättre"}]}}}, KNOWN)[0]
    assert item["category"] == "cannabis" and item["polarity"] == "lägre är bättre" and item["source"] == "intox"


def test_a_breakdown_each_snapshot_holds_at_its_own_month_is_followed_through_the_earlier_ones(tmp_path):
    """The breakdowns are published `latest_only`: the follow-up's series is each month's snapshot side by side,
    never a snapshot published for a later month."""
    processed = tmp_path / "processed"
    for month, share in {"2026-07": 30.0, "2026-08": 28.0, "2026-09": 26.0, "2026-10": 24.0, "2026-11": 99.0}.items():
        folder = write_snapshot(processed / month)
        pd.DataFrame([{"indicator_id": "intox_substance_r12", "area_type": "kommun", "area_code": "1766", "period": month,
                       "dimension": "substans", "category": "cannabis", "value": share, "suppression": "", "title": "Substanser",
                       "unit": "procent av formulären", "decimals": 0}]).to_parquet(folder / "indicators.parquet")
        (folder / "catalogue.json").write_text(json.dumps([{"indicator_id": "intox_substance_r12", "title": "Substanser", "unit": "procent",
                                                            "kind": "lång sikt", "polarity": "ingen", "decimals": 0, "latest_only": True}]))
    item = validate_plans({"plans": {"p": {"title": "T", "area": "1766", "indicators": [
        GOOD | {"indicator": "intox_substance_r12", "category": "cannabis", "polarity": "lägre är bättre",
                "baseline": {"period": "2026-07"}, "target": {"level": 20.0, "by": "2027-12"}}]}}}, KNOWN)
    row = follow_up(processed / "2026-10", "2026-10", item).iloc[0]
    assert (row.baseline_value, row.latest_value, row.latest_period) == (30.0, 24.0, "2026-10")
    assert (row.trend_points, row.trend_from, row.trend_slope, row.trend_direction) == (4, "2026-07", -2.0, "minskar")


def test_shipped_plans_load(tmp_path):
    items = load_plans(Workspace(tmp_path))
    assert {i["plan_id"] for i in items} >= {"sutohamu-2025-2026"}
    assert {i["source"] for i in items} == {"intox", "statistik", "enkat"}


def test_workspace_plan_overrides_and_is_validated(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "uppfoljning.yaml").write_text(
        "plans:\n  x:\n    title: X\n    area: '1766'\n    indicators:\n      - indicator: enkat:natverk_rekrytering\n"
        "        baseline: {period: '2025-H1'}\n        target: {level: 1, by: '2026-12'}\n"
        "      - indicator: brott_som_inte_finns\n        baseline: {period: '2024'}\n        target: {level: 1, by: '2026-12'}\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanError, match="okänd indikator 'brott_som_inte_finns'"):
        load_plans(Workspace(tmp_path))
