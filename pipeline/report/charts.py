"""The reports' charts: plotly figures, each handed to the figure macro with its text alternative and data table.

The only ready-made HTML a template receives is plotly's own chart div (and plotly.js, embedded once
per report, so the report opens offline and asks no server for anything).
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from pipeline.periods import month, period_text, short_period
from pipeline.report.formats import cell, number, table
from pipeline.report.snapshot import Snapshot

# Lines differ in dash and marker as well as colour, so the chart reads without colour too.
LINE_STYLES = [("#1f4e79", "solid", "circle"), ("#c55a11", "dash", "square"), ("#548235", "dot", "diamond"), ("#7f6000", "dashdot", "triangle-up")]
BLUE = "#1f4e79"


PLOTLY_JS = Path(__file__).parent / "vendor" / "plotly-basic.min.js"  # bars and lines only: see vendor/README.md


def plotly_js() -> Markup:
    """plotly.js's basic bundle (the version plotly.py expects), for the page's one inline script."""
    return Markup(PLOTLY_JS.read_text(encoding="utf-8"))


def chart(figure: go.Figure, chart_id: str) -> Markup:
    """plotly's div for a figure, in the reports' common layout."""
    figure.update_layout(
        font={"family": "Arial, sans-serif", "size": 14}, margin={"l": 60, "r": 20, "t": 30, "b": 60},
        plot_bgcolor="white", separators=", ", legend={"orientation": "h", "y": -0.2}, height=380,
    )
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(gridcolor="#dddddd", rangemode="tozero")
    # No mode bar: its buttons would be interactive controls inside the figure's labelled image (axe's
    # nested-interactive), and a report needs no zoom or download; the numbers are in the table beside.
    return Markup(figure.to_html(full_html=False, include_plotlyjs=False, div_id=chart_id,
                                 config={"displayModeBar": False, "displaylogo": False, "responsive": True, "locale": "sv"}))


def figure(figure_: go.Figure, chart_id: str, description: str, data: dict) -> dict:
    """What macros.figure shows: the chart, its text alternative and its numbers as a table."""
    return {"chart": chart(figure_, chart_id), "description": description, "table": data}


def trend_chart(snap: Snapshot, indicator: str, areas: list[str], periods: list[str], chart_id: str, title: str) -> dict:
    """One area's counts per period as labelled bars, or several areas' lines; with the numbers as a table."""
    plot = go.Figure()
    rows = {}
    for (colour, dash, symbol), area in zip(LINE_STYLES, areas):
        series = snap.series(indicator, area, periods)
        rows[area] = series
        if len(areas) == 1:  # one area's counts: bars, each labelled, a hidden period '..'
            plot.add_trace(
                go.Bar(
                    x=[short_period(p) for p in periods], y=series["value"].astype(float).tolist(), marker={"color": colour},
                    text=[_cell(r) for _, r in series.iterrows()],
                    textposition="outside", name=snap.area_name(area), hovertemplate="%{x}: %{text}<extra></extra>",
                )
            )
            continue
        plot.add_trace(
            go.Scatter(
                x=[short_period(p) for p in periods], y=series["value"].astype(float).round(2).tolist(),
                name=snap.area_name(area), mode="lines+markers",
                line={"color": colour, "dash": dash, "width": 2.5}, marker={"symbol": symbol, "size": 7},
                hovertemplate="%{x}: %{y:.1f}<extra>" + html.escape(snap.area_name(area)) + "</extra>",
            )
        )
    columns = ["Period"] + [snap.area_name(area) for area in rows]
    body = [[period_text(p)] + [_cell(rows[area].loc[p]) for area in rows] for p in periods]
    description = f"{title}: {', '.join(snap.area_name(a) for a in areas)}, {period_text(periods[0])} – {period_text(periods[-1])}."
    return figure(plot, chart_id, description, table(title, columns, body, numeric=range(1, len(columns))))


def breakdown(snap: Snapshot, indicator: str, area: str, period: str, chart_id: str) -> dict | None:
    """A breakdown as a bar chart with its numbers written on the bars, and as a table; None without values.
    `all_hidden` says that every category is hidden, so the template can say so instead of showing it."""
    values = snap.of_area(area)
    rows = values[(values.indicator_id == indicator) & (values.period == period)]
    if rows.empty:
        return None
    rows = rows.sort_values("sort_order")
    count_title = rows.iloc[0]["title"]
    # A hidden share has no bar; its label carries the one mark '..', so the chart data never holds the number.
    labels = [label if not r["suppression"] else f"{label} ({_cell(r)})" for label, (_, r) in zip(rows.category_label, rows.iterrows())]
    shares = rows["value"].astype(float).round(1)
    plot = go.Figure(
        go.Bar(
            x=shares.tolist(), y=labels, orientation="h", marker={"color": BLUE},
            text=[_cell(r) + " %" if not r["suppression"] else "" for _, r in rows.iterrows()], textposition="outside",
            hovertemplate="%{y}: %{x:.0f} %<extra></extra>",
        )
    )
    largest = shares.max() if shares.notna().any() else 0
    plot.update_layout(height=max(220, 34 * len(labels) + 80), xaxis={"title": "procent av formulären", "range": [0, max(10, largest * 1.2)]})
    plot.update_yaxes(autorange="reversed")
    body = [[label, _cell(r) if r["suppression"] else number(r["numerator"]), _cell(r)]
            for label, (_, r) in zip(rows.category_label, rows.iterrows())]
    description = f"{count_title}, andel av formulären i {snap.area_name(area)}, 12 månader till och med {month(period)}."
    found = figure(plot, chart_id, description, table(description, [count_title, "Antal formulär", "Andel, procent"], body, numeric={1, 2}))
    return found | {"all_hidden": bool(rows.suppression.fillna("").ne("").all())}


def count_bars(rows: pd.DataFrame, chart_id: str, description: str, label_title: str, axis_title: str,
               by_size: bool = True) -> dict | None:
    """A breakdown of counts (one area, one period) as labelled horizontal bars, largest first (or in the
    code list's order), and as a table; None without rows. A hidden count has no bar, only its mark."""
    if rows.empty:
        return None
    hidden = rows.suppression.fillna("").ne("")
    order = ["_hidden", "_value", "sort_order"] if by_size else ["sort_order"]
    rows = rows.assign(_hidden=hidden, _value=-rows.value.fillna(0)).sort_values(order)
    labels = [label if not r["suppression"] else f"{label} ({_cell(r)})" for label, (_, r) in zip(rows.category_label, rows.iterrows())]
    values = rows["value"].astype(float)
    plot = bars(labels, values.tolist(), [_cell(r) if not r["suppression"] else "" for _, r in rows.iterrows()], axis_title,
                values.max() if values.notna().any() else 1, "%{y}: %{x}<extra></extra>")
    plot.update_xaxes(dtick=None)
    body = [[label, _cell(r)] for label, (_, r) in zip(rows.category_label, rows.iterrows())]
    found = figure(plot, chart_id, description + ".", table(description, [label_title, "Antal"], body, numeric={1}))
    return found | {"all_hidden": bool(rows._hidden.all())}


def bars(labels: list[str], values: list[int], texts: list[str], axis_title: str, largest: float, hover: str) -> go.Figure:
    """Horizontal bars, largest first, each labelled with its text (the questionnaire's regional picture)."""
    plot = go.Figure(go.Bar(x=values, y=labels, orientation="h", marker={"color": BLUE}, text=texts, textposition="outside",
                            hovertemplate=hover))
    plot.update_layout(height=max(220, 34 * len(labels) + 90), xaxis={"title": axis_title, "range": [0, largest * 1.25 + 0.5], "dtick": 1})
    plot.update_yaxes(autorange="reversed")
    return plot


def _cell(row: pd.Series | None) -> str:
    """A value of a series row: a month outside the coverage has no row (all fields missing); a hidden value is '..'."""
    return cell(None if row is None or pd.isna(row["indicator_id"]) else row)
