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

from pipeline.periods import kind, month
from pipeline.report import law, templates
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
        "month": month(snap.period),
        "name": name,
        "present": join(mid_sentence(BY_NAME[n].title) for n in present),
        "missing": capitalised(join(mid_sentence(title) for title in missing)),
        "suppressed": join(mid_sentence(title) for title in suppressed),
        "largest_hidden": snap.threshold - 1,
    }


def index_model(period: str, areas, sources: list[str], threshold: int, failed: set[str]) -> dict:
    """The index page of a month's reports: regions and counties first, then municipalities."""
    first = areas.drop_duplicates("area_code")
    groups = []
    for heading, rows, folder in (("Regioner och län", first[first.area_type != "kommun"], "region"),
                                  ("Kommuner", first[first.area_type == "kommun"], "kommun")):
        groups.append({"heading": heading, "links": [
            {"name": r.area_name, "href": f"{folder}/{r.area_code}.html", "failed": r.area_code in failed} for r in rows.itertuples()]})
    return {
        "kicker": KICKER,
        "month": month(period),
        "sources": join(mid_sentence(BY_NAME[name].title) for name in sources),
        "suppressed": join(mid_sentence(BY_NAME[name].title) for name in sources if BY_NAME[name].suppressed),
        "largest_hidden": threshold - 1,
        "groups": groups,
    }


@dataclass
class Report:
    """The report for one area, as the notebooks show it."""

    snap: Snapshot

    @classmethod
    def load(cls, snapshot_dir: str | Path, period: str, area_code: str) -> Report:
        return cls(Snapshot.load(snapshot_dir, period, area_code))

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

    def section(self, section: str) -> Markup:
        if self.year:
            return templates.render(templates.section_template(section), law.part_model(self.snap, section))
        return render_section(self.snap, section)
