"""Run the installed `lagesbild` command as an analyst would, and read what it printed."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LAGESBILD = Path(sys.executable).parent / "lagesbild"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LAGESBILD), *args], cwd=cwd, capture_output=True, timeout=120)


def out(result) -> str:
    return result.stdout.decode("utf-8")


def err(result) -> str:
    return result.stderr.decode("utf-8")
