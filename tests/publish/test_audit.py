"""`lagesbild audit`: each known attack, planted on a small hand-checked snapshot, is named.

The snapshots are written by hand as a reader would receive them (indicators.parquet,
catalogue.json, members.parquet, snapshot.json) and the audit runs as the installed command.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import run
from intox_helpers import form, query, run_all, write_coverage, write_forms, write_regions

from pipeline.build.indicators import catalogue
from pipeline.config import Workspace

FAILED = 4
TITLES = {"intox_cases": "INTOX-formulär", "intox_cases_r12": "INTOX-formulär, rullande 12 månader",
          "intox_cases_quarter": "INTOX-formulär, per kvartal", "intox_cases_tertial": "INTOX-formulär, per tertial",
          "intox_rate": "INTOX-formulär per 10 000 invånare", "intox_sex": "Kön"}


def row(indicator: str, area: str, numerator: float, *, hidden: bool = False, denominator: float | None = None,
        dimension: str = "", category: str = "", period: str = "2024-03", area_type: str = "kommun", covered: int = 1,
        mark: str = "dold", decimals: int = 0) -> dict:
    if indicator == "intox_rate":
        value = round(numerator / denominator * 10_000, 1)
        decimals = 1
    elif dimension:
        value = round(numerator / denominator * 100) if denominator else np.nan
    else:
        value = float(numerator)
    return {"indicator_id": indicator, "area_type": area_type, "area_code": area, "period": period, "dimension": dimension,
            "category": category, "value": np.nan if hidden else value, "numerator": np.nan if hidden else float(numerator),
            "denominator": denominator, "population_basis": None, "areas_covered": covered, "areas_total": covered,
            "suppression": mark if hidden else "", "suppressed": hidden, "title": TITLES[indicator], "unit": "antal",
            "decimals": decimals, "category_label": category.capitalize(), "sort_order": 0, "area_name": area.capitalize()}


def snapshot(root: Path, rows: list[dict], members: dict[str, list[str]] | None = None, period: str = "2024-03") -> Path:
    folder = root / "data" / "processed" / period
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(folder / "indicators.parquet", index=False)
    records = catalogue(Workspace(root)).drop(columns=["sql"]).to_dict(orient="records")
    (folder / "catalogue.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    links = [(area, code) for area, codes in (members or {}).items() for code in codes]
    pd.DataFrame(links, columns=["area_code", "municipality_code"]).assign(area_type="region", area_name="").to_parquet(
        folder / "members.parquet", index=False)
    (folder / "snapshot.json").write_text(json.dumps({"period": period, "threshold": 5, "sources": ["intox"]}), encoding="utf-8")
    return root


def sex_breakdown(area: str, counts: dict[str, int], hidden: set[str] = frozenset(), total_hidden: bool = False) -> list[dict]:
    total = sum(counts.values())
    return [row("intox_cases", area, total, hidden=total_hidden)] + [
        row("intox_sex", area, n, denominator=total, dimension="kon", category=sex, hidden=sex in hidden or total_hidden)
        for sex, n in counts.items()
    ]


def audit(root: Path, *args: str):
    return run(["audit", "--workspace", str(root), *args])


def test_a_protected_snapshot_passes(tmp_path):
    # duo = a + b, both members hidden: each can be anything from 0 to 23
    root = snapshot(tmp_path, [row("intox_cases", "a", 3, hidden=True), row("intox_cases", "b", 20, hidden=True),
                               row("intox_cases", "duo", 23, area_type="region", covered=2)], {"duo": ["a", "b"]})
    result = audit(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Röjandeskyddet håller" in result.stdout
    assert "2 dolda antal" in result.stdout and "Traceback" not in result.stderr


def test_a_label_that_sorts_cells_by_value(tmp_path):
    rows = [row("intox_cases", "a", 3, hidden=True, mark="primär"), row("intox_cases", "b", 20, hidden=True, mark="sekundär"),
            row("intox_cases", "duo", 23, area_type="region", covered=2)]
    result = audit(snapshot(tmp_path, rows, {"duo": ["a", "b"]}))
    assert result.returncode == FAILED
    assert "olika märkning (”primär” 1 och ”sekundär” 1)" in result.stdout
    assert "Röjandeskyddet håller" not in result.stdout


def test_a_single_hidden_cell_in_a_breakdown(tmp_path):
    rows = sex_breakdown("k", {"man": 7, "kvinna": 3, "annat": 0, "okant": 0}, hidden={"kvinna"})
    result = audit(snapshot(tmp_path, rows))
    assert result.returncode == FAILED
    assert "1 dolda antal kan räknas fram exakt:" in result.stdout
    assert "Kön, Kvinna, K, 2024-03: genom uppdelningen summerar till totalen (INTOX-formulär, K, 2024-03)" in result.stdout


def test_a_region_minus_its_other_members(tmp_path):
    rows = [row("intox_cases", "a", 3, hidden=True), row("intox_cases", "b", 20),
            row("intox_cases", "duo", 23, area_type="region", covered=2)]
    result = audit(snapshot(tmp_path, rows, {"duo": ["a", "b"]}))
    assert result.returncode == FAILED
    assert "INTOX-formulär, A, 2024-03: genom regionen är summan av sina kommuner (INTOX-formulär, Duo, 2024-03)" in result.stdout


def test_consecutive_rolling_windows(tmp_path):
    # January 2023 = 50, eleven months of 10, January 2024 = 3; June 2023 and January 2024 hidden.
    # The window of 2023 gives June away, and r12(2024-01) - r12(2023-12) = month(2024-01) - month(2023-01)
    # gives January 2024 away
    months = [f"2023-{m:02d}" for m in range(1, 13)] + ["2024-01"]
    counts = dict(zip(months, [50] + [10] * 11 + [3]))
    windows = {"2023-12": sum(counts[p] for p in months[:12]), "2024-01": sum(counts[p] for p in months[1:])}
    rows = [row("intox_cases", "k", n, period=p, hidden=p in {"2024-01", "2023-06"}) for p, n in counts.items()]
    rows += [row("intox_cases_r12", "k", n, period=p) for p, n in windows.items()]
    result = audit(snapshot(tmp_path, rows, period="2024-01"))
    assert result.returncode == FAILED
    assert "2 dolda antal kan räknas fram exakt:" in result.stdout
    assert "INTOX-formulär, K, 2024-01: genom" in result.stdout
    assert "INTOX-formulär, K, 2023-06: genom rullande 12 månader är summan av sina månader (INTOX-formulär, rullande 12 månader, K, 2023-12)" in result.stdout
    assert "två på varandra följande rullande 12-månadersfönster (INTOX-formulär, rullande 12 månader, K, 2024-01)" in result.stdout


def test_a_tertial_minus_a_quarter_gives_april_away(tmp_path):
    # January–April hidden (3, 2, 4, 2); the first quarter (9) and the first tertial (11) shown: April = 11 - 9
    counts = {"2024-01": 3, "2024-02": 2, "2024-03": 4, "2024-04": 2}
    rows = [row("intox_cases", "k", n, period=p, hidden=True) for p, n in counts.items()]
    quarter = row("intox_cases_quarter", "k", 9, period="2024-Q1")
    rows += [quarter, row("intox_cases_tertial", "k", 11, period="2024-T1")]
    result = audit(snapshot(tmp_path, rows, period="2024-T1"))
    assert result.returncode == FAILED
    assert "1 dolda antal kan räknas fram exakt:" in result.stdout
    assert ("INTOX-formulär, K, 2024-04: genom en period minus en kortare period inom den är månaderna mellan dem "
            "(INTOX-formulär, per tertial, K, 2024-T1)") in result.stdout
    # a reader who holds only the quarter learns nothing of April: with the tertial hidden, the snapshot holds
    rows[-1] = row("intox_cases_tertial", "k", 11, period="2024-T1", hidden=True)
    shutil.rmtree(tmp_path / "data")
    result = audit(snapshot(tmp_path, rows, period="2024-T1"))
    assert result.returncode == 0, result.stdout


def test_a_rate_over_a_public_population(tmp_path):
    # 3 per 10 000 of 10 000 inhabitants, with the count hidden and the rate shown
    rows = [row("intox_cases", "k", 3, hidden=True), row("intox_rate", "k", 3, denominator=10_000.0)]
    result = audit(snapshot(tmp_path, rows))
    assert result.returncode == FAILED
    assert "INTOX-formulär, K, 2024-03: genom den publicerade kvoten INTOX-formulär per 10 000 invånare 2024-03 (K)" in result.stdout


def test_a_rate_that_narrows_a_small_count(tmp_path):
    # 0,1 per 10 000 of 300 000: the count lies between 1,5 and 4,5, so it is 2, 3 or 4
    rows = [row("intox_cases", "k", 3, hidden=True), row("intox_rate", "k", 3, denominator=300_000.0)]
    result = audit(snapshot(tmp_path, rows))
    assert result.returncode == FAILED
    assert "1 dolda antal är ett litet antal som kan avgränsas till färre än 4 möjliga värden:" in result.stdout
    assert "INTOX-formulär, K, 2024-03: mellan 2 och 4" in result.stdout


def test_a_period_without_a_snapshot_is_named(tmp_path):
    root = snapshot(tmp_path, [row("intox_cases", "a", 7)])
    result = audit(root, "--period", "2025-01")
    assert result.returncode == FAILED
    assert "ingen publicerad ögonblicksbild för 2025-01" in result.stderr and "Traceback" not in result.stderr
    empty = audit(tmp_path / "tom")
    assert empty.returncode == FAILED and "inga publicerade ögonblicksbilder" in empty.stderr


SUTOHAMU = ["1737", "1766", "1783", "1762"]


@pytest.fixture
def small_region(tmp_path) -> tuple[Workspace, pd.DataFrame]:
    """The real pipeline on a hand-made month: Torsby 3, Sunne 20, Hagfors 7, Munkfors 0 forms."""
    write_coverage(tmp_path, {"torsby": (SUTOHAMU, "2024-03")})
    write_regions(tmp_path, {"sutohamu": SUTOHAMU})
    counts = {"1737": 3, "1766": 20, "1783": 7, "1762": 0}
    forms = [form(f"{code}-{k}", f"2024-03-{k + 1:02d}", home=code, sex="Kvinna" if k % 3 else "Man")
             for code, n in counts.items() for k in range(n)]
    write_forms(tmp_path, "torsby", "forms.csv", forms)
    return run_all(tmp_path, "2024-03")


def test_a_removed_partner_of_the_published_suppression_is_named(small_region):
    workspace, published = small_region
    before = audit(workspace.root)
    assert before.returncode == 0 and "Röjandeskyddet håller" in before.stdout, before.stdout + before.stderr
    # show one partner: a count of five or more hidden only to protect a small one
    true = query(workspace, "SELECT * FROM indicator_values").rename(columns={"numerator": "true"})
    key = ["indicator_id", "area_type", "area_code", "period", "dimension", "category"]
    merged = published.merge(true[key + ["true", "value"]].rename(columns={"value": "true_value"}), on=key)
    partners = merged[merged.suppressed & (merged.true >= 5) & merged.indicator_id.eq("intox_cases")]
    assert len(partners) >= 1
    shown = partners.index[0]
    published.loc[shown, ["numerator", "value"]] = merged.loc[shown, ["true", "true_value"]].to_numpy(float)
    published.loc[shown, ["suppression", "suppressed"]] = ["", False]
    published.to_parquet(workspace.snapshot_dir("2024-03") / "indicators.parquet", index=False)
    failed = audit(workspace.root)
    assert failed.returncode == FAILED, failed.stdout
    # Hagfors' 7 shown: the county minus its shown members gives Torsby's 3
    assert "1 dolda antal kan räknas fram exakt:" in failed.stdout
    assert ("INTOX-formulär, Torsby, 2024-03: genom regionen är summan av sina kommuner (INTOX-formulär, Värmlands län, 2024-03)"
            in failed.stdout)


def test_a_finer_area_minus_its_siblings_in_the_coarser_one(tmp_path):
    # DeSO A1 9, A2 3 (hidden), B1 5, B2 3 (hidden) in RegSO A 12 and B 8 of a total of 20. The DeSO
    # breakdown alone leaves A2 + B2 = 6 open; RegSO A minus A1 gives A2 away
    own = tmp_path / "schemas" / "indicators"
    own.mkdir(parents=True)
    entry = "kind: lång sikt\n    source: test\n    unit: antal\n    value: count\n    sql: x.sql\n"
    (own / "polisen.yaml").write_text(
        "indicators:\n"
        f"  brott:\n    title: Brott\n    {entry}"
        f"  brott_regso:\n    title: RegSO\n    {entry}    dimension: regso\n    partition_of: brott\n    regions: false\n"
        f"  brott_deso:\n    title: DeSO\n    {entry}    dimension: deso\n    partition_of: brott\n    rolls_up_to: brott_regso\n"
        "    regions: false\n", encoding="utf-8")

    def cell(indicator: str, n: int, dimension: str = "", category: str = "", parent: str = "", hidden: bool = False) -> dict:
        return row("intox_cases", "k", n, hidden=hidden) | {
            "indicator_id": indicator, "title": indicator.replace("brott_", "").upper(), "dimension": dimension, "category": category,
            "category_label": category, "category_parent": parent}
    rows = [cell("brott", 20), cell("brott_regso", 12, "regso", "A"), cell("brott_regso", 8, "regso", "B"),
            cell("brott_deso", 9, "deso", "A1", "A"), cell("brott_deso", 3, "deso", "A2", "A", hidden=True),
            cell("brott_deso", 5, "deso", "B1", "B"), cell("brott_deso", 3, "deso", "B2", "B", hidden=True)]
    result = audit(snapshot(tmp_path, rows))
    assert result.returncode == FAILED, result.stdout
    assert "DESO, A2, K, 2024-03: genom delarna summerar till sin överordnade kategori eller sitt överordnade område (REGSO, A, K, 2024-03)" in result.stdout
    # with both RegSO hidden, A2 + B2 = 6 is all a reader knows: A2 is any of 1–5
    rows[1] = cell("brott_regso", 12, "regso", "A", hidden=True)
    rows[2] = cell("brott_regso", 8, "regso", "B", hidden=True)
    shutil.rmtree(tmp_path / "data")
    assert audit(snapshot(tmp_path, rows)).returncode == 0
