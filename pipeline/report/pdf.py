"""PDFs of the reports for meeting papers, printed by Chromium's own engine run headless as a program.

The reports' print stylesheet makes the paper (A4, running header with area and period, "Sida X av Y");
this module only asks Chromium to print each HTML to a PDF beside it (same name, .pdf). Playwright is a
test dependency only, so Chromium is run as a plain subprocess. A PDF is written under a temporary name
and renamed when whole, like the HTML; a PDF newer than its HTML is left alone.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.files import replacing

# The browser to use instead of searching PATH: for an unusual install, and for the tests (a path that does
# not exist stands for a machine without Chromium).
BROWSER_ENV = "LAGESBILD_CHROMIUM"
NAMES = ("chromium", "chromium-browser")
DEBIAN = Path("/usr/bin/chromium")
WORKERS = 2
TIMEOUT = 180  # seconds per report; a hung browser fails that PDF, not the run
# Headless, offline and without a user profile; the reports are our own self-contained files.
FLAGS = ["--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-pdf-header-footer"]


@dataclass
class Printed:
    pdf: Path
    status: str  # skapad | oförändrad | misslyckades
    error: str = ""


def find_chromium() -> str | None:
    """Chromium's path: $LAGESBILD_CHROMIUM when set (and only it), else chromium or chromium-browser on PATH, else Debian's."""
    chosen = os.environ.get(BROWSER_ENV)
    if chosen:
        return chosen if os.access(chosen, os.X_OK) and Path(chosen).is_file() else None
    for name in NAMES:
        if found := shutil.which(name):
            return found
    return str(DEBIAN) if os.access(DEBIAN, os.X_OK) else None


def print_pdfs(htmls: list[Path], chromium: str, progress=None) -> list[Printed]:
    """A PDF beside each HTML, two at a time; `progress(done, total, pdf)` after each."""
    results: list[Printed] = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for outcome in pool.map(lambda html: _print_one(html, chromium), htmls):
            results.append(outcome)
            if progress:
                progress(len(results), len(htmls), outcome.pdf)
    return results


def _print_one(html: Path, chromium: str) -> Printed:
    pdf = html.with_suffix(".pdf")
    if pdf.exists() and pdf.stat().st_mtime_ns >= html.stat().st_mtime_ns:
        return Printed(pdf, "oförändrad")
    # root must run Chromium without its sandbox (it refuses otherwise)
    sandbox = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    try:
        with tempfile.TemporaryDirectory(prefix="lagesbild-chromium-") as profile, replacing(pdf) as tmp:
            done = subprocess.run(
                [chromium, *FLAGS, *sandbox, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}", html.resolve().as_uri()],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT,
            )
            if not tmp.exists() or not tmp.read_bytes()[:5] == b"%PDF-":
                detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
                raise RuntimeError(f"Chromium skrev ingen PDF (slutstatus {done.returncode}): {' '.join(detail)}")
        return Printed(pdf, "skapad")
    except subprocess.TimeoutExpired:
        return Printed(pdf, "misslyckades", f"Chromium blev inte klar på {TIMEOUT} sekunder.")
    except (OSError, RuntimeError) as error:
        return Printed(pdf, "misslyckades", str(error))
