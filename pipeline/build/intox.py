"""INTOX's build side: its reference tables and the model made from the indicator catalogue.

The catalogue (schemas/indicators/*.yaml, analyst-editable) lists the indicators; each entry names
the SQL file that gives its monthly numerators and denominators per municipality. The file is
looked up in the workspace's own schemas/indicators/ first, then in pipeline/sql/intox/indicators/,
so a workspace adds an indicator with a catalogue entry and one SQL file. Together the files make
the model int_indicator_month; windows and regional pooling are the models after it.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline import places
from pipeline.config import PROJECT_SCHEMAS, SQL_DIR, Workspace
from pipeline.ingest.sources.intox import contract as intox_contract

WINDOW_TITLES = {"r12": "rullande 12 månader", "ly": "samma månad föregående år", "quarter": "per kvartal",
                 "tertial": "per tertial", "half": "per halvår", "year": "per år"}
KINDS = ("kort sikt", "lång sikt")
POLARITIES = ("lägre är bättre", "högre är bättre", "ingen")
REQUIRED_KEYS = ("title", "kind", "source", "unit", "value", "sql")
INDICATOR_SQL = SQL_DIR / "intox" / "indicators"


def catalogue(workspace: Workspace) -> pd.DataFrame:
    """The indicator catalogue with its derived windows, one row per indicator id."""
    entries = []
    for path in sorted(_catalogue_dir(workspace).glob("*.yaml")):
        for indicator_id, spec in workspace.load_yaml(f"indicators/{path.name}")["indicators"].items():
            _check_entry(path.name, indicator_id, spec)
            base = {
                "indicator_id": indicator_id, "base_id": indicator_id, "window_name": "month",
                "title": spec["title"], "description": spec.get("description", ""), "unit": spec["unit"],
                "kind": spec["kind"], "source": spec["source"], "polarity": spec.get("polarity", "ingen"),
                "value": spec["value"], "scale": float(spec.get("scale", 100 if spec["value"] == "share" else 1)),
                "decimals": int(spec.get("decimals", 0)), "dimension": spec.get("dimension", ""),
                "codelist": spec.get("codelist", ""), "count_id": spec.get("count", indicator_id),
                "partition_of": spec.get("partition_of", ""),
                "share_of": spec.get("share_of", spec.get("partition_of", "")), "sql": spec["sql"],
                "published": "month" in spec.get("published", ["month", *spec.get("windows", [])]),
            }
            entries.append(base)
            for window in spec.get("windows", []):
                entries.append(
                    base
                    | {
                        "indicator_id": f"{indicator_id}_{window}", "window_name": window,
                        "title": f"{spec['title']}, {WINDOW_TITLES[window]}",
                        "count_id": f"{base['count_id']}_{window}",
                        "partition_of": f"{base['partition_of']}_{window}" if base["partition_of"] else "",
                        "share_of": f"{base['share_of']}_{window}" if base["share_of"] else "",
                        "published": window in spec.get("published", ["month", *spec.get("windows", [])]),
                    }
                )
    return pd.DataFrame(entries)


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
    if spec.get("polarity", "ingen") not in POLARITIES:
        raise ValueError(f"indikatorkatalogen {file}: '{indicator_id}' har polarity '{spec['polarity']}'; tillåtet: {', '.join(POLARITIES)}.")


def _catalogue_dir(workspace: Workspace) -> Path:
    own = workspace.root / "schemas" / "indicators"
    return own if own.exists() else PROJECT_SCHEMAS / "indicators"


def indicator_sql(workspace: Workspace, name: str) -> Path:
    """A catalogue entry's SQL file: the workspace's own, else the project's."""
    own = workspace.root / "schemas" / "indicators" / name
    if own.exists():
        return own
    if (INDICATOR_SQL / name).exists():
        return INDICATOR_SQL / name
    raise ValueError(f"indikatorkatalogen: SQL-filen {name} finns varken i schemas/indicators/ eller i {INDICATOR_SQL}.")


def sql_files(workspace: Workspace) -> list[Path]:
    """Every SQL file the catalogue names (for the build's fingerprint)."""
    return [indicator_sql(workspace, name) for name in dict.fromkeys(catalogue(workspace).sql)]


# --- what the build asks of a source -----------------------------------------------------------


def reference(workspace: Workspace, con) -> dict[str, pd.DataFrame]:
    """Code lists (labels of the breakdowns), coverage, the catalogue and the years' mean population."""
    contract = intox_contract(workspace)
    codes = [
        {"codelist": name, "code": code, "label": label, "sort_order": i}
        for name, codelist in contract.codelists.items()
        for i, (code, label) in enumerate(codelist.labels.items())
    ]
    bands = contract.spec["age_bands"]
    codes += [{"codelist": "age_band", "code": band[0], "label": band[0], "sort_order": i} for i, band in enumerate(bands)]
    codes.append({"codelist": "age_band", "code": "okand", "label": "Okänd", "sort_order": len(bands)})
    coverage = [
        {"unit": unit["unit"], "municipality_code": str(code).zfill(4), "from_period": str(unit["from"]),
         "to_period": str(unit["to"]) if unit.get("to") else None}
        for unit in workspace.load_yaml("intox_coverage.yaml").get("units") or []
        for code in unit["municipalities"]
    ]
    first, last = con.execute("SELECT min(year(visit_date)), max(year(visit_date)) FROM stg_intox").fetchall()[0]
    return {
        "ref_population_mean": places.mean_population(first or 2000, last or 2000),
        "ref_codes": pd.DataFrame(codes),
        "ref_coverage": pd.DataFrame(coverage, columns=["unit", "municipality_code", "from_period", "to_period"]).astype("object"),
        "ref_indicators": catalogue(workspace),
    }


def models(workspace: Workspace) -> dict[str, str]:
    """int_indicator_month: the union of the catalogue's SQL files, each run once."""
    indicators = catalogue(workspace)
    parts = []
    for name in dict.fromkeys(indicators[indicators.window_name == "month"].sql):
        text = indicator_sql(workspace, name).read_text(encoding="utf-8").rstrip().rstrip(";")
        parts.append(
            "SELECT indicator_id::VARCHAR AS indicator_id, municipality_code::VARCHAR AS municipality_code, "
            "period::VARCHAR AS period, dimension::VARCHAR AS dimension, category::VARCHAR AS category, "
            "numerator::BIGINT AS numerator, denominator::DOUBLE AS denominator, "
            f"population_basis::VARCHAR AS population_basis FROM (\n{text}\n)"
        )
    return {"int_indicator_month": "\nUNION ALL\n".join(parts)}
