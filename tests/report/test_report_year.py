"""The year's report: the lägesbild under lag (2023:196), rendered through the real templates on the
demo's own year snapshot (data/processed/2025/, which `lagesbild demo` publishes beside the month)."""
from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest

from pipeline.report import law
from pipeline.report.formats import date
from pipeline.report.page import Report, sections_for
from pipeline.report.snapshot import Snapshot
from pipeline.sources import BY_NAME

MONTH = "2026-10"  # the session demo's period (conftest.py)
YEAR = "2025"
FIVE = ["Kartläggning", "Källor och begränsningar", "Analys", "Åtgärdsplan", "Uppföljning"]
LAW = "lag (2023:196) om kommuners ansvar för brottsförebyggande arbete"


@pytest.fixture(scope="module")
def snapshot_dir(demo):
    return demo / "data" / "processed" / YEAR


@pytest.fixture(scope="module")
def month_dir(demo):
    return demo / "data" / "processed" / MONTH


def render(report: Report) -> str:
    """The report's sections as the notebook shows them (the header is the page's, not the layout's)."""
    return "\n".join(report.section(section) for section in report.sections)


def headings(html: str) -> list[tuple[int, str]]:
    return [(int(level), plain(text)) for level, text in re.findall(r"<h([1-6])[^>]*>(.*?)</h\1>", html, flags=re.S)]


def plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def year_report(snapshot_dir, area: str, analysis=None) -> Report:
    return Report.load(snapshot_dir, YEAR, area, analysis)


@pytest.mark.parametrize("area", ["sutohamu", "1766"])
def test_the_five_headings_in_order_the_law_named_and_no_level_skipped(snapshot_dir, area):
    report = year_report(snapshot_dir, area)
    html = render(report)
    found = headings(html)
    top = [text for level, text in found if level == 2]
    assert top[:5] == FIVE, top  # then the appendix (data quality, definitions)
    assert LAW in plain(html) and "lägesbild" in plain(html) and "åtgärdsplan" in plain(html) and YEAR in plain(html)
    # the page's header is the h1; the layout starts at h2 and never skips a level on the way down
    levels = [1] + [level for level, _ in found]
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:])), levels
    # the kartläggning follows Brå's content under h3, the sources' own sections nested one level deeper
    mapping = [text for level, text in found[found.index((2, "Kartläggning")):found.index((2, "Källor och begränsningar"))] if level == 3]
    assert mapping == ["Vilka problem och hur mycket", "Utveckling över tid", "Jämförelse med länet och riket", "Var och när",
                       "Sektorernas bild", "INTOX-bilden"]
    assert (f"Var och när problemen i {report.snap.area_name(area)} finns visar polisens registrerade brott efter område, månad och veckodag och "
            "EST-rapporternas händelser efter plats och kategori.") in plain(html)
    assert (4, "Brott och händelser efter plats och tid") in found
    assert (4, "Nyckeltal") in found and "per 10 000 invånare" in plain(html) and "per 100 000 invånare" in plain(html)


def test_the_coordinators_analysis_stands_under_the_heading_analys(demo, snapshot_dir):
    report = year_report(snapshot_dir, "1766", demo / "analys" / YEAR / "1766.md")
    sections = report.sections
    assert sections[sections.index("law.sources") + 1] == law.ANALYSIS == "law.analysis"
    html = report.section(law.ANALYSIS)
    assert headings(html)[0] == (2, "Analys")
    assert f"Samordnarens analys för {YEAR}, ur filen analys/{YEAR}/1766.md" in plain(html)
    assert "Trygghetsvandring vid busstationen" in plain(html)  # the demo's analysis for Sunne
    assert str(report.analysis()) == ""  # not a second time at the top of the year's report
    # without a file the heading stays and says where to write one
    bare = plain(year_report(snapshot_dir, "1783", demo / "analys" / YEAR / "1783.md").section(law.ANALYSIS))
    assert f"Ingen analys är skriven för {YEAR}" in bare and f"analys/{YEAR}/1783.md" in bare


def test_the_sources_section_names_the_missing_sources_and_what_that_means(snapshot_dir):
    snap = Snapshot.load(snapshot_dir, YEAR, "1766")
    # a municipality of the demo without questionnaire answers and without a register
    area = next(code for code in snap.areas.loc[snap.areas.area_type == "kommun", "area_code"].unique()
                if not {"enkat", "avtal"} & set(snap.sources_of(code)))
    report = year_report(snapshot_dir, area)
    name = report.snap.area_name(area)
    text = plain(report.section("law.sources"))
    for source in ("enkat", "avtal"):
        assert f"{BY_NAME[source].title} ingår inte i underlaget för {name}. {law.consequence(source)}" in text
        assert law.consequence(source)
    for source in report.snap.sources_of(area):
        assert BY_NAME[source].title in text
    assert "antal från 1 till 4" in text and "inte all brottslighet" in text and "konfidensintervall" in text and "bedömningar" in text
    assert "Dataunderlag och datakvalitet" in text
    # the sectors' view says the same where the questionnaire is missing
    assert law.consequence("enkat") in plain(report.section("law.sectors"))
    # an area with every source: none missing, and the sources lägesbild does not read yet are still named
    full = plain(year_report(snapshot_dir, "1766").section("law.sources"))
    assert "Alla källor som lägesbild läser har uppgifter för Sunne." in full and "Polisens brottsstatistik" in full


@pytest.mark.parametrize("area", ["sutohamu", "1766"])
def test_the_action_plan_lists_the_registers_activities_with_function_and_dates(snapshot_dir, area):
    report = year_report(snapshot_dir, area)
    activities = report.snap.followup_table("insatser")
    following = int(YEAR) + 1
    running = activities[(pd.to_datetime(activities.start_date) <= pd.Timestamp(f"{following}-12-31"))
                         & (pd.to_datetime(activities.end_date) >= pd.Timestamp(f"{following}-01-01"))
                         & ~activities.status.isin(law.CLOSED)]
    assert not running.empty
    html = report.section("law.action_plan")
    text = plain(html)
    for row in running.itertuples():
        assert re.search(re.escape(f"{row.activity} {row.responsible} {date(row.start_date)} {date(row.end_date)}"), text), row.activity
        assert f">{row.promise}</h" in html  # grouped per promise, under a heading of its own
    for row in activities[activities.status.isin(law.CLOSED)].itertuples():
        assert row.activity not in text  # done or called off: in the follow-up, not in the plan
    assert "1 februari 2025" in text or area == "sutohamu"  # Swedish dates: Sunne's trygghetsvandringar


def test_an_area_without_a_register_has_no_action_plan_and_is_told_how_to_add_one(snapshot_dir):
    snap = Snapshot.load(snapshot_dir, YEAR, "1766")
    area = next(code for code in snap.areas.area_code.unique() if "avtal" not in snap.sources_of(code))
    text = plain(year_report(snapshot_dir, area).section("law.action_plan"))
    assert f"Det finns ingen registrerad åtgärdsplan för {snap.area_name(area)} för {int(YEAR) + 1}." in text
    assert "lagesbild template avtal" in text


def test_the_follow_up_shows_the_activities_due_in_the_year_and_the_plans(snapshot_dir):
    report = year_report(snapshot_dir, "sutohamu")
    activities = report.snap.followup_table("insatser")
    end = pd.to_datetime(activities.end_date)
    due = activities[(end >= pd.Timestamp(f"{YEAR}-01-01")) & (end <= pd.Timestamp(f"{YEAR}-12-31"))]
    assert not due.empty
    html = report.section("law.follow_up")
    text = plain(html)
    assert f"{len(due)} insatser hade sitt slutdatum under {YEAR}" in text
    for row in due.itertuples():
        assert f"{row.activity} {row.responsible} {date(row.start_date)} {date(row.end_date)} {row.status_label}" in text
    # the indicator follow-up of the month's section, reused: each plan with its status table
    plans = report.snap.followup_table("uppfoljning")
    for title in plans.loc[plans.area_code == "sutohamu", "plan_title"].unique():
        assert f">{title}</h3>" in html and f"{title}: indikatorer, mål och status" in text


@pytest.mark.parametrize("area", ["sutohamu", "1766"])
def test_month_reports_keep_their_layout(month_dir, area):
    report = Report.load(month_dir, MONTH, area)
    snap = report.snap
    assert report.sections == sections_for(snap.kind, snap.sources_of(area))
    html = render(report)
    found = headings(html)
    top = [text for level, text in found if level == 2]
    first = {"kommun": ["Nyckeltal", "Utveckling de senaste fem åren", "Vilka substanser, vilka personer, vilken avsikt"],
             "region": ["Nyckeltal", "Utveckling de senaste fem åren", "Kommunerna i regionen",
                        "Vilka substanser, vilka personer, vilken avsikt"]}[snap.kind]
    assert top[:len(first)] == first
    ntu = {"kommun": "Trygghet och brott enligt Brå", "region": f"Trygghet och utsatthet enligt NTU: kommunerna i {snap.area_name(area)}"}
    assert top[-5:] == ["Uppföljning av samverkansöverenskommelsen", ntu[snap.kind], "Var och när", "Dataunderlag och datakvalitet",
                        "Definitioner"]
    assert not any(text in FIVE for text in top) and LAW not in plain(html)
    levels = [1] + [level for level, _ in found]
    assert all(after <= before + 1 for before, after in zip(levels, levels[1:])), levels
