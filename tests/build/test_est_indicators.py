"""EST figures on a small, hand-checked example: events per month and window, categories, places,
the share with an assessment, overlapping exports counted once, coverage broken by silent months,
and the hotspot ranking of places.

Sunne reports in 2025 at two places (Resecentrum: klotter, every event assessed; Centrumtorget:
skadegörelse, none assessed). Its events of January–June are exported twice (an export of the half
year, then one of the whole year), so the build must count them once. Torsby reports in January
and June only: four silent months break its coverage. Every expected figure is worked out by hand
in the comments.
"""
from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.ingest import ingest
from pipeline.publish import publish
from pipeline.report.est import Hotspot, hotspots, place_windows

HEADER = ["Kommun", "Datum", "Kategori", "Plats", "Rapportörens funktion", "Bedömning"]
# Sunne 2025, per month: (events at Resecentrum, events at Centrumtorget)
SUNNE = {1: (5, 1), 2: (0, 0), 3: (3, 2), 4: (6, 0), 5: (2, 2), 6: (4, 1),
         7: (5, 0), 8: (1, 3), 9: (3, 0), 10: (2, 2), 11: (4, 0), 12: (5, 1)}
# Resecentrum: 5+0+3+6+2+4+5+1+3+2+4+5 = 40; Centrumtorget: 1+0+2+0+2+1+0+3+0+2+0+1 = 12; the year: 52.
# Tertials: T1 14+3 = 17, T2 12+6 = 18, T3 14+3 = 17.
SPELLINGS = ["Resecentrum", "Resecentrum", "resecentrum ", "ReseCentrum"]  # one place; the first is the most common


def sunne_rows(months: range) -> list[list[str]]:
    rows = []
    for month in months:
        station, square = SUNNE[month]
        date = f"2025-{month:02d}-15"  # equal events on one day: one file keeps them all
        rows += [["Sunne", date, "Klotter", SPELLINGS[i % 4], "Polisen", "Bevaka"] for i in range(station)]
        rows += [["Sunne", date, "Skadegörelse", "Centrumtorget", "Kommunen", ""] for _ in range(square)]
    return rows


def write(path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\r\n".join(";".join(r) for r in [HEADER, *rows]).encode("cp1252") + b"\r\n")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("est")
    folder = root / "data" / "raw" / "est"
    write(folder / "sunne_2025_jan-jun.csv", sunne_rows(range(1, 7)))
    write(folder / "sunne_2025.csv", sunne_rows(range(1, 13)))
    write(folder / "torsby.csv", [["Torsby", "2025-01-10", "Rån", "Torget", "Polisen", "Akut"]] * 3
          + [["Torsby", "2025-06-10", "Misshandel", "Torget", "Polisen", ""]] * 2)
    ws = Workspace(root)
    outcomes = {o.label: o.action for o in ingest(ws)}
    assert set(outcomes.values()) == {"inläst"}, outcomes
    result = build(ws, today=dt.date(2026, 1, 20))
    assert result.sources == ["est"]
    assert result.warnings == ["EST-rapporterna för Torsby saknas för 2025-02 – 2025-05: inga rapporter på tre månader eller fler. "
                               "Månaderna räknas inte som noll och rullande perioder över dem visas inte."]
    publish(ws, "2025-12")
    return ws


def query(ws: Workspace, sql: str) -> list[tuple]:
    con = duckdb.connect(str(ws.database), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def published(workspace) -> pd.DataFrame:
    return pd.read_parquet(workspace.snapshot_dir("2025-12") / "indicators.parquet")


def figure(frame: pd.DataFrame, indicator: str, area: str, period: str, category: str = "") -> pd.Series:
    rows = frame[(frame.indicator_id == indicator) & (frame.area_code == area) & (frame.period == period) & (frame.category == category)]
    assert len(rows) == 1, (indicator, area, period, category, len(rows))
    return rows.iloc[0]


def test_overlapping_exports_count_each_event_once(workspace):
    # staging: January–June twice (5+1 + 0 + 3+2 + 6 + 2+2 + 4+1 = 26) plus the year (52); Torsby 5
    assert query(workspace, "SELECT count(*) FROM stg_est") == [(26 + 52 + 5,)]
    assert query(workspace, "SELECT municipality_code, count(*) FROM int_est_events GROUP BY 1 ORDER BY 1") == [("1737", 5), ("1766", 52)]


def test_coverage_runs_from_the_first_to_the_last_month_broken_by_silent_months(workspace):
    assert query(workspace, "SELECT area_code, from_period, to_period FROM est_areas ORDER BY ALL") == [
        ("1737", "2025-01", "2025-01"), ("1737", "2025-06", "2025-06"), ("1766", "2025-01", "2025-12")]


def test_monthly_counts_windows_and_a_quiet_month_as_zero(published):
    months = published[(published.indicator_id == "est_events") & (published.area_code == "1766")].sort_values("period")
    assert months.period.tolist() == [f"2025-{m:02d}" for m in range(1, 13)]
    truth = {f"2025-{m:02d}": sum(SUNNE[m]) for m in SUNNE}  # Jan 6, Feb 0, Mar 5, Apr 6, May 4, Jun 5, Jul 5, Aug 4, …
    shown = months[months.suppression.eq("")]
    assert dict(zip(shown.period, shown.numerator)) == {p: truth[p] for p in shown.period}  # what is shown is right
    assert {"2025-05", "2025-08", "2025-09", "2025-10", "2025-11"} <= set(months.period[months.suppression.ne("")])  # 1–4 hidden
    assert figure(published, "est_events", "1766", "2025-02").numerator == 0  # a quiet month is a real zero
    assert figure(published, "est_events_r12", "1766", "2025-12").numerator == 52
    assert figure(published, "est_events_year", "1766", "2025").numerator == 52
    tertials = published[(published.indicator_id == "est_events_tertial") & (published.area_code == "1766")]
    assert dict(zip(tertials.period, tertials.numerator)) == {"2025-T1": 17, "2025-T2": 18, "2025-T3": 17}
    # Torsby's windows do not exist: its twelve months are not all covered
    assert published[(published.area_code == "1737") & published.indicator_id.str.endswith(("_r12", "_year", "_tertial"))].empty


def test_breakdowns_by_category_and_place_add_up_to_the_events(published):
    categories = published[(published.indicator_id == "est_category_r12") & (published.area_code == "1766") & (published.period == "2025-12")]
    assert len(categories) == 12  # every category of the checklist
    assert dict(zip(categories.category, categories.numerator.fillna(-1))) == {
        "klotter": 40, "skadegorelse": 12, **{c: 0 for c in set(categories.category) - {"klotter", "skadegorelse"}}}
    assert figure(published, "est_category_r12", "1766", "2025-12", "klotter").category_label == "Klotter"
    places = published[(published.indicator_id == "est_place_r12") & (published.area_code == "1766") & (published.period == "2025-12")]
    # four spellings of Resecentrum are one place, named by its most common spelling; Torsby's Torget is not Sunne's
    assert sorted(zip(places.category, places.category_label, places.numerator)) == [
        ("1766:centrumtorget", "Centrumtorget", 12), ("1766:resecentrum", "Resecentrum", 40)]
    # places stay per municipality: no region has them; categories are pooled for the county
    assert not (published.indicator_id.eq("est_place_r12") & published.area_type.ne("kommun")).any()
    assert figure(published, "est_category_r12", "lan-17", "2025-12", "klotter").numerator == 40


def test_the_share_of_reports_with_an_assessment(published):
    r12 = figure(published, "est_assessed_r12", "1766", "2025-12")
    assert (r12.numerator, r12.denominator) == (40, 52)  # every Resecentrum event is assessed, no Centrumtorget one
    assert r12.value == pytest.approx(100 * 40 / 52)
    t1 = figure(published, "est_assessed_tertial", "1766", "2025-T1")
    assert (t1.numerator, t1.denominator) == (14, 17)


def test_small_counts_are_hidden(published):
    may = figure(published, "est_events", "1766", "2025-05")  # 2 + 2 = 4 events
    assert may.suppression != "" and pd.isna(may.numerator)
    torsby = figure(published, "est_events", "1737", "2025-01")  # three robberies
    assert torsby.suppression != "" and pd.isna(torsby.numerator)


def test_hotspots_of_the_published_places(published):
    now, before = place_windows(published, "1766", "2025-12")
    assert sorted(now.category) == ["1766:centrumtorget", "1766:resecentrum"] and before.empty
    found = hotspots(now, before, n=5)
    # no rolling window ends in December 2024: the change is missing, not zero
    assert found.places == [Hotspot(1, "1766:resecentrum", "Resecentrum", 40, None, None, None, "saknas"),
                            Hotspot(2, "1766:centrumtorget", "Centrumtorget", 12, None, None, None, "saknas")]
    assert found.hidden == [] and found.shown == 2


# --- the ranking on a small example -----------------------------------------------------------


def rows(*cells: tuple) -> pd.DataFrame:
    """(code, label, count or None for hidden) -> rows as the published table has them."""
    return pd.DataFrame({"category": [c[0] for c in cells], "category_label": [c[1] for c in cells],
                         "numerator": [float("nan") if c[2] is None else c[2] for c in cells],
                         "suppression": ["" if c[2] is not None else "dold" for c in cells]})


NOW = rows(("k:torget", "Torget", 30), ("k:station", "Stationen", 12), ("k:skolan", "Skolan", 12), ("k:parken", "Parken", None),
           ("k:åsen", "Åsen", 9), ("k:badet", "Badet", 0), ("k:hamnen", "Hamnen", 7), ("k:ny", "Nya torget", 6))
BEFORE = rows(("k:torget", "Torget", 20), ("k:station", "Stationen", None), ("k:skolan", "Skolan", 16), ("k:parken", "Parken", 8),
              ("k:åsen", "Åsen", 9), ("k:badet", "Badet", 5), ("k:hamnen", "Hamnen", 0))


def test_hotspots_rank_the_shown_places_and_never_guess_a_hidden_count():
    found = hotspots(NOW, BEFORE, n=5)
    assert found.places == [
        Hotspot(1, "k:torget", "Torget", 30, 20, 10, 50.0),  # +10 of 20
        Hotspot(2, "k:skolan", "Skolan", 12, 16, -4, -25.0),  # equal counts: Skolan before Stationen
        Hotspot(3, "k:station", "Stationen", 12, None, None, None, "dold"),  # hidden a year ago
        Hotspot(4, "k:åsen", "Åsen", 9, 9, 0, 0.0),
        Hotspot(5, "k:hamnen", "Hamnen", 7, 0, 7, None),  # from nothing: no percentage
    ]
    assert found.hidden == ["Parken"]  # hidden now: left out of the ranking, named apart
    assert found.shown == 6  # Torget, Skolan, Stationen, Åsen, Hamnen, Nya torget (Badet has none)
    assert [p.label for p in hotspots(NOW, BEFORE, n=10).places][-1] == "Nya torget"
    assert hotspots(NOW, BEFORE, n=10).places[-1].note == "saknas"  # no row a year ago
