"""Official statistics' build side: the years' mean population and the indicator catalogue's titles."""
from __future__ import annotations

import pandas as pd

from pipeline import places
from pipeline.config import Workspace
from pipeline.ingest.sources.statistik import catalogue  # schemas/statistik.yaml, as the reader knows it

__all__ = ["catalogue", "population_years", "reference"]
META = ("title", "unit", "decimals", "kind", "polarity", "source", "survey")


def population_years(first_year: int, last_year: int) -> pd.DataFrame:
    """`ref_population_year`: mean population per municipality and year with its basis text,
    from pipeline.places.mean_population (estimated years say so in `basis`)."""
    table = places.mean_population(first_year, last_year)
    return pd.DataFrame(
        {
            "municipality_code": table["municipality_code"].astype(str),
            "year": table["year"].astype(int),
            "population_mean": table["population"].astype(float),
            "basis": table["basis"].astype(str),
        }
    )


def reference(workspace: Workspace, con) -> dict[str, pd.DataFrame]:
    first, last = con.execute("SELECT min(period)::INTEGER, max(period)::INTEGER FROM stg_statistik").fetchall()[0]
    meta = pd.DataFrame(
        [{"indicator_id": key, **{k: spec.get(k) for k in META}} for key, spec in catalogue(workspace).items()],
        columns=["indicator_id", *META],
    )
    return {"ref_population_year": population_years(first or 2000, last or 2000), "ref_statistik_indicator": meta}
