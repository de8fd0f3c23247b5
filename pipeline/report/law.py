"""The year's report: the lägesbild under lag (2023:196) om kommuners ansvar för brottsförebyggande arbete, 4 §.

For a year (periods.kind(snap.period) == "year") a report is the municipality's lägesbild: a kartläggning
of crime and other problems with their extent and consequences, the sources and their limits, an analysis,
the åtgärdsplan and the follow-up of last year's plan, in the order of Brå's recommended content.

`outline` places the registry's sections (pipeline/sources.py) under Brå's headings of the kartläggning,
one heading level deeper than in a month report (their templates' variable `level`), and adds the law's own
parts: the functions below, templates notebooks/template/sections/law/<function>.html.j2. The registry's
sections read the year as any period (a year's breakdowns are its rolling 12 months ending in December).
The coordinator's analysis (pipeline/report/analys.py) stands under the heading Analys. What each source
gives and what its absence means: schemas/lagesbild_lag.yaml.
"""
from __future__ import annotations

import dataclasses
import importlib
from functools import lru_cache

import pandas as pd

from pipeline.config import PROJECT_SCHEMAS, read_yaml
from pipeline.periods import last_month, month, round_text
from pipeline.report.followup import counted, rate_text, status_cell
from pipeline.report.followup import follow_up as followup_model
from pipeline.report.formats import cell, date, join, mid_sentence, municipality_title, number, percent, table
from pipeline.report.snapshot import Snapshot
from pipeline.sources import BY_NAME, SOURCES

CATALOGUE = "lagesbild_lag.yaml"
# Brå's headings of the kartläggning, in order, each a part of this module, with the registry sections it holds.
MAPPING = (
    ("law.amount", ("intox.key_figures", "bra.indicators")),
    ("law.development", ("intox.trend",)),
    ("law.comparison", ("intox.members", "bra.members")),
    ("law.where_when", ("varochnar.section",)),
    ("law.sectors", ("enkat.lagesbild", "enkat.regional_picture")),
    ("law.intox", ("intox.breakdowns",)),
)
# The month's follow-up section: the law's Åtgärdsplan and Uppföljning take its place.
REPLACED = ("followup.follow_up",)
# The coordinator's analysis under the heading Analys: page.Report renders it from the workspace's file.
ANALYSIS = "law.analysis"
CLOSED = ("genomford", "ej_genomford", "installd")  # the register's statuses (schemas/avtal.yaml) of an activity that has ended
KNOWLEDGE_GAP = 25  # a question whose share of "Vet ej" is at least this (percent) is a knowledge gap


@dataclasses.dataclass(frozen=True)
class Part:
    section: str  # "<view>.<function>", as in the registry
    level: int  # the heading level of the part's own heading


# --- the outline -----------------------------------------------------------------------------------


def outline(snap: Snapshot) -> list[Part]:
    """The parts of the year's report, in order: introduction, Kartläggning, Källor och begränsningar, Analys,
    Åtgärdsplan, Uppföljning, then the appendix of the sources with data for the area."""
    sections, appendix = _registry(snap, "sections"), _registry(snap, "appendix")
    held = {section for _, sections_ in MAPPING for section in sections_}
    parts = [Part("law.introduction", 2), Part("law.mapping", 2)]
    for group, sections_ in MAPPING:
        parts += [Part(group, 3)] + [Part(s, 4) for s in sections if s in sections_]
    # a source's section that no heading of Brå's names yet (a new source) stays in the kartläggning
    parts += [Part(s, 3) for s in sections if s not in held and s not in REPLACED]
    parts += [Part("law.sources", 2), Part(ANALYSIS, 2), Part("law.action_plan", 2), Part("law.follow_up", 2)]
    return parts + [Part(s, 2) for s in appendix]


def _registry(snap: Snapshot, part: str) -> list[str]:
    """The registry's sections (or appendix) of the report kind for the sources with data for the area, each once."""
    present = snap.sources_of(snap.area_code)
    found: list[str] = []
    for source in SOURCES:
        if source.name in present:
            found += [s for s in getattr(source, part).get(snap.kind, ()) if s not in found]
    return found


def part_model(snap: Snapshot, section: str) -> dict:
    """The values of one part of the year's report, with the heading level its template uses."""
    levels = {part.section: part.level for part in outline(snap)}
    view, function = section.split(".")
    if view == "law":
        values = globals()[function](snap)
    else:
        values = getattr(importlib.import_module(f"pipeline.report.{view}"), function)(snap)
    return values | {"level": levels[section]}


@lru_cache(maxsize=1)
def catalogue() -> dict:
    return read_yaml(PROJECT_SCHEMAS / CATALOGUE)


def consequence(source: str) -> str:
    """What the absence of a source means for the conclusions (schemas/lagesbild_lag.yaml)."""
    return catalogue()["sources"].get(source, {}).get("missing", "")


def _name(snap: Snapshot) -> str:
    return snap.area_name(snap.area_code)


def _title(snap: Snapshot) -> str:
    """'Sunne kommun' for a municipality, the region's own name otherwise."""
    return municipality_title(_name(snap)) if snap.kind == "kommun" else _name(snap)


def _missing(snap: Snapshot, source: str) -> dict | None:
    """None when the source has data for the area; otherwise what its absence means."""
    if source in snap.sources_of(snap.area_code):
        return None
    return {"title": BY_NAME[source].title, "consequence": consequence(source)}


# --- introduction and Kartläggning ---------------------------------------------------------------


def introduction(snap: Snapshot) -> dict:
    members = [snap.area_name(code) for code in snap.member_codes(snap.area_code)] if snap.kind == "region" else []
    return {"year": snap.period, "next_year": str(int(snap.period) + 1), "title": _title(snap), "region": snap.kind == "region",
            "members": join(members)}


def mapping(snap: Snapshot) -> dict:
    present = snap.sources_of(snap.area_code)
    return {"year": snap.period, "name": _name(snap), "present": join(mid_sentence(BY_NAME[s].title) for s in present)}


def amount(snap: Snapshot) -> dict:
    """What and how much: the year's INTOX forms and the latest year of official statistics."""
    area, end = snap.area_code, last_month(snap.period)
    intox = None
    if "intox" in snap.sources_of(area):
        count, rate = snap.get("intox_cases_r12", area, end), snap.get("intox_rate_r12", area, end)
        intox = {"count": cell(count), "rate": cell(rate, 1), "shown": count is not None and not count["suppression"]}
    statistics = _statistics(snap)
    latest = statistics[statistics.period <= snap.period]
    latest = latest[latest.area_code == area].sort_values("period").groupby("indicator_id", sort=False).tail(1)
    rows = [[r.title, r.period, number(r.count) if pd.notna(r.count) else "–", rate_text(r)] for r in latest.itertuples()]
    return {
        "year": snap.period, "name": _name(snap), "intox": intox, "intox_missing": _missing(snap, "intox"),
        "statistics": table(f"Officiell statistik för {_name(snap)}, senaste år till och med {snap.period}",
                            ["Indikator", "År", "Antal", "Per 100 000 invånare"], rows, numeric={2, 3}) if rows else None,
    }


def development(snap: Snapshot) -> dict:
    """Development over time: official statistics over the years (the follow-up's own tables); the INTOX trend follows."""
    model = followup_model(snap)
    return {"year": snap.period, "name": _name(snap), "statistics": model["statistics"], "intox": "intox" in snap.sources_of(snap.area_code)}


def comparison(snap: Snapshot) -> dict:
    """The area beside its cooperation, county and the country: INTOX per 10 000, official statistics per 100 000."""
    area, year = snap.area_code, snap.period
    others = snap.comparison_areas(snap.area_type, area)
    areas = [area] + others + (["riket"] if "riket" not in others and area != "riket" else [])
    before = str(int(year) - 1)
    intox = None
    if "intox" in snap.sources_of(area):
        rows = [[snap.area_name(code)] + [cell(snap.get("intox_rate_r12", code, last_month(y)), 1) for y in (before, year)]
                for code in areas if snap.get("intox_rate_r12", code, last_month(year)) is not None]
        intox = table(f"INTOX-formulär per 10 000 invånare, {before} och {year}", ["Område", before, year], rows, numeric={1, 2})
    statistics = _statistics(snap)
    statistics = statistics[(statistics.period <= year) & statistics.area_code.isin(areas)]
    stat_table = None
    if not statistics[statistics.area_code == area].empty:
        latest = statistics[statistics.area_code == area].groupby("indicator_id", sort=False).period.max()
        titles = statistics.drop_duplicates("indicator_id").set_index("indicator_id").title
        rows = []
        for code in areas:
            mine = statistics[statistics.area_code == code]
            found = [mine[(mine.indicator_id == i) & (mine.period == p)] for i, p in latest.items()]
            if all(f.empty for f in found):
                continue
            rows.append([snap.area_name(code)] + [rate_text(f.iloc[0]) if not f.empty else "–" for f in found])
        columns = ["Område"] + [f"{titles[i]}, {p}" for i, p in latest.items()]
        stat_table = table(f"Officiell statistik per 100 000 invånare, {_name(snap)}, länet och riket", columns, rows,
                           numeric=range(1, len(columns)))
    return {"year": year, "name": _name(snap), "intox": intox, "statistics": stat_table, "statistik_missing": _missing(snap, "statistik")}


def where_when(snap: Snapshot) -> dict:
    """Place and time come from the police's crime statistics and the EST reports (the section under this
    heading); without them the heading says what is missing. INTOX gives the month of a visit, not the place."""
    present = snap.sources_of(snap.area_code)
    shows = [text for source, text in (("polisen", "polisens registrerade brott efter område, månad och veckodag"),
                                       ("est", "EST-rapporternas händelser efter plats och kategori")) if source in present]
    return {"name": _name(snap), "intox": "intox" in present, "shows": join(shows),
            "missing": [m for m in (_missing(snap, "polisen"), _missing(snap, "est")) if m is not None]}


def sectors(snap: Snapshot) -> dict:
    """The sectors' view: samsyn (where sectors differ two steps or more) and knowledge gaps ("Vet ej") in the year's round."""
    year_end = snap
    round_ = year_end.enkat_round()
    model = {"name": _name(snap), "year": snap.period, "missing": _missing(snap, "enkat"), "round": None, "samsyn": 0,
             "samsyn_by": "", "gaps": [], "gap_share": percent(KNOWLEDGE_GAP), "region": snap.kind == "region"}
    if round_ is None:
        return model
    samsyn = year_end.enkat_table("enkat_samsyn")
    samsyn = samsyn[samsyn["round"] == round_].drop_duplicates(["municipality_code", "question_id"])
    values = year_end.enkat_table("enkat_values")
    values = values[(values["round"] == round_) & (values.question_id != "") & (values.share_dont_know >= KNOWLEDGE_GAP)]
    gaps = []
    for (_, text, area_title), rows in values.sort_values(["question_order", "share_dont_know"], ascending=[True, False]).groupby(
            ["question_order", "question_text", "area_title"], sort=False):
        shares = [f"{snap.area_name(r.municipality_code)} {percent(r.share_dont_know)}" if snap.kind == "region" else percent(r.share_dont_know)
                  for r in rows.itertuples()]
        gaps.append({"question": text, "area": area_title, "shares": join(shares)})
    by = samsyn.groupby("municipality_code").size()
    return model | {
        "round": round_text(round_), "samsyn": len(samsyn), "gaps": gaps,
        "samsyn_by": join(f"{snap.area_name(code)} {number(n)}" for code, n in by.items()) if snap.kind == "region" else "",
    }


def intox(snap: Snapshot) -> dict:
    return {"year": snap.period, "name": _name(snap), "missing": _missing(snap, "intox")}


# --- Källor och begränsningar, Analys ------------------------------------------------------------


def sources(snap: Snapshot) -> dict:
    """Which sources the report rests on, which are missing and what that means, and the limits that always hold."""
    present = snap.sources_of(snap.area_code)
    entries = catalogue()["sources"]
    return {
        "name": _name(snap),
        "present": [{"title": s.title, "gives": entries.get(s.name, {}).get("gives", "")} for s in SOURCES if s.name in present],
        "missing": [_missing(snap, s.name) for s in SOURCES if s.name not in present],
        "not_yet": [{"title": e["title"], "consequence": e.get("missing", "")} for name, e in entries.items() if name not in BY_NAME],
        "limits": list(catalogue().get("limits") or []),
        "largest_hidden": snap.threshold - 1,
        "intox": "intox" in present,
        "enkat": "enkat" in present,
    }


# --- Åtgärdsplan and Uppföljning ---------------------------------------------------------------------


def action_plan(snap: Snapshot) -> dict:
    """The åtgärdsplan: the register's activities that run in the year after the report's year, or are ongoing."""
    following = int(snap.period) + 1
    first, last = pd.Timestamp(f"{following}-01-01"), pd.Timestamp(f"{following}-12-31")
    activities = snap.followup_table("insatser")
    running = (pd.to_datetime(activities.start_date) <= last) & (pd.to_datetime(activities.end_date) >= first)
    # an activity that is done, was not done or was called off no longer runs: it belongs to the follow-up
    chosen = activities[(running | activities.status.eq("pagar")) & ~activities.status.isin(CLOSED)]
    return {"year": snap.period, "next_year": str(following), "name": _name(snap), "registered": not activities.empty,
            "blocks": _blocks(snap, chosen, with_status=False), "headed": _headed(snap, chosen)}


def follow_up(snap: Snapshot) -> dict:
    """The follow-up of last year's plan: the activities due in the report's year, and the indicator plans."""
    activities = snap.followup_table("insatser")
    end = pd.to_datetime(activities.end_date)
    due = activities[(end >= pd.Timestamp(f"{snap.period}-01-01")) & (end <= pd.Timestamp(f"{snap.period}-12-31"))]
    counts = due.status_label.value_counts(sort=False)
    overdue = int(due.overdue.fillna(False).astype(bool).sum()) if len(due) else 0
    summary = [f"{number(n)} {_plural(label.lower(), n)}" for label, n in counts.items()]
    summary += [f"{number(overdue)} {_plural('försenad', overdue)}"] if overdue else []
    plans = followup_model(snap)
    return {
        "year": snap.period, "name": _name(snap), "month": month(last_month(snap.period)), "registered": not activities.empty,
        "due": len(due), "summary": join(summary), "blocks": _blocks(snap, due, with_status=True), "headed": _headed(snap, due),
        "plans": plans["plans"],
    }


def _headed(snap: Snapshot, activities: pd.DataFrame) -> bool:
    """Whether the activities are shown under a heading per area: a region with its members' activities."""
    return bool(len(set(activities.area_code)) > 1 or (len(activities) and activities.area_code.iloc[0] != snap.area_code))


def _blocks(snap: Snapshot, activities: pd.DataFrame, with_status: bool) -> list[dict]:
    """Per area (the report's own first, then its members) and per promise: a table of activities with function and dates."""
    area = snap.area_code
    order = [area] + [code for code in snap.member_codes(area) if code != area]
    blocks = []
    for code in order:
        rows = activities[activities.area_code == code]
        if rows.empty:
            continue
        area_name = snap.area_name(code)
        promises = []
        for promise, group in rows.sort_values("start_date").groupby("promise", sort=False):
            body = [[r.activity, r.responsible or "–", date(r.start_date), date(r.end_date)]
                    + ([status_cell(r.status_label, r.overdue)] if with_status else [r.status_label or "–"]) for r in group.itertuples()]
            promises.append({"promise": promise, "table": table(
                f"Medborgarlöfte: {promise} ({area_name})", ["Insats", "Ansvarig funktion", "Start", "Slut", "Status"], body)})
        blocks.append({"heading": area_name if code == area else f"{area_name} (medlemskommun)", "promises": promises})
    return blocks


# --- helpers -------------------------------------------------------------------------------------------


def _plural(label: str, n: int) -> str:
    """'genomförd' -> 'genomförda', 'ej påbörjad' -> 'ej påbörjade' for more than one; 'pågår' stays."""
    if n == 1:
        return label
    return label[:-2] + "ade" if label.endswith("ad") else (label + "a" if label.endswith("d") else label)


def _statistics(snap: Snapshot) -> pd.DataFrame:
    """Official statistics counted per 100 000; NTU's survey values are shown by their own section (bra.indicators)."""
    return counted(snap.followup_table("statistik"))

