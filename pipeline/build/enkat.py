"""The questionnaire's build side: the question catalogue (schemas/enkat.yaml) as reference tables."""
from __future__ import annotations

import pandas as pd

from pipeline.config import Workspace
from pipeline.ingest.sources.enkat import contract as enkat_contract


def reference(workspace: Workspace, con) -> dict[str, pd.DataFrame]:
    """Questions (with their areas), answer values (0-3, -1/0/1, NULL for "Vet ej") and sectors."""
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
