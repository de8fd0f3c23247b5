"""The report's view-models and templates on the demo's published snapshot.

Every template under notebooks/template/ is rendered with StrictUndefined against the view-models of
real demo areas, so a typo in a template or a view-model key fails here. The snapshot's areas table
decides which sources a report rests on, and its threshold the wording of the legend; every hidden value shows '..'.
"""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
from html import unescape
from pathlib import Path

import jinja2
import pandas as pd
import pytest

from pipeline.periods import shift
from pipeline.report import analys, law, templates
from pipeline.report.charts import plotly_js
from pipeline.report.page import Report, header_model, index_model, periods_model, render_section, sections_for, view_model
from pipeline.report.snapshot import Snapshot, read_areas
from pipeline.sources import SOURCES

PERIOD = "2026-10"
YEAR = "2025"  # the year's lägesbild, read from the month's snapshot until a year has its own (see test_report_year.py)
# kommun with every source, a kommun without questionnaire answers, a cooperation region, the county, the country
AREAS = ("1766", "1715", "sutohamu", "lan-17", "riket")


@pytest.fixture(scope="module")
def workspace(demo) -> Path:
    """The session's demo (conftest.py): every source, ingested, built and published."""
    return demo


@pytest.fixture(scope="module")
def snapshot_dir(workspace) -> Path:
    return workspace / "data" / "processed" / PERIOD


def copy_snapshot(source: Path, target: Path, areas: pd.DataFrame | None = None, threshold: int | None = None) -> Path:
    """A copy of the demo snapshot with its areas table or threshold changed."""
    target.mkdir(parents=True, exist_ok=True)
    for file in source.iterdir():
        shutil.copy2(file, target / file.name)
    if areas is not None:
        areas.to_parquet(target / "areas.parquet", index=False)
    if threshold is not None:
        path = target / "snapshot.json"
        described = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"period": PERIOD, "sources": [s.name for s in SOURCES]}
        path.write_text(json.dumps(described | {"threshold": threshold}), encoding="utf-8")
    return target


def plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def with_sources(snapshot_dir: Path, changes: dict[str, list[str]]) -> pd.DataFrame:
    """The demo's areas table with the sources of some areas replaced (an empty list drops the area)."""
    areas = read_areas(snapshot_dir, PERIOD)
    kept = areas[~areas.area_code.isin(changes)]
    added = []
    for code, sources in changes.items():
        first = areas[areas.area_code == code].iloc[0]
        added += [{"area_type": first.area_type, "area_code": code, "area_name": first.area_name, "source": s} for s in sources]
    return pd.concat([kept, pd.DataFrame(added, columns=areas.columns)], ignore_index=True)


# --- every template, with StrictUndefined ----------------------------------------------------------


def test_every_template_renders_with_the_view_models_of_the_demo(snapshot_dir):
    env = templates.environment()
    assert isinstance(env.undefined, type) and issubclass(env.undefined, jinja2.StrictUndefined) and env.autoescape is True
    snaps = {code: Snapshot.load(snapshot_dir, PERIOD, code) for code in AREAS}
    models: dict[str, list[dict]] = {}  # template -> the models it was rendered with
    for snap in snaps.values():
        for section in sections_for(snap.kind, [s.name for s in SOURCES]):
            models.setdefault(templates.section_template(section), []).append(view_model(snap, section))
    for snap in snaps.values():  # the year's lägesbild: the law's own parts and the sections it nests (level)
        year = dataclasses.replace(snap, period=YEAR)
        for part in law.outline(year):
            if part.section == law.ANALYSIS:  # the coordinator's analysis: page.Report renders it from its file
                continue
            models.setdefault(templates.section_template(part.section), []).append(law.part_model(year, part.section))
    areas = read_areas(snapshot_dir, PERIOD)
    models["page/header.html.j2"] = [header_model(snap) for snap in snaps.values()]
    models["page/index.html.j2"] = [index_model(PERIOD, areas, [s.name for s in SOURCES], 5, {"1715"})]
    models["page/plotly.html.j2"] = [{"plotly_js": plotly_js()}]
    models["page/periods.html.j2"] = [periods_model([PERIOD, YEAR, "2026-T2"])]
    models[analys.TEMPLATE] = [analys.model(PERIOD, "1766", None),
                               analys.model(YEAR, "sutohamu", snapshot_dir.parents[2] / "analys" / YEAR / "sutohamu.md", "Analys")]

    # lagesbild/: nbconvert's page around the notebook, see test_end_to_end; *.md.j2: the analysis's
    # starting file, Markdown in its own environment (test_report_analys)
    found = sorted(str(p.relative_to(templates.TEMPLATE_DIR)) for p in templates.TEMPLATE_DIR.rglob("*.html.j2")
                   if p.parent.name != "lagesbild")
    assert "macros.html.j2" in found and "sections/intox/key_figures.html.j2" in found
    for name in found:
        source = (templates.TEMPLATE_DIR / name).read_text(encoding="utf-8")
        if name == "macros.html.j2":
            env.get_template(name).module  # noqa: B018 - compiles and runs the macro library's top level
            continue
        if Path(name).name.startswith("_"):  # an include: rendered with the models of the templates that include it
            parents = [t for t in models if f'"{name}"' in (templates.TEMPLATE_DIR / t).read_text(encoding="utf-8")]
            assert parents, f"{name} is included by no template"
            # the questionnaire's quality include is rendered only where the section has its quality
            rendered = [templates.render(name, m) for parent in parents for m in models[parent] if m.get("quality", True) is not None]
            assert rendered, name
            continue
        assert name in models, f"{name}: no view-model renders this template (a section of pipeline/sources.py?)"
        for model in models[name]:
            html = templates.render(name, model)
            assert html.strip(), name
            assert name == "page/plotly.html.j2" or ("{{" not in html and "{%" not in html), name
        if "m.table" in source or "m.figure" in source:
            assert "<table" in "".join(templates.render(name, m) for m in models[name]) or name.endswith("follow_up.html.j2")


def test_every_registry_section_has_its_function_and_its_template():
    for source in SOURCES:
        for part in (source.sections, source.appendix):
            for sections in part.values():
                for section in sections:
                    view, function = section.split(".")
                    module = __import__(f"pipeline.report.{view}", fromlist=[function])
                    assert callable(getattr(module, function)), section
                    assert (templates.TEMPLATE_DIR / templates.section_template(section)).exists(), section


def test_a_missing_view_model_key_raises(snapshot_dir):
    snap = Snapshot.load(snapshot_dir, PERIOD, "1766")
    model = view_model(snap, "intox.key_figures")
    templates.render("sections/intox/key_figures.html.j2", model)  # complete: renders
    with pytest.raises(jinja2.UndefinedError):
        templates.render("sections/intox/key_figures.html.j2", {k: v for k, v in model.items() if k != "legend"})
    nested = dict(model, table={k: v for k, v in model["table"].items() if k != "caption"})
    with pytest.raises(jinja2.UndefinedError):
        templates.render("sections/intox/key_figures.html.j2", nested)


def test_view_models_hold_no_markup(snapshot_dir):
    """Plain values only: the one ready-made HTML in a model is plotly's chart div (a Markup)."""
    from markupsafe import Markup

    def walk(value, where):
        if isinstance(value, Markup):
            assert "plotly-graph-div" in value, where
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}")
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")
        elif isinstance(value, str):
            assert not re.search(r"<[a-z/][^>]*>|&lt;|&amp;", value), (where, value)

    for code in ("1766", "sutohamu"):
        snap = Snapshot.load(snapshot_dir, PERIOD, code)
        for section in sections_for(snap.kind, [s.name for s in SOURCES]):
            walk(view_model(snap, section), section)
        year = dataclasses.replace(snap, period=YEAR)
        for part in law.outline(year):
            if part.section != law.ANALYSIS:
                walk(law.part_model(year, part.section), part.section)


# --- which sources a report rests on -------------------------------------------------------------


def test_the_header_names_the_sources_and_says_which_are_missing(snapshot_dir, tmp_path):
    areas = with_sources(snapshot_dir, {"1783": ["intox", "enkat", "statistik"]})
    folder = copy_snapshot(snapshot_dir, tmp_path / "snap", areas=areas)
    report = Report.load(folder, PERIOD, "1783")
    header = plain(report.header())
    assert ("Rapporten bygger på INTOX, lägesbildsenkäten och den officiella statistiken. "
            "Registret över medborgarlöften och insatser, polisens brottsstatistik och EST-rapporterna ingår inte i underlaget "
            "för Hagfors.") in header
    # the follow-up still comes, from the official statistics; a section two sources name is shown once
    assert report.sections == ["intox.key_figures", "intox.trend", "intox.breakdowns", "enkat.lagesbild", "followup.follow_up",
                               "bra.indicators", "intox.data_quality", "intox.definitions"]
    full = Report.load(folder, PERIOD, "1766")
    assert "ingår inte i underlaget" not in plain(full.header())


def test_a_questionnaire_only_area_has_no_intox_sections_and_no_intox_claim(snapshot_dir, tmp_path):
    areas = with_sources(snapshot_dir, {"1766": ["enkat"], "1762": []})
    folder = copy_snapshot(snapshot_dir, tmp_path / "snap", areas=areas)
    report = Report.load(folder, PERIOD, "1766")
    assert report.sections == ["enkat.lagesbild"]
    header = plain(report.header())
    missing = ("INTOX, registret över medborgarlöften och insatser, den officiella statistiken, polisens brottsstatistik och "
               "EST-rapporterna ingår inte i underlaget för Sunne.")
    assert missing in header and "INTOX" not in header.replace(missing, "")
    assert header.startswith("Lägesbild – brottsförebyggande arbete och ANDT Sunne kommun, oktober 2026 Rapporten bygger på lägesbildsenkäten.")
    assert "röjandeskyddade" not in header  # no suppressed source in this report
    # the region's member table links only to municipalities that have a report (Munkfors has none now)
    members = render_section(Snapshot.load(folder, PERIOD, "sutohamu"), "intox.members")
    assert 'href="../kommun/1737.html"' in members and "../kommun/1762.html" not in members and "Munkfors" in members


def test_the_rendered_report_of_a_questionnaire_only_area(workspace, tmp_path):
    from pipeline.config import Workspace
    from pipeline.report.render import render

    root = tmp_path / "ws"
    areas = with_sources(workspace / "data" / "processed" / PERIOD, {"1766": ["enkat"]})
    copy_snapshot(workspace / "data" / "processed" / PERIOD, root / "data" / "processed" / PERIOD, areas=areas)
    rendered = render(Workspace(root), PERIOD, only=["1766"])
    assert [(r.area_code, r.status) for r in rendered] == [("1766", "skapad")], rendered
    html = rendered[0].path.read_text(encoding="utf-8")
    text = plain(html)
    assert "<h2>Lägesbildsenkät" in html and "Nyckeltal" not in text and "Dataunderlag och datakvalitet" not in text
    assert "Rapporten bygger på lägesbildsenkäten." in text and "Rapporten bygger på INTOX" not in text
    assert "Uppföljning av samverkansöverenskommelsen" not in text
    index = (root / "reports" / PERIOD / "index.html").read_text(encoding="utf-8")
    assert 'href="kommun/1766.html"' in index and 'href="region/sutohamu.html"' in index


# --- the marks of hidden values --------------------------------------------------------------------

# The sections that show indicator values; the data-quality tables have their own '<5' for small row counts.
INDICATOR_SECTIONS = ("intox.key_figures", "intox.trend", "intox.breakdowns", "intox.members")
# What no indicator cell may show: a mark per reason would tell a small count from a protecting one.
REASON_MARKS = ("&lt;", "<5", "<3", "primär", "sekundär", "liten nämnare")


def hand_made_row(period: str, value, suppression: str, indicator: str = "intox_cases", category: str = "", label: str = "",
                  numerator=None, decimals: int = 0, sort_order: int = 0) -> dict:
    return {"indicator_id": indicator, "area_type": "kommun", "area_code": "9999", "area_name": "Provköping", "period": period,
            "dimension": "kon" if category else "", "category": category, "category_label": label, "value": value,
            "numerator": value if numerator is None else numerator, "decimals": decimals, "suppression": suppression,
            "suppressed": suppression != "", "sort_order": sort_order, "title": "Kön" if category else "Antal formulär"}


def test_a_hidden_cell_shows_one_mark_whatever_hid_it():
    from pipeline.report.formats import HIDDEN, MISSING, cell

    assert HIDDEN == ".."
    shown = pd.Series(hand_made_row(PERIOD, 12.0, ""))
    assert cell(shown) == "12" and cell(shown, 1) == "12,0"
    assert cell(None) == MISSING == "–"
    hidden = pd.Series(hand_made_row(PERIOD, float("nan"), "dold"))
    assert cell(hidden) == ".."
    # a row that still holds a number (or an older snapshot's reason) shows the same mark and no number
    assert cell(pd.Series(hand_made_row(PERIOD, 3.0, "dold"))) == ".."
    for old in ("primär", "sekundär", "nämnare"):
        assert cell(pd.Series(hand_made_row(PERIOD, 3.0, old))) == ".."


def test_the_legend_explains_the_one_mark_by_the_threshold():
    from pipeline.report.formats import legend

    five, three = legend(5), legend(3)
    for text in (five, three):
        assert text.startswith(".. = visas inte av sekretesskäl")
        assert "det går inte att se vilket" in text
        assert "– = uppgift saknas" in text
        assert "<" not in text and "primär" not in text and "sekundär" not in text
        assert text.count("..") == 1  # one mark for every hidden value, no second one
    assert "färre än fem" in five and "färre än tre" in three and "fem" not in three


def test_charts_and_their_tables_show_one_mark_for_hidden_values():
    from pipeline.report.charts import breakdown, trend_chart

    periods = ["2026-08", "2026-09", "2026-10"]
    rows = [hand_made_row("2026-08", 12.0, ""), hand_made_row("2026-09", float("nan"), "dold"),
            hand_made_row("2026-10", 3.0, "primär"),  # an older snapshot's reason, its number still there: the same mark
            hand_made_row(PERIOD, 60.0, "", "intox_sex_r12", "man", "Man", numerator=9, sort_order=1),
            hand_made_row(PERIOD, float("nan"), "dold", "intox_sex_r12", "kvinna", "Kvinna", numerator=float("nan"), sort_order=2)]
    snap = Snapshot(period=PERIOD, area_code="9999", threshold=3, values=pd.DataFrame(rows))

    trend = trend_chart(snap, "intox_cases", ["9999"], periods, "t", "Antal formulär per månad")
    assert [r["cells"][1] for r in trend["table"]["rows"]] == ["12", "..", ".."]
    chart = str(trend["chart"])
    assert '"text":["12","..",".."]' in chart.replace(" ", "")
    assert "&lt;3" not in chart and "<3" not in chart

    parts = breakdown(snap, "intox_sex_r12", "9999", PERIOD, "b")
    assert [r["cells"] for r in parts["table"]["rows"]] == [["Man", "9", "60"], ["Kvinna", "..", ".."]]
    chart = str(parts["chart"])
    assert "Kvinna (..)" in chart and "<3" not in chart and "&lt;3" not in chart


def test_hidden_values_in_the_reports_show_one_mark_and_the_legend_the_threshold(snapshot_dir, tmp_path):
    folder = copy_snapshot(snapshot_dir, tmp_path / "snap", threshold=3)
    snap = Snapshot.load(folder, PERIOD, "1762")
    assert snap.threshold == 3
    report = Report(snap)
    # every hidden month of Munkfors' monthly counts shows '..' in the table under the chart
    from pipeline.report.intox import trend

    counts = trend(snap)["counts"]["table"]["rows"]
    series = snap.series("intox_cases", "1762", [shift(PERIOD, -i) for i in range(23, -1, -1)])
    hidden = series.suppression.fillna("").ne("").tolist()
    assert any(hidden)  # Munkfors has hidden counts
    for row, is_hidden in zip(counts, hidden):
        assert (row["cells"][1] == "..") == is_hidden, row
    html = "".join(str(report.section(s)) for s in report.sections if s in INDICATOR_SECTIONS)
    assert html and ">..<" in html
    for mark in REASON_MARKS:
        assert mark not in html, mark
    key_figures = plain(report.section("intox.key_figures"))
    assert ".. = visas inte av sekretesskäl: antingen är antalet färre än tre" in key_figures
    assert "det går inte att se vilket" in key_figures
    assert "antal från 1 till 2 visas inte" in report.header()
    # the default threshold of the demo snapshot
    five = plain(Report.load(snapshot_dir, PERIOD, "1762").section("intox.key_figures"))
    assert "antalet färre än fem" in five and "<5" not in five


def test_no_indicator_section_of_any_report_has_a_mark_per_reason(snapshot_dir):
    seen = 0
    for code in AREAS:
        snap = Snapshot.load(snapshot_dir, PERIOD, code)
        report = Report(snap)
        for section in (s for s in report.sections if s in INDICATOR_SECTIONS):
            html = str(report.section(section))
            seen += html.count(">..<")
            for mark in REASON_MARKS:
                assert mark not in html, (code, section, mark)
    assert seen > 0  # the demo hides some values, and they show up as '..'


def test_the_embedded_plotly_js_is_the_basic_bundle_of_the_version_plotly_py_expects():
    import plotly.offline

    head = plotly_js()[:200]
    assert f"plotly.js (basic - minified) v{plotly.offline.get_plotlyjs_version()}" in head
    assert len(plotly_js()) < 1.5e6  # the full bundle plotly.py carries is about 4,8 MB
