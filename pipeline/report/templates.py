"""The reports' Jinja2 templates (notebooks/template/): autoescaped, and a missing value is an error.

A section "<view>.<function>" of the registry (pipeline/sources.py) is the view-model function
pipeline.report.<view>.<function>(snap) and the template sections/<view>/<function>.html.j2.
View-models hand plain values to the templates; the only ready-made HTML is plotly's chart div.
"""
from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

from pipeline.config import NOTEBOOK_DIR

TEMPLATE_DIR = NOTEBOOK_DIR / "template"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False,
    )


def css_string(text: str) -> str:
    """Text as a quoted CSS string (for the print header's `content`): every character but letters, digits
    and spaces as a hex escape, so no quote, backslash, line break or '</style>' can end it. Each escape ends
    in a space, which CSS takes as part of the escape: a space in the text after it is kept."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text)) + '"'


def section_template(section: str) -> str:
    """'intox.key_figures' -> 'sections/intox/key_figures.html.j2'."""
    view, function = section.split(".")
    return f"sections/{view}/{function}.html.j2"


def render(template: str, model: dict) -> Markup:
    """One template with a view-model's values; raises jinja2.UndefinedError for a key the model lacks."""
    return Markup(environment().get_template(template).render(**model))
