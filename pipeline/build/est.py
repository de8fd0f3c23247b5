"""EST's build side: the code lists of its breakdowns (categories and places) for ref_codes.

Its indicators are in the common catalogue (schemas/indicators/est.yaml, pipeline/build/indicators.py).
"""
from __future__ import annotations

import pandas as pd

from pipeline.config import Workspace
from pipeline.ingest.sources.est import contract as est_contract

CODE_COLUMNS = ["codelist", "code", "label", "sort_order", "parent"]


def reference(workspace: Workspace, con) -> dict[str, pd.DataFrame]:
    """est_kategori: the contract's categories in its order. est_plats: every place of the data, per
    municipality, coded '<kommunkod>:<folded place>' (as the reader groups spellings; int_est_events'
    place_code) and labelled with its most common spelling (of equally common ones the first
    alphabetically), in Swedish alphabetical order (å, ä, ö after z) within the municipality."""
    categories = est_contract(workspace).codelists["category"].labels
    codes = pd.DataFrame([("est_kategori", code, label, i, "") for i, (code, label) in enumerate(categories.items())],
                         columns=CODE_COLUMNS)
    places = con.execute(
        """
        WITH spellings AS (
            SELECT municipality_code, place_key, place, row_number() OVER (
                       PARTITION BY municipality_code, place_key ORDER BY count(*) DESC, place) AS rank
            FROM stg_est
            GROUP BY municipality_code, place_key, place
        )
        SELECT 'est_plats' AS codelist, municipality_code || ':' || place_key AS code, place AS label,
               (row_number() OVER (ORDER BY municipality_code, translate(lower(place), 'åäöé', '{|}e'), place_key) - 1)::INTEGER
                   AS sort_order,
               '' AS parent
        FROM spellings
        WHERE rank = 1
        ORDER BY sort_order
        """
    ).df()
    return {"ref_codes": pd.concat([codes, places[CODE_COLUMNS]], ignore_index=True)}
