"""Measure each stage on the demo data and the ingest/build stages on a large synthetic file.

    make bench                        # or: .venv/bin/python benchmarks/bench.py [--rows 200000]

Prints seconds per stage. Nothing here asserts a time; tests never do.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import places
from pipeline.build import build
from pipeline.config import Workspace
from pipeline.demo import write_demo_data
from pipeline.ingest import ingest
from pipeline.publish import publish
from pipeline.publish.audit import audit
from pipeline.report.render import render

PERIOD = "2026-10"


def timed(label: str, func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<48} {time.perf_counter() - start:8.2f} s", flush=True)
    return result


def _audit(label: str, workspace: Workspace, period: str | None = PERIOD) -> None:
    """The proof of the suppression, timed: target that it passes (period None: every snapshot's hidden cells)."""
    result, _ = timed(f"{label}: audit (röjandeskyddet bevisas, högst 600 s)", audit, workspace, period, 600)
    print(f"{'':<48} {result.hidden} dolda antal, {result.solves} LP-lösningar, största gruppen {result.largest} celler; "
          f"{result.untested} inte hunna; {'håller' if result.ok else 'HÅLLER INTE'} (mål: håller)")


def demo_chain(root: Path) -> None:
    workspace = Workspace(root)
    files = timed("demo: skriv syntetiska data", write_demo_data, root, PERIOD)
    print(f"{'':<48} {len(files)} filer")
    timed("demo: ingest (första gången)", ingest, workspace)
    timed("demo: build", build, workspace)
    timed("demo: publish", publish, workspace, PERIOD)
    _audit("demo", workspace)
    results = timed("demo: report (alla områden, 2 processer)", render, workspace, PERIOD)
    print(f"{'':<48} {len(results)} rapporter")
    for period in ("2026-T2", "2025"):  # the steering group's tertial and the year's lägesbild, beside the month
        timed(f"demo: publish {period}", publish, workspace, period)
        timed(f"demo: report {period}", render, workspace, period)
    _audit("demo, alla tre ögonblicksbilder", workspace, None)
    timed("demo: ingest igen (inget nytt)", ingest, workspace)
    timed("demo: build igen (inget nytt)", build, workspace)
    timed("demo: report igen (inget nytt)", render, workspace, PERIOD)


def national_file(root: Path, rows: int) -> None:
    """One csv of `rows` forms spread over all 290 municipalities and ten years."""
    rng = np.random.default_rng(1)
    codes = places.municipalities().municipality_code.to_numpy()
    days = pd.date_range("2016-11-01", "2026-10-31").strftime("%Y-%m-%d").to_numpy()
    frame = pd.DataFrame(
        {
            "id": [f"F{i:08d}" for i in range(rows)],
            "Besöksdatum": rng.choice(days, rows),
            "Ålder": rng.integers(12, 90, rows),
            "Kön": rng.choice(["man", "kvinna"], rows),
            "Kommunkod": rng.choice(codes, rows),
            "Substanser": rng.choice(["Alkohol", "Alkohol; Bensodiazepiner", "Cannabis", "Receptfria läkemedel", "GHB/GBL"], rows),
            "Avsikt": rng.choice(["Rus", "Självskada", "Oavsiktlig/olyckshändelse"], rows),
            "Vårdnivå": rng.choice(["Hemgång", "Vårdavdelning", "IVA", "Psykiatri"], rows),
        }
    )
    target = root / "data" / "raw" / "intox" / "riket"
    target.mkdir(parents=True)
    frame.to_csv(target / "intox_riket.csv", sep=";", index=False, encoding="cp1252")
    (root / "schemas").mkdir()
    (root / "schemas" / "intox_coverage.yaml").write_text(
        "units:\n  - unit: riket\n    municipalities: [" + ", ".join(f'"{c}"' for c in codes) + "]\n    from: 2016-11\n",
        encoding="utf-8",
    )
    workspace = Workspace(root)
    size = (target / "intox_riket.csv").stat().st_size / 1e6
    print(f"riket: {rows:_} formulär, 290 kommuner, 120 månader, {size:.0f} MB csv".replace("_", " "))
    timed("riket: ingest", ingest, workspace)
    timed("riket: build", build, workspace)
    timed("riket: publish (röjandeskydd)", publish, workspace, PERIOD)
    _audit("riket", workspace)
    print(f"{'':<48} databas {workspace.database.stat().st_size / 1e6:.0f} MB")


def national_survey(root: Path, rounds: int) -> None:
    """One Google-Forms-like csv: every municipality's six sectors answer every question, `rounds` rounds."""
    from pipeline.ingest.sources.enkat import contract

    rng = np.random.default_rng(2)
    workspace = Workspace(root)
    catalogue = contract(workspace)
    codes = places.municipalities().municipality_code.to_numpy()
    sectors = ["Polis", "Socialtjänst", "Skola", "Fritid", "Bostadsbolag", "Säkerhetssamordnare"]
    presence = list(catalogue.codelists["presence"].labels.values())
    trend = list(catalogue.codelists["trend"].labels.values())
    halves = [f"{2026 - i // 2}-{'01' if i % 2 else '08'}-15 10:00:00" for i in range(rounds)]
    n = len(codes) * len(sectors) * rounds
    frame = pd.DataFrame(
        {
            "Tidstämpel": np.repeat(halves, len(codes) * len(sectors)),
            "E-postadress": "namn@example.se",
            "Kommun": np.tile(np.repeat(codes, len(sectors)), rounds),
            "Sektor": np.tile(sectors, len(codes) * rounds),
        }
    )
    for question in catalogue.questions:
        frame[f"Hur förekommer följande i kommunen? [{question.text}]"] = rng.choice(presence, n)
        if question.has_trend:
            frame[f"Hur har följande utvecklats det senaste året? [{question.text}]"] = rng.choice(trend, n)
    target = root / "data" / "raw" / "enkat"
    target.mkdir(parents=True)
    frame.to_csv(target / "enkat_riket.csv", index=False, encoding="utf-8")
    size = (target / "enkat_riket.csv").stat().st_size / 1e6
    print(f"enkät riket: {n:_} svar, {len(catalogue.questions)} frågor, {rounds} omgångar, {size:.0f} MB csv".replace("_", " "))
    timed("enkät riket: ingest", ingest, workspace)
    timed("enkät riket: build", build, workspace)
    timed("enkät riket: publish", publish, workspace, PERIOD)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000, help="forms in the national file")
    parser.add_argument("--rounds", type=int, default=4, help="rounds in the national questionnaire file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo_chain(Path(tmp) / "demo")
        national_file(Path(tmp) / "riket", args.rows)
        national_survey(Path(tmp) / "enkat", args.rounds)


if __name__ == "__main__":
    main()
