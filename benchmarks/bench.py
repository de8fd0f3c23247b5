"""Measure each stage on the demo data, the national month (issue 11) and a national questionnaire file.

    make bench                        # or: .venv/bin/python benchmarks/bench.py [--stage national] [--forms N]

Prints seconds (and for the national month peak memory) per stage, each beside its target. Nothing
here asserts a time; tests never do.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import measure
import numpy as np
import pandas as pd
from national import write_month, write_national

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


def national(root: Path, forms: int, workers: int) -> None:
    """Issue 11's national month: every stage as the user runs it (the CLI, each its own process), beside
    its floor measured in the same run and its target."""
    files = write_national(root, forms)
    size = sum(f.stat().st_size for f in files)
    print(f"riket: {forms:_} formulär i {len(files)} cp1252-filer ({size / 1e6:.0f} MB), 290 kommuner, 120 månader".replace("_", " "))
    bare = measure.run([sys.executable, "-c", BARE_READ, str(root / "data" / "raw" / "intox"), str(root / "bare.duckdb")])
    ingest = _cli(root, "ingest")
    build = _cli(root, "build", "--period", PERIOD)
    report = _cli(root, "report", "--period", PERIOD, "--workers", str(workers))
    floor = _report_floor(root)
    reports = sorted((root / "reports" / PERIOD).glob("*/*.html"))
    sizes = np.array([p.stat().st_size for p in reports]) / 1e6
    seconds = {name: float(t.replace(",", ".")) for name, t in REPORT_LINE.findall(report.stdout)}
    times = np.array(list(seconds.values())) if seconds else np.array([np.nan])
    slowest = max(seconds, key=seconds.get) if seconds else "–"
    whole = ingest.seconds + build.seconds + report.seconds
    # the audit's own time (its "Granskat …" line) and its verdict, as the build printed them
    audit_line = " ".join(line for line in build.stdout.splitlines() if line.startswith("Granskat") or "röjandeskydd" in line.lower())

    later = write_month(root, NEXT_MONTH, forms // 120)
    again = [_cli(root, "ingest"), _cli(root, "build", "--period", PERIOD), _cli(root, "report", "--period", PERIOD, "--workers", str(workers))]
    incremental = sum(step.seconds for step in again)

    GiB = 2**30
    print(f"{'figur':<44} {'mätt':>16} {'mål':>18}")
    _row("ingest", f"{ingest.seconds:.1f} s", f"≤ 3 × golvet {bare.seconds:.1f} s", ingest.seconds <= 3 * bare.seconds,
         f"{ingest.seconds / bare.seconds:.1f} × golvet (DuckDB:s read_csv av samma filer)")
    _row("build + publish + audit", f"{build.seconds:.1f} s", "≤ 60 s", build.seconds <= 60, audit_line)
    _row(f"report, {len(reports)} rapporter, {workers} processer", f"{report.seconds:.1f} s", "–", None,
         f"median {np.median(times):.1f} s per rapport, golvet för en ensam rapport {floor.seconds:.1f} s")
    _row("långsammaste rapporten", f"{np.nanmax(times):.1f} s", f"≤ 3 × median {3 * np.median(times):.1f} s",
         np.nanmax(times) <= 3 * np.median(times), slowest)
    _row("rapportstorlek, median", f"{np.median(sizes):.2f} MB", "≤ 1,5 MB", np.median(sizes) <= 1.5,
         f"största {sizes.max():.2f} MB, sammanlagt {sizes.sum():.0f} MB")
    _row("hela månaden", f"{whole:.1f} s", "≤ 300 s", whole <= 300)
    for name, step in (("ingest", ingest), ("build", build), ("report", report)):
        _row(f"toppminne {name}", f"{step.peak_bytes / GiB:.2f} GiB", "≤ 2 GiB", step.peak_bytes <= 2 * GiB)
    _row(f"en månad till ({len(later)} filer) och månaden igen", f"{incremental:.1f} s", f"≤ 15 % = {0.15 * whole:.0f} s",
         incremental <= 0.15 * whole, " + ".join(f"{step.seconds:.1f}" for step in again) + " s")
    workbook = root / "data" / "processed" / PERIOD / "indicators.xlsx"
    print(f"{'':<44} länsstyrelsens arbetsbok {workbook.stat().st_size / 1e6:.1f} MB")
    for step in (ingest, build, report, *again):
        if step.returncode:
            print(f"OBS: ett steg slutade med status {step.returncode}:\n{step.stdout[-2000:]}")


def _row(figure: str, measured: str, target: str, holds: bool | None, detail: str = "") -> None:
    verdict = "" if holds is None else ("håller" if holds else "HÅLLER INTE")
    print(f"{figure:<44} {measured:>16} {target:>18}  {verdict}")
    if detail:
        print(f"{'':<46}{detail}")


def _cli(root: Path, *args: str) -> measure.Run:
    return measure.run([str(Path(sys.executable).with_name("lagesbild")), *args, "--workspace", str(root)])


BARE_READ = """
import sys, duckdb
folder, database = sys.argv[1:]
duckdb.connect(database).execute(
    f"CREATE TABLE t AS SELECT * FROM read_csv('{folder}/*/*.csv', delim=';', header=true, encoding='latin-1', all_varchar=true, filename=true)")
"""
# the CLI's line per report: "  rapport 3/313: Sunne (1,4 s)"
REPORT_LINE = re.compile(r"rapport \d+/\d+: (.+) \((\d+,\d) s\)")
NEXT_MONTH = "2026-11"


def _report_floor(root: Path) -> measure.Run:
    """What one report cannot go below: papermill starts a kernel that imports the stack, reads the area's
    rows, draws one chart, and nbconvert writes the HTML."""
    import nbformat

    cells = [
        nbformat.v4.new_code_cell("snapshot = ''", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import pandas as pd, plotly.express as px\n"
            "rows = pd.read_parquet(f'{snapshot}/indicators.parquet', filters=[('area_code', '==', '1766')])\n"
            "px.bar(rows[rows.indicator_id == 'intox_cases'].tail(24), x='period', y='numerator')"),
    ]
    folder = root / "floor"
    folder.mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / "floor.ipynb")
    script = (
        "import sys, papermill, nbconvert; folder, snapshot = sys.argv[1:]\n"
        "papermill.execute_notebook(f'{folder}/floor.ipynb', f'{folder}/out.ipynb', parameters={'snapshot': snapshot}, progress_bar=False)\n"
        "open(f'{folder}/floor.html', 'w').write(nbconvert.HTMLExporter().from_filename(f'{folder}/out.ipynb')[0])\n"
    )
    return measure.run([sys.executable, "-c", script, str(folder), str(root / "data" / "processed" / PERIOD)])


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
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", choices=("demo", "national", "survey", "all"), default="all")
    parser.add_argument("--forms", type=int, default=1_000_000, help="INTOX forms in the national workspace")
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)), help="report processes")
    parser.add_argument("--rounds", type=int, default=4, help="rounds in the national questionnaire file")
    parser.add_argument("--keep", type=Path, help="write the workspaces here and keep them (default: a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = args.keep or tmp
        if args.stage in ("demo", "all"):
            demo_chain(Path(tmp) / "demo")
        if args.stage in ("national", "all"):
            national(Path(tmp) / "riket", args.forms, args.workers)
        if args.stage in ("survey", "all"):
            national_survey(Path(tmp) / "enkat", args.rounds)


if __name__ == "__main__":
    main()
