"""What the report notebooks call: read the published snapshot, format in Swedish, draw.

Everything here reads data/processed/<period>/ only — the suppressed, aggregated snapshot — so
no report can show a staging row or a hidden count. Output is HTML handed to IPython.display.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import plotly.offline

MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"]
SHORT_MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
# Lines differ in dash and marker as well as colour, so the chart reads without colour too.
LINE_STYLES = [("#1f4e79", "solid", "circle"), ("#c55a11", "dash", "square"), ("#548235", "dot", "diamond"), ("#7f6000", "dashdot", "triangle-up")]
LEGEND = (
    "<p class='legend'><strong>Teckenförklaring:</strong> &lt;5 = färre än fem, visas inte av sekretesskäl; "
    ".. = dold så att en annan dold uppgift inte kan räknas fram; – = uppgift saknas (området ingår inte i "
    "registreringen den perioden).</p>"
)


# --- Swedish formats ----------------------------------------------------------------------------


def number(value: float | None, decimals: int = 0) -> str:
    """1234.5 -> '1 234,5' (non-breaking space between thousands, decimal comma)."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",").replace("-", "−")


def month(period: str) -> str:
    """'2026-10' -> 'oktober 2026'."""
    year, number_ = period.split("-")
    return f"{MONTHS[int(number_) - 1]} {year}"


def short_month(period: str) -> str:
    year, number_ = period.split("-")
    return f"{SHORT_MONTHS[int(number_) - 1]} {year}"


def shift(period: str, months: int) -> str:
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def is_round(period: object) -> bool:
    """'2026-H1' is a questionnaire round; '2026-10' a month."""
    return isinstance(period, str) and re.fullmatch(r"\d{4}-H[12]", period) is not None


def round_text(round_: str) -> str:
    """'2026-H1' -> 'första halvåret 2026', '2026-H2' -> 'andra halvåret 2026'."""
    return f"{'första' if round_.endswith('H1') else 'andra'} halvåret {round_[:4]}"


def short_round(round_: str) -> str:
    """'2026-H1' -> '2026 H1' (where space is tight)."""
    return f"{round_[:4]}\u00a0{round_[5:]}"


def round_begun(round_: str, period: str) -> bool:
    """A round has begun by month `period` when its first month (January or July) is not after it."""
    return f"{round_[:4]}-{'01' if round_.endswith('H1') else '07'}" <= period


def cell(row: pd.Series | None, decimals: int | None = None) -> str:
    """A published value as text: the number, '<5', '..' or '–'."""
    if row is None:
        return "–"
    if row["suppression"] == "primär":
        return "&lt;5"
    if row["suppression"]:
        return ".."
    return number(row["value"], int(row["decimals"]) if decimals is None else decimals)


def esc(text: object) -> str:
    return html.escape(str(text))


# --- data ---------------------------------------------------------------------------------------


# The questionnaire tables of a snapshot (pipeline/publish_enkat.py) and their columns: an older
# snapshot without them reads as empty tables.
ENKAT_TABLES = {
    "enkat_answers": ["municipality_code", "round", "sector", "sector_label", "sector_order", "area_id", "area_title", "area_order",
                      "question_id", "question_text", "question_order", "presence", "presence_label", "presence_value",
                      "trend", "trend_label", "trend_value"],
    "enkat_values": ["municipality_code", "round", "area_id", "question_id", "answered", "sectors", "positioned", "presence_index",
                     "share_some_or_more", "share_dont_know", "trend_answered", "share_increased", "share_decreased",
                     "share_trend_dont_know", "spread", "samsyn_gap", "previous_round", "previous_index", "index_change",
                     "share_some_or_more_change", "area_title", "area_order", "question_text", "question_order"],
    "enkat_distribution": ["municipality_code", "round", "area_id", "question_id", "scale", "code", "answers", "label", "value", "sort_order"],
    "enkat_samsyn": ["municipality_code", "round", "area_id", "question_id", "sector_low", "answer_low", "sector_high", "answer_high",
                     "difference", "area_title", "question_text", "question_order", "sector_low_label", "answer_low_label",
                     "sector_high_label", "answer_high_label"],
    "enkat_region": ["area_type", "area_code", "round", "area_id", "question_id", "municipalities_answered", "municipalities_some_or_more",
                     "municipalities_increased", "presence_index", "municipalities", "rank", "area_name", "area_title",
                     "question_text", "question_order"],
    "enkat_coverage": ["municipality_code", "round", "sector", "expected", "submissions", "replaced", "submitted_at",
                       "municipality_name", "sector_label", "sector_order"],
    "enkat_replaced": ["round", "municipality_code", "sector", "path", "source_row", "submitted_at", "kept_path", "kept_row",
                       "kept_submitted_at", "sector_label"],
}

# The follow-up tables of a snapshot (pipeline/followup.py, the agreements register, official
# statistics): an older snapshot without them reads as empty tables.
FOLLOWUP_TABLES = {
    "uppfoljning": ["plan_id", "plan_title", "plan_from", "plan_to", "area_type", "area_code", "indicator", "source", "indicator_id",
                    "category", "title", "kind", "polarity", "unit", "decimals", "baseline_value", "baseline_period", "baseline_note",
                    "target_value", "target_text", "target_by", "latest_value", "latest_period", "trend_slope", "trend_unit",
                    "trend_points", "trend_from", "trend_direction", "status", "status_symbol", "status_text", "status_reason", "note"],
    "insatser": ["area_type", "area_code", "promise", "activity", "responsible", "start_date", "end_date", "status", "status_label",
                 "overdue", "indicators"],
    "process": ["area_type", "area_code", "indicator_id", "title", "label", "period", "numerator", "denominator", "value", "unit"],
    "statistik": ["area_type", "area_code", "period", "indicator_id", "count", "population", "rate_per_100k", "value_given", "basis",
                  "areas_covered", "areas_total", "files", "title", "unit", "decimals", "kind", "polarity", "source"],
}


@dataclass
class Snapshot:
    period: str
    values: pd.DataFrame
    files: pd.DataFrame
    issues: pd.DataFrame
    left_out: pd.DataFrame
    folders: pd.DataFrame
    members: pd.DataFrame
    catalogue: pd.DataFrame
    # questionnaire tables, already narrowed to the report's area (see load)
    enkat: dict[str, pd.DataFrame] = field(default_factory=dict)
    # follow-up tables, narrowed to the report's area and (for a region) its members
    followup: dict[str, pd.DataFrame] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str | Path, period: str, area: str) -> "Snapshot":
        """The snapshot's rows for `area`, the regions that contain it and its members: what one report shows."""
        directory = Path(directory)
        read = lambda name: pd.read_parquet(directory / f"{name}.parquet")  # noqa: E731
        members = read("members")
        related = {area, "riket"} | set(members.loc[members.municipality_code == area, "area_code"])
        related |= set(members.loc[members.area_code == area, "municipality_code"])
        inside = set(members.loc[members.area_code == area, "municipality_code"])
        related |= {code for code, group in members.groupby("area_code") if inside and inside <= set(group.municipality_code)}
        values = pd.read_parquet(directory / "indicators.parquet", filters=[("area_code", "in", sorted(related))])
        catalogue = pd.DataFrame(json.loads((directory / "catalogue.json").read_text(encoding="utf-8")))
        enkat = {name: _enkat_table(directory, name, area, inside or {area}) for name in ENKAT_TABLES}
        followup = {name: _followup_table(directory, name, {area} | inside) for name in FOLLOWUP_TABLES}
        return cls(period, values, *(read(name) for name in ("files", "issues", "left_out", "folders")), members, catalogue, enkat, followup)

    def enkat_table(self, name: str) -> pd.DataFrame:
        """A questionnaire table for the report's area (empty, with its columns, when the snapshot has none)."""
        return self.enkat.get(name, pd.DataFrame(columns=ENKAT_TABLES[name]))

    def followup_table(self, name: str) -> pd.DataFrame:
        """A follow-up table for the report's area (empty, with its columns, when the snapshot has none)."""
        return self.followup.get(name, pd.DataFrame(columns=FOLLOWUP_TABLES[name]))

    def enkat_round(self) -> str | None:
        """The round the report shows: the latest begun by the report's month that has answers for the area."""
        answers = self.enkat_table("enkat_answers")
        rounds = sorted(r for r in set(answers["round"].dropna()) if round_begun(r, self.period))
        return rounds[-1] if rounds else None

    def get(self, indicator: str, area: str, period: str, category: str = "") -> pd.Series | None:
        rows = self.values[
            (self.values.indicator_id == indicator) & (self.values.area_code == area)
            & (self.values.period == period) & (self.values.category == category)
        ]
        return None if rows.empty else rows.iloc[0]

    def series(self, indicator: str, area: str, periods: list[str]) -> pd.DataFrame:
        rows = self.values[(self.values.indicator_id == indicator) & (self.values.area_code == area) & self.values.period.isin(periods)]
        return rows.set_index("period").reindex(periods)

    def area_name(self, area: str) -> str:
        names = self.values.loc[self.values.area_code == area, "area_name"]
        return names.iloc[0] if len(names) else area

    def comparison_areas(self, area_type: str, area: str) -> list[str]:
        """The areas a report compares with: a municipality's cooperations and county; a region's county and the country."""
        present = set(self.values.area_code)
        m = self.members
        if area_type == "kommun":
            containing = m.loc[m.municipality_code == area]
            found = list(containing.loc[containing.area_type == "region", "area_code"]) + list(containing.loc[containing.area_type == "lan", "area_code"])
        elif area_type == "region":
            inside = set(m.loc[m.area_code == area, "municipality_code"])
            counties = m[m.area_type == "lan"].groupby("area_code").municipality_code.apply(set)
            found = [code for code, codes in counties.items() if inside <= codes] + ["riket"]
        else:
            found = ["riket"] if area != "riket" else []
        return [code for code in found if code in present]

    def member_codes(self, area: str) -> list[str]:
        return sorted(self.members.loc[self.members.area_code == area, "municipality_code"])


def _enkat_table(directory: Path, name: str, area: str, municipalities: set[str]) -> pd.DataFrame:
    """One questionnaire table narrowed to a report: a region's own rows in the regional picture, its members' elsewhere."""
    path = directory / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame(columns=ENKAT_TABLES[name])
    column, wanted = ("area_code", [area]) if name == "enkat_region" else ("municipality_code", sorted(municipalities))
    try:
        return pd.read_parquet(path, filters=[(column, "in", wanted)])
    except pa.ArrowException:  # a table without rows is written with untyped (null) columns, which cannot be filtered
        frame = pd.read_parquet(path)
        return frame[frame[column].isin(wanted)]


def _followup_table(directory: Path, name: str, areas: set[str]) -> pd.DataFrame:
    path = directory / f"{name}.parquet"
    if not path.exists():
        return pd.DataFrame(columns=FOLLOWUP_TABLES[name])
    frame = pd.read_parquet(path)
    return frame[frame["area_code"].isin(areas)].reset_index(drop=True)


# --- HTML pieces --------------------------------------------------------------------------------


def plotly_script() -> str:
    """plotly.js, once per report, inline: the report opens offline and asks no server for anything."""
    return f"<script>{plotly.offline.get_plotlyjs()}</script>"


def chart(figure: go.Figure, chart_id: str, description: str) -> str:
    figure.update_layout(
        font={"family": "Arial, sans-serif", "size": 14}, margin={"l": 60, "r": 20, "t": 30, "b": 60},
        plot_bgcolor="white", separators=", ", legend={"orientation": "h", "y": -0.2}, height=380,
    )
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(gridcolor="#dddddd", rangemode="tozero")
    body = figure.to_html(full_html=False, include_plotlyjs=False, div_id=chart_id,
                          config={"displaylogo": False, "responsive": True, "locale": "sv"})
    return f"<figure class='chart' role='img' aria-label='{esc(description)}'>{body}<figcaption>{esc(description)}</figcaption></figure>"


def table(frame: pd.DataFrame, caption: str, first_column_is_header: bool = True) -> str:
    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = [f"<th scope='row'>{row[0]}</th>" if first_column_is_header else f"<td>{row[0]}</td>"]
        cells += [f"<td class='num'>{value}</td>" for value in row[1:]]
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def data_table(content: str, summary: str = "Visa siffrorna i tabellform", kind: str = "data") -> str:
    """A table folded away on screen (kind "data": the numbers behind a chart) and shown when printed."""
    return f"<details class='{kind}'><summary>{esc(summary)}</summary>{content}</details>"


def trend_chart(snap: Snapshot, indicator: str, areas: list[str], periods: list[str], chart_id: str, title: str) -> str:
    figure = go.Figure()
    rows = {}
    for (colour, dash, symbol), area in zip(LINE_STYLES, areas):
        series = snap.series(indicator, area, periods)
        rows[area] = series
        if len(areas) == 1:  # one area's monthly counts: bars, each labelled, hidden months say so
            figure.add_trace(
                go.Bar(
                    x=[short_month(p) for p in periods], y=series["value"].astype(float).tolist(), marker={"color": colour},
                    text=[html.unescape(cell(None if pd.isna(r["indicator_id"]) else r)) for _, r in series.iterrows()],
                    textposition="outside", name=snap.area_name(area), hovertemplate="%{x}: %{text}<extra></extra>",
                )
            )
            continue
        figure.add_trace(
            go.Scatter(
                x=[short_month(p) for p in periods], y=series["value"].astype(float).round(2).tolist(),
                name=snap.area_name(area), mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 2.5}, marker={"symbol": symbol, "size": 7},
                hovertemplate="%{x}: %{y:.1f}<extra>" + esc(snap.area_name(area)) + "</extra>",
            )
        )
    frame = pd.DataFrame({"Månad": [month(p) for p in periods]})
    for area, series in rows.items():
        frame[snap.area_name(area)] = [cell(None if pd.isna(r["indicator_id"]) else r) for _, r in series.iterrows()]
    description = f"{title}: {', '.join(snap.area_name(a) for a in areas)}, {month(periods[0])} – {month(periods[-1])}."
    return chart(figure, chart_id, description) + data_table(table(frame, title))


def breakdown(snap: Snapshot, indicator: str, area: str, period: str, chart_id: str) -> str:
    """A breakdown as a bar chart with its numbers written on the bars, and as a table."""
    rows = snap.values[(snap.values.indicator_id == indicator) & (snap.values.area_code == area) & (snap.values.period == period)]
    if rows.empty:
        return "<p>Uppgift saknas för perioden.</p>"
    rows = rows.sort_values("sort_order")
    count_title = rows.iloc[0]["title"]
    # A hidden share has no bar; its label says why, so the chart data never holds the number.
    labels = [label if not r["suppression"] else f"{label} ({html.unescape(cell(r))})" for label, (_, r) in zip(rows.category_label, rows.iterrows())]
    shares = rows["value"].astype(float).round(1)
    figure = go.Figure(
        go.Bar(
            x=shares.tolist(), y=labels, orientation="h", marker={"color": "#1f4e79"},
            text=[cell(r) + " %" if not r["suppression"] else "" for _, r in rows.iterrows()], textposition="outside",
            hovertemplate="%{y}: %{x:.0f} %<extra></extra>",
        )
    )
    largest = shares.max() if shares.notna().any() else 0
    figure.update_layout(height=max(220, 34 * len(labels) + 80), xaxis={"title": "procent av formulären", "range": [0, max(10, largest * 1.2)]})
    figure.update_yaxes(autorange="reversed")
    frame = pd.DataFrame(
        {
            count_title: [esc(l) for l in rows.category_label],
            "Antal formulär": [_count_text(r) for _, r in rows.iterrows()],
            "Andel, procent": [cell(r) for _, r in rows.iterrows()],
        }
    )
    description = f"{count_title}, andel av formulären i {snap.area_name(area)}, 12 månader till och med {month(period)}."
    return chart(figure, chart_id, description) + data_table(table(frame, description))


def _count_text(row: pd.Series) -> str:
    return cell(row) if row["suppression"] else number(row["numerator"])
