"""The follow-up section of the reports: plan table, activities, official statistics, definitions.

Unit checks on a hand-built Snapshot; one integration check renders the demo's SuToHaMu region
report (and Sunne's) through the real pipeline.
"""
from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

from pipeline.report.followup import HEADING
from pipeline.report.page import render_section
from pipeline.report.snapshot import FOLLOWUP_TABLES, Snapshot

PERIOD = "2026-10"


def plan_row(**changes) -> dict:
    row = dict(
        plan_id="test-2025", plan_title="Samverkansöverenskommelse Testby 2025–2026", plan_from="2025-01", plan_to="2026-12",
        area_type="kommun", area_code="9999", indicator="anmalda_brott_totalt", source="statistik", indicator_id="anmalda_brott_totalt",
        category="", title="Anmälda brott totalt", kind="lång sikt", polarity="lägre är bättre", unit="per 100 000 invånare",
        decimals=1, baseline_value=1234.5, baseline_period="2022", baseline_note="", target_value=12.5, target_text="nivå 12,5",
        target_by="2026-12", latest_value=20.34, latest_period="2024", trend_slope=-2.0, trend_unit="per år", trend_points=3,
        trend_from="2022", trend_direction="minskar", status="på väg mot målet", status_symbol="↘", status_text="↘ på väg mot målet",
        status_reason="Trenden minskar; med samma takt nås målet i tid.", note="",
    )
    row.update(changes)
    return row


def snapshot(followup: dict[str, pd.DataFrame] | None) -> Snapshot:
    values = pd.DataFrame({"area_code": ["9999", "8888"], "area_name": ["Testby", "Provby"], "indicator_id": ["x", "x"],
                           "period": [PERIOD, PERIOD], "category": ["", ""]})
    members = pd.DataFrame({"area_type": ["region"], "area_code": ["reg"], "municipality_code": ["8888"]})
    return Snapshot(PERIOD, area_code="9999", values=values, members=members, followup=followup or {})


def follow_up(snap: Snapshot, area: str) -> str:
    """The follow-up section of `area`'s report as HTML: its view-model through its template."""
    assert snap.area_code == area
    return render_section(snap, "followup.follow_up")


@pytest.fixture
def full() -> Snapshot:
    plans = pd.DataFrame([
        plan_row(),
        plan_row(indicator="intox_rate_r12", source="intox", indicator_id="intox_rate_r12", title="INTOX-formulär per 10 000 invånare",
                 unit="per 10 000 invånare", latest_value=float("nan"), latest_period="", trend_direction="", status="underlag saknas",
                 status_symbol="?", status_text="? underlag saknas", status_reason="Senaste värdet saknas."),
    ])
    activities = pd.DataFrame([
        dict(area_type="kommun", area_code="9999", promise="Tryggare torg", activity="Trygghetsvandringar varje vecka",
             responsible="Kommunpolis", start_date=pd.Timestamp("2025-02-01"), end_date=pd.Timestamp("2026-12-31"),
             status="pagar", status_label="Pågår", overdue=False, indicators=[]),
        dict(area_type="kommun", area_code="9999", promise="Tryggare torg", activity="Ny belysning <vid torget>",
             responsible="Gatuchef", start_date=pd.Timestamp("2025-03-01"), end_date=pd.Timestamp("2025-10-31"),
             status="ej_paborjad", status_label="Ej påbörjad", overdue=True, indicators=[]),
        dict(area_type="kommun", area_code="9999", promise="Färre unga i kriminalitet", activity="Fältarbete kvällstid",
             responsible="Fritidschef", start_date=pd.Timestamp("2025-01-01"), end_date=pd.Timestamp("2025-06-30"),
             status="genomford", status_label="Genomförd", overdue=False, indicators=[]),
    ])
    unit_done, unit_late = "procent av insatserna (inställda oräknade)", "antal insatser vars slutdatum har passerats"
    process = pd.DataFrame([
        dict(area_type="kommun", area_code="9999", indicator_id="insatser_genomforda", title="Genomförda insatser", label="",
             period=PERIOD, numerator=1, denominator=3, value=100 / 3, unit=unit_done),
        dict(area_type="kommun", area_code="9999", indicator_id="insatser_forsenade", title="Försenade insatser", label="",
             period=PERIOD, numerator=1, denominator=3, value=1.0, unit=unit_late),
    ])
    stat = dict(area_type="kommun", area_code="9999", indicator_id="anmalda_brott_totalt", population=10000.0, areas_covered=1,
                areas_total=1, files="statistik/bra.csv", title="Anmälda brott totalt", unit="per 100 000 invånare", decimals=1,
                kind="lång sikt", polarity="lägre är bättre", source="Brå, anmälda brott")
    statistics = pd.DataFrame([
        dict(stat, period="2023", count=1234, rate_per_100k=12340.0, value_given=12340.0, basis="medelfolkmängd 2023"),
        dict(stat, period="2024", count=pd.NA, rate_per_100k=float("nan"), value_given=98.5, basis="källans eget tal"),
    ])
    statistics["count"] = statistics["count"].astype("Int64")
    return snapshot({"uppfoljning": plans, "insatser": activities, "process": process, "statistik": statistics})


def text(html: str) -> str:
    """Visible text; ASCII white space collapsed, the non-breaking spaces of Swedish numbers kept."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def test_plan_table_writes_status_as_symbol_and_words(full):
    html = follow_up(full, "9999")
    assert f"<h2>{HEADING}</h2>" in html
    assert "<h3>Samverkansöverenskommelse Testby 2025–2026</h3>" in html
    assert "↘ på väg mot målet" in html and "status-pa-vag" in html
    assert "Trenden minskar; med samma takt nås målet i tid." in html
    words = text(html)
    assert "1\u00a0234,5 (2022)" in words  # baseline with its period, Swedish format
    assert "12,5 (nivå 12,5) till december 2026" in words
    assert "20,3 (2024)" in words
    assert "lång sikt" in words and "Så bedöms status." in words


def test_missing_latest_value_shows_dash_and_underlag_saknas(full):
    html = follow_up(full, "9999")
    row = next(r for r in re.findall(r"<tr>.*?</tr>", html) if "INTOX-formulär" in r)
    cells = [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    assert cells[2] == "–" and cells[3] == "–"  # latest value, trend
    assert cells[4] == "? underlag saknas"


def test_activities_grouped_per_promise_with_dates_status_and_progress(full):
    html = follow_up(full, "9999")
    words = text(html)
    assert "Medborgarlöfte: Tryggare torg (Testby)" in words and "Medborgarlöfte: Färre unga i kriminalitet (Testby)" in words
    assert "1 februari 2025 – 31 december 2026" in words
    assert "Ej påbörjad – försenad" in words
    assert "1 av 3 insatser genomförda (33\u00a0%)" in words
    assert "1 försenad" in words
    assert "&lt;vid torget&gt;" in html and "<vid torget>" not in html


def test_no_person_looking_text_is_invented(full):
    html = follow_up(full, "9999")
    cells = re.findall(r"<tr><th scope=\"row\">[^<]*</th><td>([^<]*)</td>", html)
    assert set(cells) == {"Kommunpolis", "Gatuchef", "Fritidschef"}
    assert "@" not in html
    # every capitalised word in the activities' tables comes from the input or the fixed labels
    tables = "".join(t for t in re.findall(r"<table>.*?</table>", html) if "Medborgarlöfte" in t)
    allowed = set("Insats Ansvarig Period Status Medborgarlöfte Tryggare Färre Testby Trygghetsvandringar Ny Fältarbete Kommunpolis "
                  "Gatuchef Fritidschef Pågår Ej Genomförd".split())
    assert set(re.findall(r"\b[A-ZÅÄÖ][a-zåäö]+", text(tables))) <= allowed


def test_official_statistics_per_year_with_source_and_basis(full):
    html = follow_up(full, "9999")
    table = next(t for t in re.findall(r"<table>.*?</table>", html) if "2023" in t and "Antal" in t)
    rows = [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)] for r in re.findall(r"<tr>.*?</tr>", table)]
    assert rows[0] == ["År", "Antal", "Per 100 000 invånare"]
    assert rows[1] == ["2023", "1\u00a0234", "12\u00a0340,0"]
    assert rows[2] == ["2024", "–", "98,5 (enligt källan)"]
    words = text(html)
    assert "Källa: Brå, anmälda brott." in words and "2024: källans eget tal" in words


def test_definitions_list_the_followed_indicators(full):
    html = follow_up(full, "9999")
    definitions = html.split("<h3>Definitioner för uppföljningen</h3>")[1]
    for title in ("Anmälda brott totalt", "INTOX-formulär per 10 000 invånare", "Genomförda insatser", "Försenade insatser"):
        assert f"<dt>{title}</dt>" in definitions
    assert "Kort sikt" in definitions and "Lång sikt" in definitions


def test_headings_in_order(full):
    levels = [int(h) for h in re.findall(r"<h([1-6])", follow_up(full, "9999"))]
    assert levels[0] == 2 and all(b - a <= 1 for a, b in zip(levels, levels[1:]))


def test_empty_or_old_snapshot_says_so_in_one_paragraph():
    for snap in (snapshot(None), snapshot({name: pd.DataFrame(columns=cols) for name, cols in FOLLOWUP_TABLES.items()})):
        html = follow_up(snap, "9999")
        assert html.count("<p>") == 1 and "<table" not in html
        assert "ingen uppföljningsplan, inget register över insatser och ingen officiell statistik för Testby" in html


def test_snapshot_load_reads_missing_tables_as_empty(tmp_path, full):
    # an older snapshot folder without the follow-up files
    for name in ("members", "files", "issues", "left_out", "folders"):
        pd.DataFrame({"area_type": ["region"], "area_code": ["reg"], "municipality_code": ["9999"]} if name == "members"
                     else {"path": ["x"]}).to_parquet(tmp_path / f"{name}.parquet")
    pd.DataFrame({"area_code": ["9999"], "area_name": ["Testby"], "indicator_id": ["x"], "period": [PERIOD],
                  "category": [""]}).to_parquet(tmp_path / "indicators.parquet")
    (tmp_path / "catalogue.json").write_text("[]", encoding="utf-8")
    snap = Snapshot.load(tmp_path, PERIOD, "9999")
    assert snap.followup_table("uppfoljning").empty and "ingen uppföljningsplan" in follow_up(snap, "9999")
    # with the files: narrowed to the area
    full.followup["uppfoljning"].to_parquet(tmp_path / "uppfoljning.parquet")
    assert len(Snapshot.load(tmp_path, PERIOD, "9999").followup_table("uppfoljning")) == 2


# --- integration: the demo's SuToHaMu report ----------------------------------------------------


@pytest.fixture(scope="module")
def demo_reports(demo) -> dict[str, str]:
    """The session demo's SuToHaMu and Sunne reports (conftest.py)."""
    folder = demo / "reports" / PERIOD
    return {code: (folder / kind / f"{code}.html").read_text(encoding="utf-8") for kind, code in (("region", "sutohamu"), ("kommun", "1766"))}


def test_region_report_shows_sutohamu_follow_up(demo_reports):
    html = demo_reports["sutohamu"]
    assert HEADING in html
    assert "Samverkansöverenskommelse SuToHaMu 2025–2026" in html
    assert "↘ på väg mot målet" in html or "✖ inte på väg" in html
    assert "Trygghetsvandringar två gånger per termin" in html  # a member municipality's activity
    assert "SSP-möten varje månad på högstadieskolorna" in html  # the region's own
    assert "<h3>Officiell statistik</h3>" in html and "Anmälda brott totalt, SuToHaMu, 2022–2024" in html
    # the section sits after the regional picture and before data quality
    assert html.index(HEADING) < html.index("Definitioner för uppföljningen")


def test_kommun_report_shows_its_own_plan_and_activities(demo_reports):
    html = demo_reports["1766"]
    assert HEADING in html and "Trygghetsvandringar två gånger per termin" in html
    assert "SSP-möten varje månad på högstadieskolorna" not in html  # the region's activity is not Sunne's
