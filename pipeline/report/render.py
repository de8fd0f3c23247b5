"""Render: papermill runs a notebook per area, nbconvert turns it into self-contained HTML.

Reports are rendered in worker processes, one per processor core unless told (--workers). Each worker
keeps one notebook kernel and one HTML exporter for all its reports (pipeline/report/kernel.py): a new
kernel, with pandas, plotly and the report code imported into it, costs about 3 s, most of what a report
costs. The kernel forgets each report before the next, so a report is the same, byte for byte, whichever
reports its worker rendered before it. A report whose inputs (snapshot, notebook, report code, template)
have not changed since its HTML was written is not redone.
Each HTML (and index.html, and the manifest .inputs.json) is written to a temporary name and renamed
when whole, and the manifest records a report only after its HTML is in place: a render that was
killed is redone by the next run. Workers die with the run that started them, and their kernels with
them, so a killed run leaves nothing writing reports.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from nbconvert import HTMLExporter
from nbformat.v4 import new_notebook

from pipeline.config import NOTEBOOK_DIR, Workspace
from pipeline.files import atomic_write_text, write_if_changed
from pipeline.lock import end_with_parent
from pipeline.periods import parse, period_text
from pipeline.report import analys, templates
from pipeline.report.kernel import Kernel, KernelFailed
from pipeline.report.page import index_model, periods_model
from pipeline.report.snapshot import read_areas, read_sources, read_threshold

TEMPLATE_DIR = templates.TEMPLATE_DIR
PIPELINE = Path(__file__).parent.parent
# the report code, the registry and the period names: a change re-renders every report
CODE_FILES = sorted(Path(__file__).parent.glob("*.py")) + [PIPELINE / "sources.py", PIPELINE / "periods.py"]
CELL_SECONDS = 1800  # a notebook cell running longer hangs: its report fails and the others go on
WARM_UP = "from IPython.display import HTML, display\nfrom pipeline.report.page import Report\n"  # the notebooks' imports
_worker: tuple[Kernel, HTMLExporter] | None = None  # a worker process's kernel and exporter (_start_worker)


@dataclass
class Rendered:
    area_type: str
    area_code: str
    area_name: str
    path: Path
    status: str  # skapad | oförändrad | misslyckades
    error: str = ""
    seconds: float = 0.0  # the notebook run and its conversion, in the worker


def report_areas(snapshot: Path, period: str) -> pd.DataFrame:
    """The areas that get a report: every area of the snapshot's areas table, whichever sources it has data from."""
    areas = read_areas(snapshot, period)
    return areas[["area_type", "area_code", "area_name"]].drop_duplicates("area_code").reset_index(drop=True)


def default_workers() -> int:
    """One worker per processor core this process may run on (a container's or taskset's limit included)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def render(workspace: Workspace, period: str, only: list[str] | None = None, progress=None, workers: int | None = None) -> list[Rendered]:
    """The period's reports (or `only` these areas'), made by `workers` processes at a time (default: one per core)."""
    snapshot = workspace.snapshot_dir(period)
    if not (snapshot / "members.parquet").exists():
        raise FileNotFoundError(f"Ingen publicerad ögonblicksbild för {period}; kör 'lagesbild build --period {period}' först.")
    areas = report_areas(snapshot, period)
    if areas.empty:
        raise ValueError(f"Inga publicerade uppgifter för {period_text(period)}.")
    if only:
        unknown = sorted(set(only) - set(areas.area_code))
        if unknown:
            raise ValueError(f"Okänt område för {period}: {', '.join(unknown)}. Möjliga: {', '.join(areas.area_code)}.")
        areas = areas[areas.area_code.isin(only)]
    target = workspace.reports / period
    manifest_path = target / ".inputs.json"
    manifest = _read_manifest(manifest_path)
    base_hash = _inputs_hash(snapshot)
    jobs, results = [], []
    for area in areas.itertuples():
        folder = "kommun" if area.area_type == "kommun" else "region"
        output = target / folder / f"{area.area_code}.html"
        # the area's own analysis file (or its absence) is in its key only: editing it redoes that report alone
        analysis = analys.path_in(workspace.root, period, area.area_code).resolve()
        key = hashlib.sha256(f"{base_hash}|{area.area_type}|{area.area_code}|{analys.fingerprint(analysis)}".encode()).hexdigest()
        if output.exists() and manifest.get(area.area_code) == key:
            results.append(Rendered(area.area_type, area.area_code, area.area_name, output, "oförändrad"))
        else:
            jobs.append((str(snapshot), period, area.area_type, area.area_code, area.area_name, str(output), key, str(analysis)))
    target.mkdir(parents=True, exist_ok=True)
    # no more workers than reports: each starts a kernel (no jobs, no process is started at all)
    workers = max(1, min(default_workers() if workers is None else workers, len(jobs)))
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
        for job, outcome in zip(jobs, pool.map(_render_one, jobs)):
            status, error, seconds = outcome
            results.append(Rendered(job[2], job[3], job[4], Path(job[5]), status, error, seconds))
            # a report is recorded only once its whole HTML is in place, and the record is kept at
            # once: a run killed after it redoes only the reports not yet recorded
            if status == "skapad":
                manifest[job[3]] = job[6]
            else:
                manifest.pop(job[3], None)
            write_if_changed(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
            if progress:
                progress(len(results), len(areas), results[-1])
    write_if_changed(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
    _write_index(target, snapshot, period, results)
    return sorted(results, key=lambda r: (r.area_type, r.area_code))


def _read_manifest(path: Path) -> dict:
    """The reports recorded as made from their inputs; an unreadable manifest records none (all are redone)."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def _inputs_hash(snapshot: Path) -> str:
    digest = hashlib.sha256()
    paths = sorted(snapshot.glob("*.parquet")) + sorted(snapshot.glob("*.json")) + sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    paths += sorted(p for p in TEMPLATE_DIR.rglob("*") if p.is_file()) + CODE_FILES
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _render_one(job: tuple) -> tuple[str, str, float]:
    """Execute one notebook in the worker's kernel and convert it; runs in a worker process."""
    started = time.perf_counter()
    status, error = _execute(*job)
    return status, error, time.perf_counter() - started


def _execute(snapshot, period, area_type, area_code, area_name, output, key, analysis) -> tuple[str, str]:
    notebook = NOTEBOOK_DIR / ("kommun.ipynb" if area_type == "kommun" else "region.ipynb")
    kernel, exporter = _worker
    try:
        executed = kernel.run(notebook, {"snapshot_dir": snapshot, "period": period, "area_type": area_type,
                                         "area_code": area_code, "analysis_file": analysis})
        title = f"Lägesbild {area_name} {period_text(period)}"
        body, _ = exporter.from_notebook_node(executed, resources={
            "report_title": title, "report_area": area_name, "report_period": period_text(period), "report_css": _css()})
        atomic_write_text(Path(output), body)  # a temporary name, renamed when whole
        return "skapad", ""
    except KernelFailed as error:
        return "misslyckades", str(error)
    except Exception as error:  # one failed report must not stop the others
        return "misslyckades", f"{type(error).__name__}: {str(error)[-2000:]}"


def _start_worker(parent: int) -> None:
    """A worker dies with the run, keeps the libraries' and the kernel's English notes off the analyst's
    screen (a failed report reaches the analyst as its message) and has one kernel and one exporter, both
    ready before the first report."""
    global _worker
    end_with_parent(parent)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # the worker's stderr, which the kernel it starts inherits
    os.close(devnull)
    exporter = HTMLExporter(
        template_name="lagesbild", extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, exclude_markdown=True,
        filters={"css_string": templates.css_string},
    )
    _worker = (Kernel(CELL_SECONDS), exporter)
    # the kernel's start and the exporter's templates are the worker's, not its first report's
    _worker[0].warm(WARM_UP)
    exporter.from_notebook_node(new_notebook(), resources=dict.fromkeys(("report_title", "report_area", "report_period", "report_css"), ""))


def _css() -> str:
    return (TEMPLATE_DIR / "lagesbild" / "report.css").read_text(encoding="utf-8")


def _write_index(target: Path, snapshot: Path, period: str, results: list[Rendered]) -> None:
    failed = {r.area_code for r in results if r.status == "misslyckades"}
    areas = read_areas(snapshot, period)
    model = index_model(period, areas, read_sources(snapshot, areas), read_threshold(snapshot), failed)
    write_if_changed(target / "index.html", templates.render("page/index.html.j2", model) + "\n")
    # the front page: every period with reports, so a steering group finds its tertial beside the months
    periods = []
    for folder in target.parent.glob("*/index.html"):
        try:
            periods.append(parse(folder.parent.name))
        except ValueError:  # a folder of the analyst's own
            continue
    write_if_changed(target.parent / "index.html", templates.render("page/periods.html.j2", periods_model(periods)) + "\n")
