"""One report page: which sections it shows, its header, and each section rendered from its template.

A report shows, in the registry's order (pipeline/sources.py), the sections of the sources that have
data for its area: each source's `sections` for the report kind, then their `appendix`; a section two
sources name is shown once. The notebooks call only this module, so they know no source by name.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from pipeline.periods import KIND_NAMES, ORDER, kind, last_month, period_text
from pipeline.report import analys, law, templates
from pipeline.report.charts import plotly_js
from pipeline.report.formats import capitalised, join, mid_sentence, municipality_title
from pipeline.report.snapshot import Snapshot
from pipeline.sources import BY_NAME, SOURCES

KICKER = "Lägesbild – brottsförebyggande arbete och ANDT"


def sections_for(kind: str, sources: list[str]) -> list[str]:
    """The sections of a report of `kind` whose area has data from `sources`, in the registry's order, each once."""
    present = [source for source in SOURCES if source.name in sources]
    found: list[str] = []
    for part in ("sections", "appendix"):
        for source in present:
            found += [s for s in getattr(source, part).get(kind, ()) if s not in found]
    return found


def view_model(snap: Snapshot, section: str) -> dict:
    """The plain values of one section: pipeline.report.<view>.<function>(snap)."""
    view, function = section.split(".")
    return getattr(importlib.import_module(f"pipeline.report.{view}"), function)(snap)


def render_section(snap: Snapshot, section: str) -> Markup:
    return templates.render(templates.section_template(section), view_model(snap, section))


def header_model(snap: Snapshot) -> dict:
    """What the report's header says: the area, the month, which sources the report rests on and which are missing."""
    name = snap.area_name(snap.area_code)
    present = snap.sources_of(snap.area_code)
    missing = [source.title for source in SOURCES if source.name not in present]
    suppressed = [BY_NAME[name_].title for name_ in present if BY_NAME[name_].suppressed]
    return {
        "kicker": KICKER,
        "heading": municipality_title(name) if snap.kind == "kommun" else name,
        "month": period_text(snap.period),
        "name": name,
        "present": join(mid_sentence(BY_NAME[n].title) for n in present),
        "missing": capitalised(join(mid_sentence(title) for title in missing)),
        "suppressed": join(mid_sentence(title) for title in suppressed),
        "largest_hidden": snap.threshold - 1,
    }


def periods_model(periods: list[str]) -> dict:
    """The reports' front page (reports/index.html): every period with reports, newest first; at the
    same last month the longer period first (the year before its December)."""
    ordered = sorted(periods, key=lambda p: (last_month(p), ORDER.index(kind(p))), reverse=True)
    return {"kicker": KICKER, "periods": [{"text": capitalised(period_text(p)), "kind": KIND_NAMES[kind(p)], "href": f"{p}/index.html"}
                                          for p in ordered]}


def index_model(period: str, areas, sources: list[str], threshold: int, failed: set[str]) -> dict:
    """The index page of a period's reports: regions and counties first, then municipalities."""
    first = areas.drop_duplicates("area_code")
    groups = []
    for heading, rows, folder in (("Regioner och län", first[first.area_type != "kommun"], "region"),
                                  ("Kommuner", first[first.area_type == "kommun"], "kommun")):
        groups.append({"heading": heading, "links": [
            {"name": r.area_name, "href": f"{folder}/{r.area_code}.html", "failed": r.area_code in failed} for r in rows.itertuples()]})
    return {
        "kicker": KICKER,
        "month": period_text(period),
        "sources": join(mid_sentence(BY_NAME[name].title) for name in sources),
        "suppressed": join(mid_sentence(BY_NAME[name].title) for name in sources if BY_NAME[name].suppressed),
        "largest_hidden": threshold - 1,
        "groups": groups,
        "all_periods": "../index.html",
    }


@dataclass
class Report:
    """The report for one area, as the notebooks show it."""

    snap: Snapshot
    # the workspace's analys/<period>/<area>.md (it need not exist); None: the section is left out
    analysis_file: Path | None = None

    @classmethod
    def load(cls, snapshot_dir: str | Path, period: str, area_code: str, analysis_file: str | Path | None = None) -> Report:
        return cls(Snapshot.load(snapshot_dir, period, area_code), Path(analysis_file) if analysis_file else None)

    @property
    def year(self) -> bool:
        """A year's report is the lägesbild under lag (2023:196), laid out by pipeline/report/law.py."""
        return kind(self.snap.period) == "year"

    @property
    def sections(self) -> list[str]:
        if self.year:
            return [part.section for part in law.outline(self.snap)]
        return sections_for(self.snap.kind, self.snap.sources_of(self.snap.area_code))

    def plotly_script(self) -> Markup:
        return templates.render("page/plotly.html.j2", {"plotly_js": plotly_js()})

    def header(self) -> Markup:
        return templates.render("page/header.html.j2", header_model(self.snap))

    def analysis(self) -> Markup:
        """The coordinator's analysis, a fixed first section of every report: not a source, so not in the registry."""
        if self.analysis_file is None or self.year:  # a year's lägesbild has it under its heading Analys
            return Markup("")
        return analys.render(self.snap.period, self.snap.area_code, self.analysis_file)

    def section(self, section: str) -> Markup:
        if self.year and section == law.ANALYSIS:
            return analys.render(self.snap.period, self.snap.area_code, self.analysis_file, heading="Analys")
        if self.year:
            return templates.render(templates.section_template(section), law.part_model(self.snap, section))
        return render_section(self.snap, section)
