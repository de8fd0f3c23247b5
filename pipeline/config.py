"""Where things are: the project's contracts and a workspace's data folders.

A workspace is a folder with `data/raw/`, `data/processed/` and `reports/` (the project root by
default, `demo/` for the demo). Its own `schemas/<file>` overrides the project's, so a demo or a
test can declare other coverage without touching the shipped contracts.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROJECT_SCHEMAS = PROJECT_ROOT / "schemas"
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
SQL_DIR = Path(__file__).resolve().parent / "sql"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def database(self) -> Path:
        return self.processed / "lagesbild.duckdb"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    def snapshot_dir(self, period: str) -> Path:
        return self.processed / period

    def schema_path(self, name: str) -> Path:
        own = self.root / "schemas" / name
        return own if own.exists() else PROJECT_SCHEMAS / name

    def load_yaml(self, name: str) -> dict:
        return read_yaml(self.schema_path(name))

    def contract_fingerprint(self) -> str:
        """Hash of every contract and reference table a build depends on (the build adds its SQL models)."""
        paths = sorted(PROJECT_SCHEMAS.rglob("*.*"))
        paths += sorted(REFERENCE_DIR.glob("*.csv"))
        own = self.root / "schemas"
        if own.exists() and own.resolve() != PROJECT_SCHEMAS:
            paths += sorted(own.rglob("*.*"))
        reference = self.root / "data" / "reference"  # a workspace's own reference tables (its DeSO areas)
        if reference.exists() and reference.resolve() != REFERENCE_DIR.resolve():
            paths += sorted(reference.glob("*.csv"))
        digest = hashlib.sha256()
        for path in paths:
            digest.update(str(path.name).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


def read_yaml(path: Path) -> dict:
    """A YAML file, parsed once per version of it (every reader in a process shares the parse)."""
    return _load_yaml(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=32)
def _load_yaml(path: Path, _mtime: int) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
