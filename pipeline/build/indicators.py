"""The counted indicators of every source: the catalogue, and the model made from it.

A source with counted indicators (INTOX, the police's crime statistics, EST) has a catalogue,
schemas/indicators/<source>.yaml (analyst-editable); each entry names the SQL file that gives its
monthly numerators and denominators per municipality. The file is looked up in the workspace's own
schemas/indicators/ first, then in pipeline/sql/<source>/indicators/, so a workspace adds an
indicator with a catalogue entry and one SQL file. Together the files make the model
int_indicator_month; the windows (int_indicator_kommun), regional pooling (indicator_values) and the
published table (indicators) are the common models after it, and publish suppresses them all together.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import places
from pipeline.config import PROJECT_SCHEMAS, SQL_DIR, Workspace

WINDOW_TITLES = {"r12": "rullande 12 månader", "ly": "samma månad föregående år", "quarter": "per kvartal",
                 "tertial": "per tertial", "half": "per halvår", "year": "per år"}
KINDS = ("kort sikt", "lång sikt")
POLARITIES = ("lägre är bättre", "högre är bättre", "ingen")
REQUIRED_KEYS = ("title", "kind", "source", "unit", "value", "sql")
FIRST_POPULATION_YEAR = 2000  # ref_population_mean runs from here to next year, for every source's rates


def catalogue(workspace: Workspace) -> pd.DataFrame:
    """The indicator catalogue with its derived windows, one row per indicator id."""
    entries = []
    for path in sorted(_catalogue_dir(workspace).glob("*.yaml")):
        for indicator_id, spec in workspace.load_yaml(f"indicators/{path.name}")["indicators"].items():
            _check_entry(path.name, indicator_id, spec)
            base = {
                "indicator_id": indicator_id, "base_id": indicator_id, "window_name": "month", "source_name": path.stem,
                "title": spec["title"], "description": spec.get("description", ""), "unit": spec["unit"],
                "kind": spec["kind"], "source": spec["source"], "polarity": spec.get("polarity", "ingen"),
                "value": spec["value"], "scale": float(spec.get("scale", 100 if spec["value"] == "share" else 1)),
                "decimals": int(spec.get("decimals", 0)), "dimension": spec.get("dimension", ""),
                "codelist": spec.get("codelist", ""), "count_id": spec.get("count", indicator_id),
                "partition_of": spec.get("partition_of", ""),
                "share_of": spec.get("share_of", spec.get("partition_of", "")),
                "rolls_up_to": spec.get("rolls_up_to", ""), "regions": bool(spec.get("regions", True)), "sql": spec["sql"],
                "published": "month" in spec.get("published", ["month", *spec.get("windows", [])]),
                "latest_only": "month" in spec.get("latest_only", []),
            }
            entries.append(base)
            for window in spec.get("windows", []):
                entries.append(
                    base
                    | {
                        "indicator_id": f"{indicator_id}_{window}", "window_name": window,
                        "title": f"{spec['title']}, {WINDOW_TITLES[window]}",
                        **{key: f"{base[key]}_{window}" if base[key] else "" for key in ("count_id", "partition_of", "share_of", "rolls_up_to")},
                        "published": window in spec.get("published", ["month", *spec.get("windows", [])]),
                        "latest_only": window in spec.get("latest_only", []),
                    }
                )
    table = pd.DataFrame(entries)
    # a rate or share is published where its count is: the count decides
    table["latest_only"] = table.count_id.map(table.set_index("indicator_id").latest_only).fillna(table.latest_only).astype(bool)
    return table


def _check_entry(file: str, indicator_id: str, spec: dict) -> None:
    """A catalogue entry an analyst wrote: say in Swedish what is missing or unknown."""
    missing = [key for key in REQUIRED_KEYS if not spec.get(key)]
    if missing:
        raise ValueError(f"indikatorkatalogen {file}: indikatorn '{indicator_id}' saknar {', '.join(missing)}.")
    if spec["kind"] not in KINDS:
        raise ValueError(f"indikatorkatalogen {file}: '{indicator_id}' har kind '{spec['kind']}'; tillåtet: {', '.join(KINDS)}.")
    unknown = [window for window in spec.get("windows", []) if window not in WINDOW_TITLES]
    if unknown:
        raise ValueError(f"indikatorkatalogen {file}: '{indicator_id}' har okänt fönster {', '.join(map(str, unknown))}; "
                         f"tillåtet: {', '.join(WINDOW_TITLES)}.")
    latest = [window for window in spec.get("latest_only", []) if window not in ["month", *spec.get("windows", [])]]
    if latest:
        raise ValueError(f"indikatorkatalogen {file}: '{indicator_id}' har latest_only {', '.join(map(str, latest))}, som inte är "
                         f"month eller ett av dess fönster ({', '.join(spec.get('windows', [])) or 'inga'}).")
    if spec.get("polarity", "ingen") not in POLARITIES:
        raise ValueError(f"indikatorkatalogen {file}: '{indicator_id}' har polarity '{spec['polarity']}'; tillåtet: {', '.join(POLARITIES)}.")


def _catalogue_dir(workspace: Workspace) -> Path:
    own = workspace.root / "schemas" / "indicators"
    return own if own.exists() else PROJECT_SCHEMAS / "indicators"


def indicator_sql(workspace: Workspace, name: str, source: str) -> Path:
    """A catalogue entry's SQL file: the workspace's own, else its source's in the project."""
    own = workspace.root / "schemas" / "indicators" / name
    if own.exists():
        return own
    project = SQL_DIR / source / "indicators" / name
    if project.exists():
        return project
    raise ValueError(f"indikatorkatalogen: SQL-filen {name} finns varken i schemas/indicators/ eller i {project.parent}.")


def reference(workspace: Workspace, current_month: str) -> dict[str, pd.DataFrame]:
    """The catalogue, and the mean population of every year a source may have (the denominators of rates)."""
    return {
        "ref_indicators": catalogue(workspace),
        "ref_population_mean": places.mean_population(FIRST_POPULATION_YEAR, int(current_month[:4]) + 1),
    }


def models(workspace: Workspace) -> dict[str, str]:
    """int_indicator_month: the union of the catalogue's SQL files, each run once."""
    indicators = catalogue(workspace)
    parts = []
    for row in indicators[indicators.window_name == "month"].drop_duplicates(["sql", "source_name"]).itertuples():
        text = indicator_sql(workspace, row.sql, row.source_name).read_text(encoding="utf-8").rstrip().rstrip(";")
        parts.append(
            "SELECT indicator_id::VARCHAR AS indicator_id, municipality_code::VARCHAR AS municipality_code, "
            "period::VARCHAR AS period, dimension::VARCHAR AS dimension, category::VARCHAR AS category, "
            "numerator::BIGINT AS numerator, denominator::DOUBLE AS denominator, "
            f"population_basis::VARCHAR AS population_basis FROM (\n{text}\n)"
        )
    return {"int_indicator_month": "\nUNION ALL\n".join(parts)}
