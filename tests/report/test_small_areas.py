"""Small areas read well: a longer period shows what a month hides, trends are drawn where most values
show, and no chart or table is only hidden values (the session demo, tests/conftest.py)."""
from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

from pipeline.periods import kind, series
from pipeline.report import intox
from pipeline.report.snapshot import Snapshot

SUNNE = "1766"
MONTH, TERTIAL, YEAR = "2026-10", "2026-T2", "2025"


def own_figures(demo, period: str, area: str) -> pd.DataFrame:
    """The INTOX figures of a report's own period kind: the count and the rate of each period of its kind
    in the last five years (a month's report: its months; a tertial's: its tertials). The breakdowns
    are the 12 months ending with the period for both, so they are left out of the comparison."""
    rows = pd.read_parquet(demo / "data" / "processed" / period / "indicators.parquet")
    own = [intox.indicator(base, kind(period)) for base in ("intox_cases", "intox_rate")]
    return rows[(rows.area_code == area) & rows.indicator_id.isin(own) & rows.period.isin(series(period, 5))]


def hidden_share(frame: pd.DataFrame) -> float:
    return float(frame.suppression.fillna("").ne("").mean())


@pytest.mark.parametrize("area", [SUNNE, "sutohamu"])
def test_the_tertial_hides_at_most_half_the_share_the_month_hides(demo, area):
    month, tertial = own_figures(demo, MONTH, area), own_figures(demo, TERTIAL, area)
    assert len(month) == 2 * 24 and len(tertial) == 2 * 5  # the demo's 24 months and the five tertials they complete
    if area == SUNNE:
        assert hidden_share(month) > 0.5  # a small municipality's month is mostly too small to show
    assert hidden_share(tertial) <= hidden_share(month) / 2, (hidden_share(month), hidden_share(tertial))


def text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_count_trend_climbs_to_where_most_values_show_and_says_so(demo):
    snap = Snapshot.load(demo / "data" / "processed" / MONTH, MONTH, SUNNE)
    chosen, periods, shown = intox.resolution(snap, SUNNE)
    assert chosen != "month" and shown * 2 > len(periods)  # Sunne's months are mostly hidden
    months = snap.series("intox_cases", SUNNE, series(MONTH, 5)).dropna(subset=["indicator_id"])
    assert months.suppression.ne("").mean() >= 0.5
    html = (demo / "reports" / MONTH / "kommun" / f"{SUNNE}.html").read_text(encoding="utf-8")
    note = re.search(r"Antalen visas per (\w+):", text(html))
    assert note and note.group(1) == intox.KIND_NAMES[chosen]
    assert "per månad är de flesta värdena för Sunne dolda av röjandeskyddet" in text(html)
    # the county is large: its months are drawn as they are
    big = Snapshot.load(demo / "data" / "processed" / MONTH, MONTH, "lan-17")
    assert intox.resolution(big, "lan-17")[0] == "month"


def test_no_figure_of_a_demo_report_is_only_hidden_values(demo):
    """Every chart's data table shows at least one value that is not '..' (a table of only hidden cells is replaced by a sentence)."""
    for period in (MONTH, TERTIAL, YEAR):
        for path in (demo / "reports" / period).glob("*/*.html"):
            html = path.read_text(encoding="utf-8")
            for details in re.findall(r'<details class="data">(.*?)</details>', html, flags=re.S):
                cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", details, flags=re.S)]
                values = [c for c in cells if re.search(r"\d|\.\.", c)]
                assert not values or any(c != ".." for c in values), f"{path}: {text(details)[:200]}"
