"""Build: compute every indicator for every area and month in DuckDB SQL.

Reference tables are loaded from data/reference/ and schemas/; the SQL models in pipeline/sql/
prepare forms, months, coverage and population; each catalogue SQL file in schemas/indicators/
adds monthly numerators and denominators per municipality; windows and regional pooling are
generic SQL again. The result is the table `indicator_values`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from pipeline import places
from pipeline.ingest.sources import statistik

from pipeline.ingest import store
from pipeline.config import PROJECT_SCHEMAS, SQL_DIR, Workspace
from pipeline.ingest.sources.enkat import contract as enkat_contract
from pipeline.ingest.sources.intox import contract as intox_contract

WINDOW_TITLES = {"r12": "rullande 12 månader", "ly": "samma månad föregående år"}
KINDS = ("kort sikt", "lång sikt")
POLARITIES = ("lägre är bättre", "högre är bättre", "ingen")
REQUIRED_KEYS = ("title", "kind", "source", "unit", "value", "sql")


@dataclass
class BuildResult:
    rebuilt: bool
    rows: int
    first_period: str | None
    last_period: str | None
    late_units: list[tuple[str, str | None]]  # configured units without forms for the last month


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
    if spec.get("polarity", "ingen") not in POLARITIES:
        raise ValueError(f"indikatorkatalogen {file}: '{indicator_id}' har polarity '{spec['polarity']}'; tillåtet: {', '.join(POLARITIES)}.")


def _catalogue_dir(workspace: Workspace):
    own = workspace.root / "schemas" / "indicators"
    return own if own.exists() else PROJECT_SCHEMAS / "indicators"


def build(workspace: Workspace, force: bool = False) -> BuildResult:
    con = store.connect(workspace.database)
    try:
        fingerprint = _fingerprint(con, workspace)
        previous = con.execute("SELECT fingerprint FROM build_info").fetchall()[0] if _has_table(con, "build_info") else None
        if previous and previous[0] == fingerprint and not force:
            return BuildResult(False, *_summary(con))
        con.begin()
        indicators = catalogue(workspace)
        _load_reference(con, workspace, indicators)
        for path in sorted(SQL_DIR.glob("01_*.sql")):
            con.execute(path.read_text(encoding="utf-8"))
        _run_catalogue_sql(con, workspace, indicators)
        for path in sorted(SQL_DIR.glob("0[2-9]_*.sql")):
            con.execute(path.read_text(encoding="utf-8"))
        con.execute(workspace.schema_path("enkat.sql").read_text(encoding="utf-8"))
        statistik.compute(con, workspace.schema_path("statistik.sql"))
        con.execute("CREATE OR REPLACE TABLE build_info AS SELECT ?::VARCHAR AS fingerprint, now() AS built_at", [fingerprint])
        con.commit()
        return BuildResult(True, *_summary(con))
    except Exception:
        try:
            con.rollback()
        except Exception:  # the failure came before the transaction began
            pass
        raise
    finally:
        con.close()


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()[0][0])


def _summary(con) -> tuple:
    rows, first, last = con.execute("SELECT count(*), min(period), max(period) FROM indicator_values").fetchall()[0]
    late = con.execute(
        """
        SELECT DISTINCT c.unit, d.last_period FROM ref_coverage c LEFT JOIN int_unit_delivered d USING (unit)
        WHERE d.last_period IS NULL OR d.last_period < (SELECT max(period) FROM int_months) ORDER BY ALL
        """
    ).fetchall()
    return rows, first, last, [tuple(row) for row in late]


def _fingerprint(con, workspace: Workspace) -> str:
    """What a build depends on: the loaded files (by hash) and every contract, SQL and reference file."""
    files = con.execute("SELECT string_agg(path || ':' || sha256, ',' ORDER BY path) FROM raw_files").fetchall()[0][0]
    return hashlib.sha256(f"{workspace.contract_fingerprint()}|{files}".encode()).hexdigest()


def _load_reference(con, workspace: Workspace, indicators: pd.DataFrame) -> None:
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
    years = con.execute("SELECT min(year(visit_date)), max(year(visit_date)) FROM stg_intox").fetchall()[0]
    first, last = (years[0] or 2000), (years[1] or 2000)
    tables = {
        "ref_municipality": places.municipalities(),
        "ref_area_member": places.region_members(workspace),
        "ref_area": places.area_names(workspace),
        "ref_population_mean": places.mean_population(first, last),
        "ref_codes": pd.DataFrame(codes),
        "ref_coverage": pd.DataFrame(coverage, columns=["unit", "municipality_code", "from_period", "to_period"]).astype("object"),
        "ref_indicators": indicators,
    }
    tables |= enkat_reference(workspace)
    years = con.execute("SELECT min(period)::INTEGER, max(period)::INTEGER FROM stg_statistik").fetchall()[0]
    tables["ref_population_year"] = statistik.population_years(years[0] or first, years[1] or last)
    for name, frame in tables.items():
        con.register("frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")


def enkat_reference(workspace: Workspace) -> dict[str, pd.DataFrame]:
    """The question catalogue as tables: questions, answer values and sectors."""
    contract = enkat_contract(workspace)
    areas = list(contract.areas)
    questions = pd.DataFrame(
        [{"area_id": q.area_id, "area_title": contract.areas[q.area_id], "area_order": areas.index(q.area_id),
          "question_id": q.id, "question_text": q.text, "question_order": i, "has_trend": q.has_trend}
         for i, q in enumerate(contract.questions)]
    )
    answers = pd.DataFrame(
        [{"scale": scale, "code": code, "label": label, "value": contract.values[scale][code], "sort_order": i}
         for scale in ("presence", "trend") for i, (code, label) in enumerate(contract.codelists[scale].labels.items())]
    ).astype({"value": "float64"})
    expected = contract.catalogue["sectors"]
    sectors = pd.DataFrame(
        [{"sector": code, "label": label, "expected": bool(expected[code].get("expected")), "sort_order": i}
         for i, (code, label) in enumerate(contract.codelists["sector"].labels.items())]
    )
    return {"ref_enkat_question": questions, "ref_enkat_answer": answers, "ref_enkat_sector": sectors}


def _run_catalogue_sql(con, workspace: Workspace, indicators: pd.DataFrame) -> None:
    """Run each catalogue SQL file once; together they give int_indicator_month."""
    monthly = indicators[indicators.window_name == "month"]
    parts = []
    for sql_file in dict.fromkeys(monthly.sql):
        text = (_catalogue_dir(workspace) / sql_file).read_text(encoding="utf-8").rstrip().rstrip(";")
        parts.append(
            "SELECT indicator_id::VARCHAR AS indicator_id, municipality_code::VARCHAR AS municipality_code, "
            "period::VARCHAR AS period, dimension::VARCHAR AS dimension, category::VARCHAR AS category, "
            "numerator::BIGINT AS numerator, denominator::DOUBLE AS denominator, "
            f"population_basis::VARCHAR AS population_basis FROM (\n{text}\n)"
        )
    con.execute("CREATE OR REPLACE TABLE int_indicator_month AS " + "\nUNION ALL\n".join(parts))
    produced = {row[0] for row in con.execute("SELECT DISTINCT indicator_id FROM int_indicator_month").fetchall()}
    unexpected = produced - set(monthly.indicator_id)
    if unexpected:
        raise ValueError(f"SQL-filerna ger indikatorer som saknas i katalogen: {sorted(unexpected)}")
