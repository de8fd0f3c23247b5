"""Var och när: where and when, from the police's registered crimes and the EST incident reports.

One section that both sources name (pipeline/sources.py), shown once: the areas (RegSO) with the most
crimes and the places with the most EST events, each with its change, crimes by month and weekday, and
EST events by category. Every figure is a published, suppressed count of the `indicators` table: the
breakdowns are published for rolling 12 months, so the section compares the 12 months ending with the
report's period with the 12 months before. Template: notebooks/template/sections/varochnar/section.html.j2.
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

from pipeline.config import PROJECT_SCHEMAS, read_yaml
from pipeline.periods import kind, last_month, month, shift
from pipeline.report import est
from pipeline.report.charts import count_bars, trend_chart
from pipeline.report.formats import HIDDEN, cell, join, legend, number, table
from pipeline.report.snapshot import Snapshot

TOP = 10  # areas and places listed
MONTHS = 24  # the monthly bars: the last two years

POLICE = {"total": "polisen_crimes", "rate": "polisen_rate", "areas": "polisen_regso_r12", "weekday": "polisen_weekday_r12",
          "category": "polisen_level2_r12", "question": "polisen_question_area_r12"}
EST = {"total": "est_events", "category": "est_category_r12", "place": "est_place_r12", "assessed": "est_assessed_r12"}


def section(snap: Snapshot) -> dict:
    area, end = snap.area_code, last_month(snap.period)
    before = shift(end, -12)
    present = snap.sources_of(area)
    return {
        "name": snap.area_name(area),
        "window": window(snap.period),
        "previous": window(snap.period, earlier=True),
        "police": _police(snap, end, before) if "polisen" in present else None,
        "est": _est(snap, end, before) if "est" in present else None,
        "legend": legend(snap.threshold),
    }


def window(period: str, earlier: bool = False) -> str:
    """The 12 months the breakdowns cover, as a sentence says it: 'under 2025' for a year (its 12 months
    ending in December), 'under de 12 månaderna till och med oktober 2026' otherwise."""
    end = shift(last_month(period), -12 if earlier else 0)
    if kind(period) == "year":
        return f"året {end[:4]}" if earlier else f"under {end[:4]}"
    return f"de 12 månaderna till och med {month(end)}" if earlier else f"under de 12 månaderna till och med {month(end)}"


def _shown(row: pd.Series | None) -> str | None:
    """A shown value as text; None when it is hidden or missing, so a sentence leaves it out."""
    return None if row is None or row["suppression"] else cell(row)


def change(now: pd.Series | None, before: pd.Series | None) -> str:
    """'+8 %', '−12 %', '±0 %' between two shown counts; '–' when either is hidden, missing or zero before."""
    if now is None or before is None or now["suppression"] or before["suppression"] or not before["value"]:
        return "–"
    return _percent((now["value"] - before["value"]) / before["value"] * 100)


def _rows(snap: Snapshot, indicator: str, areas: list[str], period: str) -> pd.DataFrame:
    values = snap.values
    return values[(values.indicator_id == indicator) & values.area_code.isin(areas) & (values.period == period)]


def ranked(snap: Snapshot, indicator: str, end: str, before: str, caption: str, heading: str) -> dict | None:
    """The areas or places of a breakdown with the most, each with the change against 12 months before
    (est.hotspots ranks them: EST's places and the police's RegSO alike), as a table; the hidden ones named apart."""
    local = _local_areas(snap)
    now, then = (_rows(snap, indicator, local, p) for p in (end, before))
    if snap.kind == "region":  # the same name may be in two municipalities
        now, then = (f.assign(category_label=f.category_label + " (" + f.area_code.map(snap.area_name) + ")") for f in (now, then))
    found = est.hotspots(now, then, TOP)
    if not found.places and not found.hidden:
        return None
    # a hidden earlier count is '..', one not covered '–'; a change only between two shown counts
    rows = [[h.label, number(h.events), (HIDDEN if h.note == "dold" else "–") if h.before is None else number(h.before),
             "–" if h.change_percent is None else _percent(h.change_percent)] for h in found.places]
    return {"table": table(caption, [heading, f"Till och med {month(end)}", f"Till och med {month(before)}", "Förändring"], rows,
                           numeric={1, 2, 3}) if rows else None,
            "hidden": join(found.hidden), "more": max(found.shown - len(found.places), 0)}


def _percent(value: float) -> str:
    return "±0\u00a0%" if round(value) == 0 else ("+" if value > 0 else "") + number(round(value)) + "\u00a0%"


def _police(snap: Snapshot, end: str, before: str) -> dict:
    area = snap.area_code
    now, then = snap.get(f"{POLICE['total']}_r12", area, end), snap.get(f"{POLICE['total']}_r12", area, before)
    rate = snap.get(f"{POLICE['rate']}_r12", area, end)
    months = [shift(end, -i) for i in range(MONTHS - 1, -1, -1)]
    covered = snap.series(POLICE["total"], area, months).indicator_id.notna().tolist()
    months = months[covered.index(True):] if True in covered else []  # from the first month the deliveries cover
    return {
        "total": cell(now), "total_shown": _shown(now) is not None, "rate": _shown(rate),
        "change": change(now, then),
        "areas": ranked(snap, POLICE["areas"], end, before,
                        f"Områden (RegSO) med flest registrerade brott, 12 månader till och med {month(end)}", "Område"),
        "months": trend_chart(snap, POLICE["total"], [area], months, f"brott-manad-{area}", "Registrerade brott per månad") if months else None,
        "weekday": count_bars(_rows(snap, POLICE["weekday"], [area], end), f"brott-veckodag-{area}",
                              f"Registrerade brott per veckodag i {snap.area_name(area)}, 12 månader till och med {month(end)}",
                              "Veckodag", "antal brott", by_size=False),
        "category": count_bars(_rows(snap, POLICE["category"], [area], end), f"brott-typ-{area}",
                               f"Registrerade brott per brottstyp i {snap.area_name(area)}, 12 månader till och med {month(end)}",
                               "Brottstyp", "antal brott"),
    }


def _est(snap: Snapshot, end: str, before: str) -> dict:
    area = snap.area_code
    now, then = snap.get(f"{EST['total']}_r12", area, end), snap.get(f"{EST['total']}_r12", area, before)
    assessed = snap.get(EST["assessed"], area, end)
    return {
        "total": cell(now), "total_shown": _shown(now) is not None, "change": change(now, then),
        "assessed": _shown(assessed),
        "places": ranked(snap, EST["place"], end, before, f"Platser med flest EST-händelser, 12 månader till och med {month(end)}",
                         "Plats"),
        "category": count_bars(_rows(snap, EST["category"], [area], end), f"est-kategori-{area}",
                               f"EST-händelser per kategori i {snap.area_name(area)}, 12 månader till och med {month(end)}",
                               "Kategori", "antal händelser"),
    }


def _local_areas(snap: Snapshot) -> list[str]:
    """Where the finer breakdowns (areas, places) are: the municipality itself, or a region's members."""
    return [snap.area_code] if snap.kind == "kommun" else snap.member_codes(snap.area_code)


# --- beside the questionnaire's areas ------------------------------------------------------------

PRESENCE_WORDS = ("inte förekommer", "förekommer i liten utsträckning", "förekommer i viss utsträckning", "förekommer i stor utsträckning")


@lru_cache(maxsize=1)
def _enkat_areas() -> dict:
    """Which crime question areas and EST categories belong to each questionnaire area (schemas/enkat.yaml)."""
    return read_yaml(PROJECT_SCHEMAS / "enkat.yaml").get("areas") or {}


def beside(snap: Snapshot, area_id: str, index: float | None) -> str | None:
    """What the police and EST say of a questionnaire area, after the sectors' view, as one sentence:
    'Sektorerna bedömer att problemen i området förekommer i viss utsträckning (index 2,1); polisen
    registrerade 312 brott som hör till Ordningsstörningar och otrygghet …, +8 %.' None without either."""
    spec, area, end = _enkat_areas().get(area_id, {}), snap.area_code, last_month(snap.period)
    present, parts = snap.sources_of(area), []
    if "polisen" in present:
        for code in spec.get("polisen", []):
            now, then = (snap.get(POLICE["question"], area, p, code) for p in (end, shift(end, -12)))
            if _shown(now):
                moved = change(now, then)
                parts.append(f"polisen registrerade {_shown(now)} brott som hör till frågan {_question(now.category_label)} "
                             f"{window(snap.period)}" + ("" if moved == "–" else f", {moved} jämfört med {window(snap.period, True)}"))
    if "est" in present:
        counts = [f"{_shown(row)} händelser av kategorin {row.category_label.lower()}" for code in spec.get("est", [])
                  if _shown(row := snap.get(EST["category"], area, end, code))]
        if counts:
            parts.append(f"EST-rapporterna har {join(counts)} under samma tid")
    if not parts:
        return None
    sectors = ""
    if index is not None and pd.notna(index):
        sectors = f"Sektorerna bedömer att problemen i området {PRESENCE_WORDS[int(round(index))]} (index {number(index, 1)}); "
    text = sectors + "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def _question(label: str) -> str:
    """'Fråga 1 - Ordningsstörningar och otrygghet' -> 'Ordningsstörningar och otrygghet'."""
    return label.split(" - ", 1)[-1]
