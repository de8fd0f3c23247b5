"""Swedish formats for the reports: numbers, shares, dates, lists, and the marks of hidden values.

Everything returns plain text; the templates escape it.
"""
from __future__ import annotations

import pandas as pd

from pipeline.periods import date_text, is_round, month, short_round

# Every hidden value, whatever hid it: a count below the threshold and a value hidden to protect one look the same,
# so the mark never tells a small count from a protecting one.
HIDDEN = ".."
MISSING = "–"  # no value: the area is not covered, or nothing was published
NUMBER_WORDS = {1: "ett", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio",
                11: "elva", 12: "tolv"}


def number(value: float | None, decimals: int = 0) -> str:
    """1234.5 -> '1 234,5' (non-breaking space between thousands, decimal comma, minus sign)."""
    if value is None or pd.isna(value):
        return MISSING
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u00a0").replace(".", ",").replace("-", "−")


def percent(value) -> str:
    """33.3 -> '33 %' (non-breaking space); missing '–'."""
    return MISSING if value is None or pd.isna(value) else f"{number(value)}\u00a0%"


def hidden_mark(threshold: int) -> str:
    """The mark of a count of the data-quality tables from 1 to threshold - 1: '<5' for the default threshold.

    Only for small_count(): a hidden indicator value is always HIDDEN, never this mark.
    """
    return f"<{threshold}"


def cell(row: pd.Series | None, decimals: int | None = None) -> str:
    """A published value as text: the number, '..' (hidden, for whatever reason) or '–' (no value)."""
    if row is None:
        return MISSING
    if row["suppression"]:
        return HIDDEN
    return number(row["value"], int(row["decimals"]) if decimals is None else decimals)


def small_count(value, threshold: int) -> str:
    """A count of the data-quality tables: missing there means fewer than the threshold ('<5')."""
    return hidden_mark(threshold) if value is None or pd.isna(value) else number(value)


def legend(threshold: int) -> str:
    """The key to the marks of the indicator tables: one mark for every hidden value."""
    fewer = NUMBER_WORDS.get(threshold, str(threshold))
    return (f"{HIDDEN} = visas inte av sekretesskäl: antingen är antalet färre än {fewer} (eller bygger uppgiften på ett sådant "
            "antal), eller så är uppgiften dold för att ett sådant antal inte ska kunna räknas fram, och det går inte att se "
            f"vilket; {MISSING} = uppgift saknas (området ingår inte i registreringen den perioden).")


def date(value) -> str:
    """A date as '1 februari 2025'; missing '–'."""
    if value is None or pd.isna(value):
        return MISSING
    stamp = pd.Timestamp(value)
    return date_text(stamp.day, stamp.month, stamp.year)


def span(first, last) -> str:
    """A file's months ('oktober 2026 – november 2026') or, for a questionnaire file, its rounds ('2025 H2 – 2026 H1')."""
    if first is None or pd.isna(first):
        return MISSING
    text = lambda period: short_round(period) if is_round(period) else month(period)  # noqa: E731
    return text(first) if first == last else f"{text(first)} – {text(last)}"


def join(labels) -> str:
    """['a', 'b', 'c'] -> 'a, b och c'."""
    labels = [str(label) for label in labels]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " och " + labels[-1]


def count_words(n: int, one: str, many: str, neuter: bool = False) -> str:
    """3, 'sektor har', 'sektorer har' -> 'Tre sektorer har'; the start of a sentence."""
    words = {0: "Inga", 1: "Ett" if neuter else "En", 2: "Två", 3: "Tre", 4: "Fyra", 5: "Fem", 6: "Sex"}
    return f"{words.get(n, number(n))} {one if n == 1 else many}"


def swedish_order(name: str) -> str:
    """A sort key in Swedish alphabetical order: å, ä, ö after z; é as e."""
    return str(name).lower().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"}))


def municipality_title(name: str) -> str:
    """'Karlstad' -> 'Karlstads kommun', 'Sunne' -> 'Sunne kommun', 'Falun' -> 'Falu kommun'."""
    irregular = {"Falun": "Falu kommun", "Gotland": "Region Gotland"}
    if name in irregular:
        return irregular[name]
    return f"{name} kommun" if name[-1].lower() in "aeiouyåäösxz" else f"{name}s kommun"


def mid_sentence(title: str) -> str:
    """A source's title inside a sentence: 'Lägesbildsenkäten' -> 'lägesbildsenkäten'; 'INTOX' stays."""
    return title if len(title) > 1 and title[1].isupper() else title[:1].lower() + title[1:]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- tables as plain values for the table macro --------------------------------------------------


def table(caption: str, columns: list[str], rows: list[list], numeric=(), header: int | None = 0,
          row_classes: list[str] | None = None, css: str = "", head: list[list[dict]] | None = None,
          scroll: bool = False) -> dict:
    """A table for macros.table: cells are text, numbers or dicts (see macros.html.j2); column `header` holds
    the row headers, `numeric` columns align right; `head` replaces the one header row made from `columns`."""
    return {
        "caption": caption,
        "head": head or [[{"text": c, "scope": "col"} for c in columns]],
        "rows": [{"cells": list(r), "css": (row_classes[i] if row_classes else "")} for i, r in enumerate(rows)],
        "header": header,
        "numeric": sorted(numeric),
        "css": css,
        "scroll": scroll,
    }
