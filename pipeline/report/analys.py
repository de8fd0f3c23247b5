"""The coordinator's own analysis: analys/<period>/<area>.md in the workspace, shown first in that area's report.

The file is Markdown written by a person, so it is rendered by markdown-it with raw HTML off: a
<script> or an onerror= in it is escaped and shows as text. Links keep only http(s) and mailto,
images are off (a report makes no network request), and the file's headings are moved below the
section's own heading and kept in order, so the report's heading order holds whatever the file has.

`starter` writes the file's first version from the published snapshot only.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path

import jinja2
import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup

from pipeline.periods import kind, last_month, period_text, shift, year_earlier
from pipeline.report import templates
from pipeline.report.formats import HIDDEN, MISSING, capitalised, cell, date, join, mid_sentence
from pipeline.report.snapshot import read_areas
from pipeline.sources import BY_NAME, SOURCES

FOLDER = "analys"
SECTION_LEVEL = 2  # the section's own heading; the file's top heading goes one below it
SAFE_SCHEMES = ("http:", "https:", "mailto:")
TEMPLATE = "sections/analys/analysis.html.j2"
STARTER = "sections/analys/start.md.j2"


def relative_path(period: str, area: str) -> str:
    """How a reader finds the file in the workspace: 'analys/2026-T2/sutohamu.md'."""
    return f"{FOLDER}/{period}/{area}.md"


def path_in(workspace_root: Path, period: str, area: str) -> Path:
    return Path(workspace_root) / relative_path(period, area)


def fingerprint(path: Path) -> str:
    """The file's content hash, or 'none': what makes the area's report be redone when the file changes."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return "none"


def _safe_link(url: str) -> bool:
    # markdown-it's own check already refuses javascript:, vbscript: and file:; a report keeps only web and mail links
    return url.strip().lower().startswith(SAFE_SCHEMES)


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
    parser.validateLink = _safe_link
    return parser


def to_html(text: str, section_level: int = SECTION_LEVEL) -> Markup:
    """The Markdown as HTML: raw HTML escaped, headings below `section_level` and never skipping a level."""
    parser = _parser()
    tokens = parser.parse(text)
    levels = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    previous = section_level
    for token in tokens:
        if token.type == "heading_open":
            level = min(6, section_level + 1 + levels.index(int(token.tag[1])), previous + 1)
            token.tag = f"h{level}"
            previous = level
        elif token.type == "heading_close":
            token.tag = f"h{previous}"
    # Markup only because markdown-it with html off escapes every character of the file itself
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:  # saved by an older Windows editor
        return data.decode("cp1252", errors="replace")


def model(period: str, area: str, path: Path | None, heading: str = "Samordnarens analys") -> dict:
    """What the section shows: the analysis rendered, or how to start one; `heading` is the section's (the
    year's lägesbild calls it Analys)."""
    shown = relative_path(period, area)
    found = path is not None and Path(path).is_file()
    text = _read(Path(path)) if found else ""
    return {
        "heading": heading,
        "period": period_text(period),
        "path": shown,
        "found": found,
        "empty": found and not text.strip(),
        "modified": date(dt.datetime.fromtimestamp(Path(path).stat().st_mtime)) if found else "",
        "html": to_html(text) if text.strip() else Markup(""),
        "command": f"lagesbild template analys --period {period} --area {area}",
    }


def render(period: str, area: str, path: Path | None, heading: str = "Samordnarens analys") -> Markup:
    return templates.render(TEMPLATE, model(period, area, path, heading))


# --- the starting file ---------------------------------------------------------------------------------


class StarterError(ValueError):
    """The starting file cannot be written (no snapshot, unknown area); the message is Swedish."""


def _value(values: pd.DataFrame, indicator: str, area: str, period: str) -> str:
    """A published value as editable text: the number, '..' when hidden (never the number), '–' when there is none."""
    rows = values[(values.indicator_id == indicator) & (values.area_code == area) & (values.period == period) & (values.category == "")]
    return cell(None if rows.empty else rows.iloc[0])


def starter(snapshot: Path, period: str, area: str) -> str:
    """The analysis file's first version: headings to write under and the period's key figures, from the snapshot only."""
    snapshot = Path(snapshot)
    if not (snapshot / "areas.parquet").exists():
        raise StarterError(f"Det finns ingen publicerad ögonblicksbild för {period_text(period)} ({snapshot}). "
                           f"Kör 'lagesbild build --period {period}' först.")
    areas = read_areas(snapshot, period)
    own = areas[areas.area_code == area]
    if own.empty:
        raise StarterError(f"Området {area} har ingen rapport för {period_text(period)}. Möjliga: {', '.join(areas.area_code.unique())}.")
    present = [s.name for s in SOURCES if s.name in set(own.source)]
    intox = None
    if "intox" in present and (snapshot / "indicators.parquet").exists():
        values = pd.read_parquet(snapshot / "indicators.parquet", filters=[("area_code", "==", area)])
        before, end = year_earlier(period), last_month(period)
        count, rate = (base if kind(period) == "month" else f"{base}_{kind(period)}" for base in ("intox_cases", "intox_rate"))
        lines = [(period_text(p), _value(values, count, area, p), _value(values, rate, area, p)) for p in (period, before)]
        lines += [(f"12 månader till och med {period_text(m)}", _value(values, "intox_cases_r12", area, m),
                   _value(values, "intox_rate_r12", area, m)) for m in (end, shift(end, -12))]
        intox = [{"label": label, "count": count, "rate": rate} for label, count, rate in lines]
    return _starter_template().render(
        name=own.area_name.iloc[0], period=period_text(period), path=relative_path(period, area), intox=intox,
        present=join(mid_sentence(BY_NAME[n].title) for n in present),
        missing=capitalised(join(mid_sentence(s.title) for s in SOURCES if s.name not in present)),
        hidden=HIDDEN, missing_mark=MISSING, published=date(dt.date.today()),
    )


@lru_cache(maxsize=1)
def _starter_template() -> jinja2.Template:
    # Markdown, not HTML: no autoescape (it would write &amp; into the analyst's text)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates.TEMPLATE_DIR)), autoescape=False,
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                     trim_blocks=True, lstrip_blocks=True)
    return environment.get_template(STARTER)
