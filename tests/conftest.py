"""Shared fixtures: the demo workspace, built and run once per test run through the real CLI.

Tests read the session's demo and never change it; a test that changes a workspace takes its own
copy (`demo_copy`), which costs a file copy instead of another full run. Under pytest-xdist the
workers share one demo: the first to need it builds it while the others wait on a lock, so the
demo's month, tertial and year are rendered once, not once per core.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest
from cli_helpers import run

DEMO_PERIOD = "2026-10"


def _run_demo(workspace: Path) -> Path:
    workspace.mkdir(parents=True, exist_ok=True)
    result = run(["demo", "--workspace", str(workspace), "--period", DEMO_PERIOD], cwd=workspace, timeout=1800)
    assert result.returncode == 0, result.stdout + result.stderr
    return workspace


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """`lagesbild demo` for DEMO_PERIOD: every source's files, ingested, built, published and reported."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # not under xdist
        return _run_demo(tmp_path_factory.mktemp("demo"))
    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every worker of this run
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        workspace, done = shared / "demo", shared / "demo.done"
        if not done.exists():
            shutil.rmtree(workspace, ignore_errors=True)
            _run_demo(workspace)
            done.touch()
    return workspace


@pytest.fixture
def demo_copy(demo, tmp_path) -> Path:
    """A private copy of the session's demo workspace, for a test that changes it."""
    return Path(shutil.copytree(demo, tmp_path / "demo", symlinks=True))
