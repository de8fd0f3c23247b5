"""INTOX's build side: the code lists of its breakdowns and the registration's coverage.

Its indicators are in the common catalogue (schemas/indicators/intox.yaml, pipeline/build/indicators.py).
"""
from __future__ import annotations

import pandas as pd

from pipeline.config import Workspace
from pipeline.ingest.sources.intox import contract as intox_contract


def reference(workspace: Workspace, con) -> dict[str, pd.DataFrame]:
    """Code lists (labels of the breakdowns) and coverage."""
    contract = intox_contract(workspace)
    codes = [
        {"codelist": name, "code": code, "label": label, "sort_order": i, "parent": ""}
        for name, codelist in contract.codelists.items()
        for i, (code, label) in enumerate(codelist.labels.items())
    ]
    bands = contract.spec["age_bands"]
    codes += [{"codelist": "age_band", "code": band[0], "label": band[0], "sort_order": i, "parent": ""} for i, band in enumerate(bands)]
    codes.append({"codelist": "age_band", "code": "okand", "label": "Okänd", "sort_order": len(bands), "parent": ""})
    coverage = [
        {"unit": unit["unit"], "municipality_code": str(code).zfill(4), "from_period": str(unit["from"]),
         "to_period": str(unit["to"]) if unit.get("to") else None}
        for unit in workspace.load_yaml("intox_coverage.yaml").get("units") or []
        for code in unit["municipalities"]
    ]
    return {
        "ref_codes": pd.DataFrame(codes),
        "ref_coverage": pd.DataFrame(coverage, columns=["unit", "municipality_code", "from_period", "to_period"]).astype("object"),
    }
