"""Follow-up of the cooperation agreement in the reports: plans, activities, official statistics.

The view-model of the section shared by the agreements register (avtal) and official statistics
(statistik), with the follow-up plans; template notebooks/template/sections/followup/follow_up.html.j2.
Built from the snapshot's follow-up tables (uppfoljning, insatser, process, statistik), already
narrowed by Snapshot.load to the report's area and, for a region, its member municipalities.
Every status is written as a symbol and in words; a colour only supports it. A responsible party
is shown exactly as registered (a function, never a person's name invented here).
"""
from __future__ import annotations

import pandas as pd

from pipeline.periods import period_text
from pipeline.report.formats import capitalised, date, number, table
from pipeline.report.snapshot import Snapshot

HEADING = "Uppföljning av samverkansöverenskommelsen"
STATUS_CLASS = {"uppnått": "status-uppnatt", "på väg mot målet": "status-pa-vag", "inte på väg": "status-inte-pa-vag",
                "underlag saknas": "status-saknas"}
SOURCE_NAMES = {"intox": "INTOX-formulären", "statistik": "officiell statistik", "enkat": "lägesbildsenkäten"}
PROCESS_SOURCES = {"insatser_genomforda": "överenskommelsernas register över insatser",
                   "insatser_forsenade": "överenskommelsernas register över insatser",
                   "enkat_svarsfrekvens": "lägesbildsenkäten", "intox_manader_utan_formular": "INTOX-formulären"}
KINDS = {"kort sikt": "kort sikt (process: blev arbetet gjort)", "lång sikt": "lång sikt (utfall: förändrades problemet)"}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def follow_up(snap: Snapshot) -> dict:
    """The report's follow-up section: plan table, activities, official statistics, definitions."""
    area = snap.area_code
    name = snap.area_name(area)
    plans = snap.followup_table("uppfoljning")
    plans = plans[plans.area_code == area]
    activities = snap.followup_table("insatser")
    statistics = snap.followup_table("statistik")
    statistics = statistics[statistics.area_code == area]
    empty = plans.empty and activities.empty and statistics.empty
    return {
        "heading": HEADING,
        "name": name,
        "month": period_text(snap.period),
        "empty": empty,
        "plans": [] if empty else _plans(plans),
        "activities": [] if empty else _activities(snap, activities),
        "statistics": [] if empty else _statistics(statistics, name),
        "definitions": [] if empty else _definitions(plans, statistics, snap.followup_table("process")),
    }


# --- plans --------------------------------------------------------------------------------------


def _plans(plans: pd.DataFrame) -> list[dict]:
    found = []
    for plan_id, rows in plans.groupby("plan_id", sort=False):
        first = rows.iloc[0]
        title = first["plan_title"] or plan_id
        body, reasons = [], []
        for row in rows.itertuples(index=False):
            decimals = _int(row.decimals)
            status = _text(row.status) or "underlag saknas"
            symbol = _text(row.status_symbol) or "?"
            polarity = _text(row.polarity)
            body.append([
                {"text": row.title, "note": (row.kind or "") + (f", {polarity}" if polarity else "")},
                _valued(row.baseline_value, decimals, row.baseline_period, row.baseline_note),
                _target(row, decimals),
                _valued(row.latest_value, decimals, row.latest_period, ""),
                _text(row.trend_direction) or "–",
                {"text": f"{symbol} {status}", "css": f"status {STATUS_CLASS.get(status, '')}".strip()},
            ])
            reason, note = _text(row.status_reason), _text(row.note)
            if reason or note:
                reasons.append({"title": row.title, "text": reason + (f" {note}" if note else "")})
        found.append({
            "title": title, "start": period_text(first["plan_from"]), "end": period_text(first["plan_to"]),
            "table": table(f"{title}: indikatorer, mål och status", ["Indikator", "Basvärde", "Mål", "Senaste värde", "Trend", "Status"],
                           body, css="followup"),
            "reasons": reasons,
        })
    return found


def _valued(value, decimals: int, period, note) -> dict:
    note = _text(note)
    text = "–"
    if value is not None and not pd.isna(value):
        text = number(value, decimals) + (f" ({period_text(period)})" if _text(period) else "")
    return {"text": text, "note": note} if note else {"text": text}


def _target(row, decimals: int) -> str:
    text = "–" if row.target_value is None or pd.isna(row.target_value) else number(row.target_value, decimals)
    if _text(row.target_text):
        text += f" ({row.target_text})"
    if _text(row.target_by):
        text += f" till {period_text(row.target_by)}"
    return text


def _int(value, default: int = 0) -> int:
    return default if value is None or pd.isna(value) else int(value)


# --- activities ---------------------------------------------------------------------------------


def _activities(snap: Snapshot, activities: pd.DataFrame) -> list[dict]:
    """One block per area with activities: the report's own area first, then its member municipalities."""
    area = snap.area_code
    members = [code for code in snap.member_codes(area) if code != area]
    blocks = [(area, activities[activities.area_code == area])] + [(code, activities[activities.area_code == code]) for code in members]
    blocks = [(code, rows) for code, rows in blocks if not rows.empty]
    process = snap.followup_table("process")
    found = []
    for code, rows in blocks:
        area_name = snap.area_name(code)
        headed = len(blocks) > 1 or code != area
        tables = []
        for promise, group in rows.groupby("promise", sort=False):
            body = [[activity, _text(responsible) or "–", f"{date(start)} – {date(end)}", status_cell(label, overdue)]
                    for activity, responsible, start, end, label, overdue
                    in zip(group.activity, group.responsible, group.start_date, group.end_date, group.status_label, group.overdue)]
            tables.append(table(f"Medborgarlöfte: {promise} ({area_name})", ["Insats", "Ansvarig funktion", "Period", "Status"], body))
        found.append({
            "heading": (area_name if code == area else f"{area_name} (medlemskommun)") if headed else "",
            "progress": _progress(process, code, "" if headed else area_name),
            "tables": tables,
        })
    return found


def _progress(process: pd.DataFrame, code: str, name: str) -> dict | None:
    total = process[(process.area_code == code) & (process.label.fillna("") == "")]
    done = total[total.indicator_id == "insatser_genomforda"]
    late = total[total.indicator_id == "insatser_forsenade"]
    sentences = []
    if not done.empty:
        row = done.iloc[0]
        share = f" ({number(row['value'], 0)}\u00a0%)" if pd.notna(row["value"]) else ""
        sentences.append(f"{number(row['numerator'])} av {number(row['denominator'])} insatser genomförda{share}; "
                         "inställda insatser räknas inte")
    if not late.empty:
        count = late.iloc[0]["numerator"]
        sentences.append(f"{number(count)} {'försenad' if count == 1 else 'försenade'}")
    if not sentences:
        return None
    return {"lead": name, "text": ". ".join(capitalised(s) for s in sentences) + "."}


def status_cell(label, overdue) -> dict:
    """An activity's status in words, flagged "försenad" when its end date has passed without it being done."""
    cell = {"text": _text(label) or "–"}
    if overdue is True or (not isinstance(overdue, str) and pd.notna(overdue) and bool(overdue)):
        cell["flag"] = "försenad"
    return cell


# --- official statistics ------------------------------------------------------------------------


def rate_text(row) -> str:
    """Per 100 000 inhabitants as computed from the count, or the source's own figure, marked as such."""
    decimals = _int(row.decimals)
    if pd.notna(row.rate_per_100k):
        return number(row.rate_per_100k, decimals)
    if pd.notna(row.value_given):
        return f"{number(row.value_given, decimals)} (enligt källan)"
    return "–"


def counted(statistics: pd.DataFrame) -> pd.DataFrame:
    """The official statistics shown as counts and rates: NTU's survey values have a section of their own
    (pipeline/report/bra.py). A table without `survey` holds none."""
    return statistics[statistics["survey"].fillna("") != "NTU"] if "survey" in statistics else statistics


def _statistics(statistics: pd.DataFrame, name: str) -> list[dict]:
    """Each indicator year by year."""
    found = []
    for _, rows in counted(statistics).groupby("indicator_id", sort=False):
        rows = rows.sort_values("period")
        first = rows.iloc[0]
        unit = _text(first["unit"]) or "per 100 000 invånare"
        body = [[row.period, number(row.count) if pd.notna(row.count) else "–", rate_text(row)] for row in rows.itertuples(index=False)]
        found.append({
            "title": first["title"],
            "table": table(f"{first['title']}, {name}, {rows.period.iloc[0]}–{rows.period.iloc[-1]}", ["År", "Antal", capitalised(unit)],
                           body, numeric={1, 2}),
            "source": first["source"],
            "bases": [f"{r.period}: {r.basis}" for r in rows.itertuples(index=False) if _text(r.basis)],
        })
    return found


# --- definitions --------------------------------------------------------------------------------


def _definitions(plans: pd.DataFrame, statistics: pd.DataFrame, process: pd.DataFrame) -> list[dict]:
    entries: dict[str, tuple[str, str, str, str]] = {}
    for row in plans.itertuples(index=False):
        entries.setdefault(row.title, (row.kind or "", row.unit or "", SOURCE_NAMES.get(row.source, row.source or ""), row.polarity or ""))
    for row in statistics.itertuples(index=False):
        entries.setdefault(row.title, (row.kind or "", row.unit or "", row.source or "", row.polarity or ""))
    for row in process.drop_duplicates("indicator_id").itertuples(index=False):
        entries.setdefault(row.title, ("kort sikt", row.unit or "", PROCESS_SOURCES.get(row.indicator_id, ""), ""))
    found = []
    for title, (kind, unit, source, polarity) in entries.items():
        text = [f"{capitalised(KINDS.get(kind, kind))}." if kind else "", f"Enhet: {unit}." if unit else "",
                f"{capitalised(polarity)}." if polarity and polarity != "ingen" else "", f"Källa: {source}." if source else ""]
        found.append({"title": title, "text": " ".join(t for t in text if t)})
    return found
