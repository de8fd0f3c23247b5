"""Render: papermill runs a notebook per area, nbconvert turns it into self-contained HTML.

Reports are rendered two at a time in worker processes; a report whose inputs (snapshot,
notebook, report code, template) have not changed since its HTML was written is not redone.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.config import NOTEBOOK_DIR, Workspace
from pipeline.files import write_if_changed
from pipeline.report.lib import esc, month

TEMPLATE_DIR = NOTEBOOK_DIR / "template"
CODE_FILES = sorted(Path(__file__).parent.glob("*.py"))  # the report code: a change re-renders every report
WORKERS = 2


@dataclass
class Rendered:
    area_type: str
    area_code: str
    area_name: str
    path: Path
    status: str  # skapad | oförändrad | misslyckades
    error: str = ""


def report_areas(snapshot: Path, period: str) -> pd.DataFrame:
    """Areas with published figures for the period: covered municipalities and regions."""
    values = pd.read_parquet(snapshot / "indicators.parquet", columns=["indicator_id", "area_type", "area_code", "area_name", "period"])
    areas = values[(values.indicator_id == "intox_cases") & (values.period == period)]
    return areas[["area_type", "area_code", "area_name"]].drop_duplicates().sort_values(["area_type", "area_code"])


def render(workspace: Workspace, period: str, only: list[str] | None = None, progress=None) -> list[Rendered]:
    snapshot = workspace.snapshot_dir(period)
    if not (snapshot / "indicators.parquet").exists():
        raise FileNotFoundError(f"Ingen publicerad ögonblicksbild för {period}; kör 'lagesbild build --period {period}' först.")
    areas = report_areas(snapshot, period)
    if areas.empty:
        raise ValueError(f"Inga publicerade uppgifter för {month(period)}.")
    if only:
        unknown = sorted(set(only) - set(areas.area_code))
        if unknown:
            raise ValueError(f"Okänt område för {period}: {', '.join(unknown)}. Möjliga: {', '.join(areas.area_code)}.")
        areas = areas[areas.area_code.isin(only)]
    target = workspace.reports / period
    manifest_path = target / ".inputs.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    base_hash = _inputs_hash(snapshot)
    jobs, results = [], []
    for area in areas.itertuples():
        folder = "kommun" if area.area_type == "kommun" else "region"
        output = target / folder / f"{area.area_code}.html"
        key = hashlib.sha256(f"{base_hash}|{area.area_type}|{area.area_code}".encode()).hexdigest()
        if output.exists() and manifest.get(area.area_code) == key:
            results.append(Rendered(area.area_type, area.area_code, area.area_name, output, "oförändrad"))
        else:
            jobs.append((str(snapshot), period, area.area_type, area.area_code, area.area_name, str(output), key))
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        for job, outcome in zip(jobs, pool.map(_render_one, jobs)):
            status, error = outcome
            results.append(Rendered(job[2], job[3], job[4], Path(job[5]), status, error))
            if status == "skapad":
                manifest[job[3]] = job[6]
            else:
                manifest.pop(job[3], None)
            if progress:
                progress(len(results), len(areas), job[4])
    target.mkdir(parents=True, exist_ok=True)
    write_if_changed(manifest_path, json.dumps(manifest, indent=1, sort_keys=True))
    _write_index(target, period, report_areas(snapshot, period), results)
    return sorted(results, key=lambda r: (r.area_type, r.area_code))


def _inputs_hash(snapshot: Path) -> str:
    digest = hashlib.sha256()
    paths = sorted(snapshot.glob("*.parquet")) + sorted(snapshot.glob("*.json")) + sorted(NOTEBOOK_DIR.glob("*.ipynb"))
    paths += sorted(p for p in TEMPLATE_DIR.rglob("*") if p.is_file()) + CODE_FILES
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _render_one(job: tuple) -> tuple[str, str]:
    """Execute one notebook and convert it; runs in a worker process."""
    import papermill
    from nbconvert import HTMLExporter

    snapshot, period, area_type, area_code, area_name, output, _ = job
    notebook = NOTEBOOK_DIR / ("kommun.ipynb" if area_type == "kommun" else "region.ipynb")
    try:
        with tempfile.TemporaryDirectory() as tmp, _kernel_chatter_to(Path(tmp) / "kernel.log"):
            executed = Path(tmp) / "executed.ipynb"
            papermill.execute_notebook(
                str(notebook), str(executed), kernel_name="python3", progress_bar=False, log_output=False,
                parameters={"snapshot_dir": snapshot, "period": period, "area_type": area_type, "area_code": area_code},
            )
            exporter = HTMLExporter(
                template_name="lagesbild", extra_template_basedirs=[str(TEMPLATE_DIR)],
                exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True, exclude_markdown=True,
            )
            title = f"Lägesbild {area_name} {month(period)}"
            body, _ = exporter.from_filename(str(executed), resources={"report_title": title, "report_css": _css()})
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(body, encoding="utf-8")
        return "skapad", ""
    except Exception as error:  # one failed report must not stop the others
        return "misslyckades", f"{type(error).__name__}: {str(error)[-2000:]}"


@contextmanager
def _kernel_chatter_to(path: Path):
    """The kernel inherits this worker's stderr and warns there about its transport; keep that off the analyst's screen."""
    saved = os.dup(2)
    with open(path, "wb") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _css() -> str:
    return (TEMPLATE_DIR / "lagesbild" / "report.css").read_text(encoding="utf-8")


def _write_index(target: Path, period: str, areas: pd.DataFrame, results: list[Rendered]) -> None:
    failed = {r.area_code for r in results if r.status == "misslyckades"}
    groups = [("Regioner och län", areas[areas.area_type != "kommun"], "region"), ("Kommuner", areas[areas.area_type == "kommun"], "kommun")]
    parts = []
    for heading, rows, folder in groups:
        items = "".join(
            f"<li><a href='{folder}/{r.area_code}.html'>{esc(r.area_name)}</a></li>" if r.area_code not in failed
            else f"<li>{esc(r.area_name)} – rapporten kunde inte skapas</li>"
            for r in rows.itertuples()
        )
        parts.append(f"<h2>{heading}</h2><ul>{items}</ul>")
    html = (
        f"<!DOCTYPE html><html lang='sv'><head><meta charset='utf-8'><meta name='viewport' content='width=device-width, initial-scale=1.0'>"
        f"<title>Lägesbild {month(period)}</title><style>{_css()}</style></head><body><main>"
        f"<p class='kicker'>Lägesbild – INTOX och lägesbildsenkät</p><h1>Rapporter för {month(period)}</h1>"
        f"<p>En rapport per kommun som ingår i INTOX-registreringen och per region. Varje rapport har också lägesbildsenkätens svar för kommunen eller regionen. INTOX-antal från 1 till 4 visas inte.</p>"
        + "".join(parts) + "</main></body></html>\n"
    )
    write_if_changed(target / "index.html", html)
