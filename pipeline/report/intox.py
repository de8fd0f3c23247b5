"""The INTOX source in the reports: the view-models of its sections (templates in notebooks/template/sections/intox/)."""
from __future__ import annotations

import pandas as pd

from pipeline.periods import CHAINS, KIND_NAMES, kind, last_month, latest_complete, month, period_text, series, shift, year_earlier
from pipeline.report.charts import breakdown, trend_chart
from pipeline.report.formats import cell, legend, number, small_count, span, table
from pipeline.report.snapshot import Snapshot

TREND_YEARS = 5  # a trend shows the last five years, from the first period with figures

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
    end = last_month(snap.period)
    return [shift(end, -i) for i in range(23, -1, -1)]


def indicator(base: str, kind_: str) -> str:
    """The indicator of a period kind: ('intox_cases', 'tertial') -> 'intox_cases_tertial'; a month's is the base."""
    return base if kind_ == "month" else f"{base}_{kind_}"


def key_figures(snap: Snapshot) -> dict:
    area, period, kind_ = snap.area_code, snap.period, kind(snap.period)
    end = last_month(period)
    last_year = shift(end, -12)
    if kind_ == "month":
        lines = [  # label, count, rate, the period the figures are read at
            (month(period).capitalize(), "intox_cases", "intox_rate", period),
            (f"{month(last_year).capitalize()} (samma månad året innan)", "intox_cases_ly", "intox_rate_ly", period),
        ]
    else:  # a quarter, tertial, half-year or year, and the same period a year earlier
        lines = [(period_text(p).capitalize(), indicator("intox_cases", kind_), indicator("intox_rate", kind_), p)
                 for p in (period, year_earlier(period))]
        lines[1] = (f"{lines[1][0]} (samma period året innan)", *lines[1][1:])
    if kind_ != "year":  # a year is its own 12 months
        lines += [
            (f"12 månader till och med {month(end)}", "intox_cases_r12", "intox_rate_r12", end),
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
    now = snap.get(lines[0][1], area, period)
    basis = snap.get(lines[0][2], area, period)
    # a month is too small to compare with itself a year earlier: its rolling 12 months are compared instead
    compared = ("intox_rate_r12", end, last_year) if kind_ == "month" else (indicator("intox_rate", kind_), period, year_earlier(period))
    return {
        "table": table(f"INTOX-formulär för invånare i {snap.area_name(area)}", columns[:width], rows, numeric=range(1, width)),
        "change": _change(snap.get(compared[0], area, compared[1]), snap.get(compared[0], area, compared[2])),
        "own": kind_ != "month",
        "period": period_text(period).capitalize(),
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


def _with_figures(snap: Snapshot, indicator_id: str, area: str, periods: list[str]) -> list[str]:
    """The periods from the first that has a published row for the area (covered, shown or hidden)."""
    values = snap.of_area(area)
    present = set(values.loc[values.indicator_id == indicator_id, "period"])
    first = next((i for i, p in enumerate(periods) if p in present), len(periods))
    return periods[first:]


def ladder(period: str) -> tuple[str, ...]:
    """The kinds a report's counts may be drawn at, finest first: its own and the coarser ones its
    snapshot publishes (periods.CHAINS), e.g. month, tertial, year."""
    chain = CHAINS[kind(period)]
    return chain[chain.index(kind(period)):]


def resolution(snap: Snapshot, area: str) -> tuple[str, list[str], int]:
    """The finest period kind of the report's ladder at which more than half of the area's periods with
    figures over the last five years are shown; where none is, the one that shows the most.
    Returns the kind, its periods and how many are shown."""
    end = last_month(snap.period)
    best = None
    for kind_ in ladder(snap.period):
        latest = latest_complete(end, kind_)
        periods = _with_figures(snap, indicator("intox_cases", kind_), area, series(latest, TREND_YEARS))
        rows = snap.series(indicator("intox_cases", kind_), area, periods)
        shown = int((rows.indicator_id.notna() & rows.suppression.fillna("").eq("")).sum())
        if periods and shown * 2 > len(periods):
            return kind_, periods, shown
        if best is None or shown > best[2]:
            best = (kind_, periods, shown)
    return best


def trend(snap: Snapshot) -> dict:
    area, own = snap.area_code, kind(snap.period)
    areas = [area] + snap.comparison_areas(snap.area_type, area)
    # a month's rate is too small to compare: the rolling 12 months ending each month
    rate_id = "intox_rate_r12" if own == "month" else indicator("intox_rate", own)
    rate_title = "Formulär per 10 000 invånare, " + ("rullande 12 månader" if own == "month" else f"per {KIND_NAMES[own]}")
    rate_periods = _with_figures(snap, rate_id, area, series(snap.period, TREND_YEARS))
    chosen, periods, shown = resolution(snap, area)
    counts_title = f"Antal formulär per {KIND_NAMES[chosen]}"
    return {
        "own": KIND_NAMES[own],
        "rolling": own == "month",
        "rate": trend_chart(snap, rate_id, areas, rate_periods, f"trend-{area}", rate_title) if rate_periods else None,
        "counts": trend_chart(snap, indicator("intox_cases", chosen), [area], periods, f"antal-{area}", counts_title) if shown else None,
        "counts_title": counts_title,
        "resolution": KIND_NAMES[chosen],
        "coarser": chosen != own,
        "ladder": [KIND_NAMES[k] for k in ladder(snap.period)],
        "name": snap.area_name(area),
        "wider": [snap.area_name(a) for a in snap.comparison_areas(snap.area_type, area)],
    }


def breakdowns(snap: Snapshot) -> dict:
    """A year's breakdowns are the year's own (the rolling 12 months ending in December); a shorter
    period's are the 12 months ending with it: breakdowns per quarter or tertial are not published."""
    area, end = snap.area_code, last_month(snap.period)
    parts = []
    for indicator_id, heading, note in BREAKDOWNS:
        figure = breakdown(snap, indicator_id, area, end, f"{indicator_id}-{area}")
        parts.append({"heading": heading, "note": note, "figure": figure if figure and not figure["all_hidden"] else None,
                      "all_hidden": bool(figure and figure["all_hidden"])})
    return {"period": month(end), "year": kind(snap.period) == "year" and snap.period,
            "name": snap.area_name(area), "wider": [snap.area_name(a) for a in snap.comparison_areas(snap.area_type, area)],
            "parts": parts}


def members(snap: Snapshot) -> dict:
    """For a region: each member municipality's key figures side by side; a link where the municipality has a report."""
    area = snap.area_code
    codes = set(snap.values.loc[snap.values.area_type == "kommun", "area_code"].unique())
    wanted = snap.member_codes(area)
    end = last_month(snap.period)
    figures = [(indicator("intox_cases", kind(snap.period)), snap.period), ("intox_cases_r12", end), ("intox_rate_r12", end)]
    # the three figures of every member at once (the country has 290): what snap.get gives, one member at a time
    values = snap.values
    found = pd.concat([values[(values.indicator_id == i) & (values.period == at) & (values.category == "")] for i, at in figures])
    found = found.drop_duplicates(["indicator_id", "area_code"]).set_index(["indicator_id", "area_code"])
    rows = []
    for code in [c for c in wanted if c in codes]:
        name = snap.area_name(code)
        rows.append([
            {"text": name, "href": f"../kommun/{code}.html"} if snap.has_report(code) else name,
            *(cell(found.loc[(indicator_id, code)] if (indicator_id, code) in found.index else None) for indicator_id, _ in figures),
        ])
    columns = ["Kommun", f"Antal {period_text(snap.period)}", "Antal, 12 månader", "Per 10 000, 12 månader"]
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
        "period": period_text(snap.period),
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
