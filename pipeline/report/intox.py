"""The INTOX source in the reports: the view-models of its sections (templates in notebooks/template/sections/intox/)."""
from __future__ import annotations

import pandas as pd

from pipeline.periods import month, shift
from pipeline.report.charts import breakdown, trend_chart
from pipeline.report.formats import cell, legend, number, small_count, span, table
from pipeline.report.snapshot import Snapshot

BREAKDOWNS = [
    ("intox_substance_r12", "Substanser", "Ett formulär kan ange flera substanser; andelarna summerar därför inte till 100 procent."),
    ("intox_age_r12", "Ålder", ""),
    ("intox_sex_r12", "Kön", ""),
    ("intox_intent_r12", "Avsikt", ""),
]

RULES = {
    "obligatorisk": "värde saknas", "datum": "ogiltigt datum", "datum_intervall": "datum utanför rimligt intervall",
    "alder": "ogiltig ålder", "heltal": "ogiltigt heltal", "ja_nej": "varken ja eller nej", "kod": "okänt svar",
    "kodlista": "okänd substans", "kommun": "okänd kommun", "unik": "formulär-id förekommer två gånger",
}


def _months(snap: Snapshot) -> list[str]:
    return [shift(snap.period, -i) for i in range(23, -1, -1)]


def key_figures(snap: Snapshot) -> dict:
    area, period, last_year = snap.area_code, snap.period, shift(snap.period, -12)
    lines = [  # label, count, rate, the period the figures are read at
        (month(period).capitalize(), "intox_cases", "intox_rate", period),
        (f"{month(last_year).capitalize()} (samma månad året innan)", "intox_cases_ly", "intox_rate_ly", period),
        ("Rullande 12 månader", "intox_cases_r12", "intox_rate_r12", period),
        (f"12 månader till och med {month(last_year)}", "intox_cases_r12", "intox_rate_r12", last_year),
    ]
    rows = []
    for label, count_id, rate_id, at in lines:
        count, rate = snap.get(count_id, area, at), snap.get(rate_id, area, at)
        row = [label, cell(count), cell(rate)]
        if count is not None and count["area_type"] != "kommun":
            # a region's comparisons may rest on other members than now: say on how many
            row.append(f"{int(count['areas_covered'])} av {int(count['areas_total'])}")
        rows.append(row)
    columns = ["Period", "Antal formulär", "Per 10 000 invånare", "Kommuner som ingår"]
    width = max(len(r) for r in rows)
    rows = [r + ["–"] * (width - len(r)) for r in rows]
    now = snap.get("intox_cases", area, period)
    basis = snap.get("intox_rate", area, period)
    return {
        "table": table(f"INTOX-formulär för invånare i {snap.area_name(area)}", columns[:width], rows, numeric=range(1, width)),
        "change": _change(snap.get("intox_rate_r12", area, period), snap.get("intox_rate_r12", area, last_year)),
        "covered": now is not None,
        "region_coverage": ({"covered": int(now["areas_covered"]), "total": int(now["areas_total"])}
                            if now is not None and now["area_type"] != "kommun" else None),
        "population": basis["population_basis"] if basis is not None and basis["population_basis"] else "",
        "legend": legend(snap.threshold),
    }


def _change(now: pd.Series | None, before: pd.Series | None) -> dict | None:
    """The rolling 12-month rate now and a year before; None when either is missing or hidden."""
    if now is None or before is None or now["suppression"] or before["suppression"] or pd.isna(now["value"]) or pd.isna(before["value"]):
        return None
    difference = round(now["value"] - before["value"], 1)
    return {"now": number(now["value"], 1), "before": number(before["value"], 1), "difference": number(abs(difference), 1),
            "direction": "lika" if difference == 0 else ("fler" if difference > 0 else "färre")}


def trend(snap: Snapshot) -> dict:
    periods, area = _months(snap), snap.area_code
    areas = [area] + snap.comparison_areas(snap.area_type, area)
    return {
        "rate": trend_chart(snap, "intox_rate_r12", areas, periods, f"trend-{area}", "Formulär per 10 000 invånare, rullande 12 månader"),
        "counts": trend_chart(snap, "intox_cases", [area], periods, f"manad-{area}", "Antal formulär per månad"),
    }


def breakdowns(snap: Snapshot) -> dict:
    area = snap.area_code
    return {
        "period": month(snap.period),
        "parts": [{"heading": heading, "note": note, "figure": breakdown(snap, indicator, area, snap.period, f"{indicator}-{area}")}
                  for indicator, heading, note in BREAKDOWNS],
    }


def members(snap: Snapshot) -> dict:
    """For a region: each member municipality's key figures side by side; a link where the municipality has a report."""
    area = snap.area_code
    codes = set(snap.values.loc[snap.values.area_type == "kommun", "area_code"])
    wanted = snap.member_codes(area)
    rows = []
    for code in [c for c in wanted if c in codes]:
        name = snap.area_name(code)
        rows.append([
            {"text": name, "href": f"../kommun/{code}.html"} if snap.has_report(code) else name,
            *(cell(snap.get(indicator, code, snap.period)) for indicator in ("intox_cases", "intox_cases_r12", "intox_rate_r12")),
        ])
    columns = ["Kommun", f"Antal {month(snap.period)}", "Antal, 12 månader", "Per 10 000, 12 månader"]
    return {"table": table(f"Kommunerna i {snap.area_name(area)}", columns, rows, numeric={1, 2, 3}), "missing": len(wanted) - len(rows)}


def intox_files(snap: Snapshot) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The INTOX part of the file tables: files, unit folders and quarantine. The questionnaire's own
    files (under enkat/) are reported in its section; a refused file whose source is unknown stays here."""
    files = snap.files
    under_enkat = files.path.str.startswith("enkat/")
    files = files[files.source.eq("intox") | (files.source.isna() & ~under_enkat)]
    folders = snap.folders[snap.folders.folder.eq("intox") | snap.folders.folder.str.startswith("intox/")]
    issues = snap.issues[snap.issues.path.isin(set(files.path))]
    return files, folders, issues


def data_quality(snap: Snapshot) -> dict:
    monthly = snap.series("intox_cases", snap.area_code, _months(snap))
    zero = [month(p) for p, row in monthly.iterrows() if row["suppression"] == "" and row["value"] == 0]
    uncovered = [month(p) for p, row in monthly.iterrows() if pd.isna(row["indicator_id"])]
    files, folders, issues = intox_files(snap)
    small = lambda value: small_count(value, snap.threshold)  # noqa: E731
    folder_rows = [[{"code": f"{r.folder}/"}, number(r.files), small(r.rows_read), small(r.rows_loaded), small(r.rows_quarantined),
                    span(r.first_period, r.last_period)] for r in folders.itertuples()]
    file_rows = [[{"code": r.path}, r.status, span(r.first_period, r.last_period), {"code": r.sha256}] for r in files.itertuples()]
    issue_rows = [[{"code": r.path}, r.column_name, RULES.get(r.rule, r.rule), small(r.rows)] for r in issues.itertuples()]
    left = [{"reason": r.reason, "forms": small(r.forms)} for r in snap.left_out.itertuples() if pd.isna(r.forms) or r.forms]
    return {
        "period": month(snap.period),
        "zero_months": ", ".join(zero),
        "uncovered_months": ", ".join(uncovered),
        "folders": table("Filer som rapporten bygger på, per mapp",
                         ["Mapp (enhet)", "Filer", "Rader lästa", "Inlästa", "I karantän", "Månader"], folder_rows, numeric=range(1, 6)),
        "files": table("Varje fil med kontrollsumma", ["Fil", "Status", "Månader", "Kontrollsumma (sha256)"], file_rows, numeric=range(1, 4)),
        "refused": [r.description for r in files[files.status == "avvisad"].itertuples()],
        "issues": table("Rader i karantän, per fil, kolumn och fel", ["Fil", "Kolumn", "Fel", "Rader"], issue_rows, numeric=range(1, 4))
        if issue_rows else None,
        "left_out": left,
    }


def definitions(snap: Snapshot) -> dict:
    monthly = snap.catalogue[snap.catalogue.window_name == "month"] if "window_name" in snap.catalogue else snap.catalogue
    return {"entries": [{"title": r.title, "description": r.description, "unit": r.unit, "kind": _kind_text(r),
                         "source": getattr(r, "source", "")} for r in monthly.itertuples()]}


def _kind_text(entry) -> str:
    """'Lång sikt (utfall), lägre är bättre.' from the catalogue; older snapshots lack the fields."""
    kind = getattr(entry, "kind", "")
    if not isinstance(kind, str) or not kind:
        return ""
    meaning = {"kort sikt": "process: blev arbetet gjort", "lång sikt": "utfall: förändrades problemet"}[kind]
    polarity = getattr(entry, "polarity", "ingen")
    return f"{kind.capitalize()} ({meaning})" + (f", {polarity}." if polarity and polarity != "ingen" else ".")
