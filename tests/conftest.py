"""Shared fixtures: the demo workspace, built and run once per test session through the real CLI.

Tests read the session's demo and never change it; a test that changes a workspace takes its own
copy (`demo_copy`), which costs a file copy instead of another full run.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import run

DEMO_PERIOD = "2026-10"


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Path:
    """`lagesbild demo` for DEMO_PERIOD: every source's files, ingested, built, published and reported."""
    workspace = tmp_path_factory.mktemp("demo")
    result = run(["demo", "--workspace", str(workspace), "--period", DEMO_PERIOD], cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    return workspace


@pytest.fixture
def demo_copy(demo, tmp_path) -> Path:
    """A private copy of the session's demo workspace, for a test that changes it."""
    return Path(shutil.copytree(demo, tmp_path / "demo", symlinks=True))
