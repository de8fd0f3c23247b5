"""Periods: every kind a user may write, their months, shifts and Swedish names."""
from __future__ import annotations

import pytest

from pipeline import periods


@pytest.mark.parametrize(("written", "code", "kind"), [
    ("2026-11", "2026-11", "month"),
    ("2026-Q3", "2026-Q3", "quarter"),
    ("2026-K3", "2026-Q3", "quarter"),
    ("2026-k3", "2026-Q3", "quarter"),
    (" 2026-t2 ", "2026-T2", "tertial"),
    ("2026-H1", "2026-H1", "half"),
    ("2025", "2025", "year"),
])
def test_every_kind_is_parsed_to_one_code(written, code, kind):
    assert periods.parse(written) == code
    assert periods.kind(code) == kind


@pytest.mark.parametrize("written", ["2026-13", "2026-00", "2026-Q5", "2026-K0", "2026-T4", "2026-H3", "26-10", "2026-1", "oktober", ""])
def test_a_wrong_period_is_refused_in_swedish(written):
    with pytest.raises(ValueError, match="ange perioden som ÅÅÅÅ-MM"):
        periods.parse(written)


@pytest.mark.parametrize(("period", "first", "last", "count"), [
    ("2026-11", "2026-11", "2026-11", 1),
    ("2026-Q3", "2026-07", "2026-09", 3),
    ("2026-T1", "2026-01", "2026-04", 4),
    ("2026-T2", "2026-05", "2026-08", 4),
    ("2026-T3", "2026-09", "2026-12", 4),
    ("2026-H2", "2026-07", "2026-12", 6),
    ("2025", "2025-01", "2025-12", 12),
])
def test_a_period_is_its_months(period, first, last, count):
    months = periods.months(period)
    assert (months[0], months[-1], len(months)) == (first, last, count)
    assert periods.first_month(period) == first and periods.last_month(period) == last


def test_steps_cross_the_year_and_a_year_earlier_is_the_same_period():
    assert periods.step("2026-T1", -1) == "2025-T3"
    assert periods.step("2026-Q4", 1) == "2027-Q1"
    assert periods.step("2026-01", -1) == "2025-12"
    assert periods.step("2026", -2) == "2024"
    assert periods.year_earlier("2026-T2") == "2025-T2"
    assert periods.year_earlier("2026-11") == "2025-11"
    assert periods.series("2026-H1", 2) == ["2024-H2", "2025-H1", "2025-H2", "2026-H1"]
    assert periods.containing("2026-05", "tertial") == "2026-T2"
    assert periods.containing("2026-05", "quarter") == "2026-Q2"
    assert periods.latest_complete("2026-10", "tertial") == "2026-T2"  # T3 ends in December
    assert periods.latest_complete("2026-12", "tertial") == "2026-T3"
    assert periods.latest_complete("2026-11", "year") == "2025"


@pytest.mark.parametrize(("period", "text", "short"), [
    ("2026-10", "oktober 2026", "okt 2026"),
    ("2026-Q3", "tredje kvartalet 2026", "2026\u00a0K3"),
    ("2026-T2", "andra tertialet 2026", "2026\u00a0T2"),
    ("2026-H1", "första halvåret 2026", "2026\u00a0H1"),
    ("2025", "2025", "2025"),
])
def test_periods_are_named_in_swedish(period, text, short):
    assert periods.period_text(period) == text
    assert periods.short_period(period) == short


def test_a_round_has_begun_by_the_last_month_of_a_period():
    # the latest round begun by the period's end: H2 begins in July, inside T2 (May–August)
    assert periods.round_begun("2026-H2", "2026-T2")
    assert not periods.round_begun("2026-H2", "2026-Q2")
    assert periods.round_begun("2026-H2", "2026")
    assert not periods.round_begun("2026-H2", "2026-06")
