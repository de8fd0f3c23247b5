"""A declarative data contract (schemas/<source>.yaml): header aliases and code lists.

Matching of headers and answers ignores case, spacing and punctuation, so "Besöks-datum",
"BESÖKSDATUM" and "besöksdatum " are one header, and "GHB/GBL" equals "ghb gbl".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.config import Workspace, read_yaml
from pipeline.places import fold, map_distinct


def _header_key(text: object) -> str:
    """Headers match without spaces too: "Besöks-datum" and "Besöks datum" are "besöksdatum"."""
    return fold(text).replace(" ", "")


@dataclass
class CodeList:
    name: str
    labels: dict[str, str]  # code -> Swedish label
    lookup: dict[str, str]  # folded code, label or alias -> code
    missing: str | None  # the code an empty cell means ("okänd"), if any

    @classmethod
    def from_yaml(cls, name: str, spec: dict) -> CodeList:
        labels, lookup, missing = {}, {}, None
        for code, entry in spec.items():
            labels[code] = entry["label"]
            for text in [code, entry["label"], *entry.get("aliases", [])]:
                lookup[fold(text)] = code
            if entry.get("missing"):
                missing = code
        return cls(name, labels, lookup, missing)

    def allowed_text(self) -> str:
        return ", ".join(self.labels.values())


@dataclass
class HeaderMap:
    fields: dict[int, str] = field(default_factory=dict)  # column position -> field name
    codes: dict[int, str] = field(default_factory=dict)  # column position -> code of a yes/no column per code
    unknown: list[int] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)  # a second column for a field already matched


class Contract:
    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.source = spec["source"]
        self.fields: dict[str, dict] = spec["fields"]
        self.codelists = {name: CodeList.from_yaml(name, entries) for name, entries in spec["codelists"].items()}
        self._field_by_header = {_header_key(alias): name for name, f in self.fields.items() for alias in [name, f["label"], *f["aliases"]]}
        self.yes = {fold(v) for v in spec.get("yes_answers", [])}
        self.no = {fold(v) for v in spec.get("no_answers", [])}
        multi = [name for name, f in self.fields.items() if f["kind"] == "multicode"]
        self.multicode_field = multi[0] if multi else None

    def drops_cell_only(self, field_name: str) -> bool:
        """Whether a failed check of this field loses only the cell (else the whole row)."""
        return False

    def label(self, field_name: str) -> str:
        return self.fields[field_name]["label"]

    def code_column(self, header: str) -> str | None:
        """The code a per-code yes/no column stands for ("Substans: Alkohol" -> alkohol)."""
        if self.multicode_field is None:
            return None
        spec = self.fields[self.multicode_field]
        codes = self.codelists[spec["codelist"]]
        text = fold(header)
        candidates = [text] + [text[len(fold(p)) :].strip() for p in spec.get("column_prefixes", []) if text.startswith(fold(p) + " ")]
        return next((codes.lookup[c] for c in candidates if c in codes.lookup), None)

    def map_headers(self, headers: list[str]) -> HeaderMap:
        mapping = HeaderMap()
        for position, header in enumerate(headers):
            name = self._field_by_header.get(_header_key(header))
            code = None if name else self.code_column(header)
            if name and name in mapping.fields.values():
                mapping.repeated.append(position)
            elif name:
                mapping.fields[position] = name
            elif code and code not in mapping.codes.values():
                mapping.codes[position] = code
            else:
                mapping.unknown.append(position)
        return mapping

    def header_score(self, row: list[str]) -> int:
        return sum(1 for cell in row if cell and (_header_key(cell) in self._field_by_header or self.code_column(cell)))


def contract_file(workspace: Workspace, name: str) -> Contract:
    """The contract in schemas/<name>, built once per version of the file: every file of a run
    is examined against the same one."""
    path = workspace.schema_path(name)
    return _contract(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _contract(path: Path, _mtime: int) -> Contract:
    return Contract(read_yaml(path))


def map_codes(values: pd.Series, codes: CodeList) -> pd.Series:
    """Code for each cell, the missing code for empty cells, NaN where the answer is unknown."""
    return map_distinct(values, lambda value: codes.missing if fold(value) == "" else codes.lookup.get(fold(value)))
