"""The one way the tests run the installed `lagesbild` command, as an analyst would."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LAGESBILD = Path(sys.executable).parent / "lagesbild"


def run(args: list[str], cwd: Path | None = None, timeout: int = 900, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `lagesbild ARGS` in `cwd`, with `env` added to the environment; stdout and stderr as text."""
    return subprocess.run([str(LAGESBILD), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
                          env=None if env is None else {**os.environ, **env})


def out(result: subprocess.CompletedProcess) -> str:
    return result.stdout


def err(result: subprocess.CompletedProcess) -> str:
    return result.stderr
