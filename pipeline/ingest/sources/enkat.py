"""Lägesbild questionnaires: the question catalogue as a contract, and survey rows made long.

A survey export is wide: one row per respondent (a sector of a municipality in one round), one
column per question and scale. The catalogue (schemas/enkat.yaml) turns into a Contract whose
fields are the respondent columns plus one code field per question and scale, so reading and
validation are the same as for INTOX. What differs is kept here: personal columns are dropped
when the file is read, municipality, sector and round may come from the folder and file name,
an unknown answer loses only that answer, and the staging rows are one per respondent × question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.config import Workspace, read_yaml
from pipeline.ingest.contract import Contract, HeaderMap, _header_key, fold
from pipeline.ingest.parse import parse_dates
from pipeline.ingest.read import RawTable
from pipeline.places import resolver

SOURCE = "enkat"
SCALES = ("presence", "trend")
REQUIRED = ("municipality", "sector", "round")
STAGING_COLUMNS = [
    "source_row", "respondent_id", "submitted_at", "round", "municipality_code", "sector",
    "area_id", "question_id", "presence", "trend", "header_version",
]
COMMENT_COLUMNS = ["source_row", "round", "municipality_code", "sector", "area_id", "comment"]
# The staging tables this reader fills (one batch of rows per file).
STAGING_DDL = """
CREATE TABLE IF NOT EXISTS stg_enkat (             -- one row per respondent × question
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    respondent_id VARCHAR, submitted_at TIMESTAMP, round VARCHAR NOT NULL,
    municipality_code VARCHAR NOT NULL, sector VARCHAR NOT NULL, area_id VARCHAR NOT NULL, question_id VARCHAR NOT NULL,
    presence VARCHAR, trend VARCHAR,                -- answer codes; NULL = not answered (or left in quarantine)
    header_version VARCHAR                          -- the catalogue version whose header text the file used
);
CREATE TABLE IF NOT EXISTS stg_enkat_comment (     -- stored, never shown in reports
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL, round VARCHAR NOT NULL,
    municipality_code VARCHAR NOT NULL, sector VARCHAR NOT NULL, area_id VARCHAR NOT NULL, comment VARCHAR NOT NULL
);
"""
_ROUND_IN_NAME = re.compile(r"(?<!\d)(\d{4})[\s_.-]*(h[12]|vt|ht)(?![a-zåäö])|(?<![a-zåäö])(h[12]|vt|ht)[\s_.-]*(\d{4})(?!\d)", re.I)


@dataclass(frozen=True)
class Question:
    id: str
    area_id: str
    text: str
    has_trend: bool
    headers: dict[str, list[str]]  # catalogue version -> header texts


def field_name(question_id: str, scale: str) -> str:
    return f"{question_id}.{scale}"


def comment_field(area_id: str) -> str:
    return f"{area_id}.comment"


class EnkatContract(Contract):
    """The question catalogue as a Contract, plus what only questionnaires have."""

    def __init__(self, spec: dict) -> None:
        self.catalogue = spec
        self.areas = {area_id: area["title"] for area_id, area in spec["areas"].items()}
        self.questions = [
            Question(qid, area_id, q["text"], q.get("trend", True), {str(v): list(h) for v, h in q["headers"].items()})
            for area_id, area in spec["areas"].items()
            for qid, q in area["questions"].items()
        ]
        self.values = {name: {code: a.get("value") for code, a in scale["answers"].items()} for name, scale in spec["scales"].items()}
        self.keywords = {name: [fold(k) for k in spec[name]["keywords"]] for name in ("comment",)}
        self.keywords |= {name: [fold(k) for k in spec["scales"][name]["keywords"]] for name in ("trend", "presence")}
        # a question's header texts, bare: the statement of a Likert or grid question
        self.question_of: dict[str, str] = {}
        self.version_of: dict[str, str] = {}
        fields = dict(spec["fields"])
        for name in REQUIRED:
            fields[name] = fields[name] | {"required": True}
        fields["municipality"] |= {"allow_unknown": False}  # an answer must belong to a municipality
        for question in self.questions:
            for version, headers in question.headers.items():
                for header in headers:
                    self.question_of[_header_key(header)] = question.id
                    self.version_of.setdefault(_header_key(header), version)
            self.question_of[_header_key(question.text)] = question.id
            self.version_of.setdefault(_header_key(question.text), max(question.headers))
            for scale in SCALES if question.has_trend else SCALES[:1]:
                fields[field_name(question.id, scale)] = {
                    "kind": "code", "codelist": scale, "label": f"{question.text}, {spec['scales'][scale]['label']}",
                    # Microsoft Forms writes a Likert statement alone: a bare text is presence
                    "aliases": [h for hs in question.headers.values() for h in hs] if scale == "presence" else [],
                }
        self.area_of: dict[str, str] = {}
        for area_id, area in spec["areas"].items():
            self.area_of |= {_header_key(area["title"]): area_id, _header_key(area_id): area_id}
            fields[comment_field(area_id)] = {
                "kind": "text", "label": f"Kommentar om {area['title'].lower()}", "aliases": area.get("comment_headers", []),
            }
        codelists = {"sector": spec["sectors"], **{s: spec["scales"][s]["answers"] for s in SCALES}}
        super().__init__({"source": SOURCE, "fields": fields, "codelists": codelists, "round_aliases": spec["round_aliases"]})
        self._check_unambiguous(fields)
        self.personal = {_header_key(h) for h in spec.get("personal", [])}
        self.ignored = {_header_key(h) for h in spec.get("ignored", [])}

    def _check_unambiguous(self, fields: dict) -> None:
        """Two fields under one header text would silently swap answers: refuse such a catalogue."""
        owner: dict[str, str] = {}
        for name, spec in fields.items():
            for alias in [name, spec["label"], *spec["aliases"]]:
                key = _header_key(alias)
                if owner.setdefault(key, name) != name:
                    raise ValueError(f"enkat.yaml: rubriken '{alias}' passar både {owner[key]} och {name}.")

    def match_prompted(self, header: str) -> str | None:
        """'Prompt [Rad]', 'Prompt: Rad' or 'Rad – prompt': the row names the question, the prompt the scale."""
        pairs = []
        if match := re.fullmatch(r"\s*(.*?)\s*\[(.+)\]\s*", header):
            pairs.append((match.group(1), match.group(2)))
        for separator in (" – ", " — ", " - ", ": "):
            if separator in header:
                first, second = header.split(separator, 1)
                pairs += [(first, second), (second, first)]
        for prompt, row in pairs:
            words = fold(prompt).split()
            said = lambda scale, words=words: any(w.startswith(k) for w in words for k in self.keywords[scale])  # noqa: E731
            if said("comment") and _header_key(row) in self.area_of:
                return comment_field(self.area_of[_header_key(row)])
            question = self.question_of.get(_header_key(row))
            scale = "trend" if said("trend") else "presence" if said("presence") else None
            if question and scale and field_name(question, scale) in self.fields:
                return field_name(question, scale)
        return None

    def map_headers(self, headers: list[str]) -> HeaderMap:
        mapping = super().map_headers(headers)
        for position in list(mapping.unknown):
            name = self.match_prompted(headers[position])
            if name and name not in mapping.fields.values():
                mapping.unknown.remove(position)
                mapping.fields[position] = name
        # The second column with a bare statement text is the trend question of the same statements.
        for position in list(mapping.repeated):
            name = self._field_by_header[_header_key(headers[position])]
            trend = name.removesuffix(".presence") + ".trend" if name.endswith(".presence") else None
            if trend in self.fields and trend not in mapping.fields.values():
                mapping.repeated.remove(position)
                mapping.fields[position] = trend
        return mapping

    def header_score(self, row: list[str]) -> int:
        return super().header_score(row) + sum(1 for cell in row if cell and _header_key(cell) not in self._field_by_header and self.match_prompted(cell))

    def drops_cell_only(self, field: str) -> bool:
        """An unknown answer (or an oversized comment) loses that cell; the rest of the response is kept."""
        return field.endswith((".presence", ".trend", ".comment"))


def contract(workspace: Workspace) -> EnkatContract:
    path = workspace.schema_path("enkat.yaml")
    return _contract(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _contract(path: Path, _mtime: int) -> EnkatContract:
    """Built once per catalogue file version: every file of a run shares it."""
    return EnkatContract(read_yaml(path))


# --- before validation: personal columns out, path conventions in -------------------------------


def prepare(table: RawTable, contract: EnkatContract, workspace: Workspace) -> tuple[RawTable, list[str]]:
    """Drop personal and unused columns; add municipality, sector and round from the path if absent."""
    name = table.path.name
    notes = []
    keep = []
    for position, header in enumerate(table.headers):
        key = _header_key(header)
        if key in contract.personal:
            notes.append(f"{name}: kolumnen '{header}' är en personuppgift och togs bort vid läsningen; den sparas inte.")
        elif key in contract.ignored:
            notes.append(f"{name}: kolumnen '{header}' används inte.")
        else:
            keep.append(position)
    headers = [table.headers[p] for p in keep]
    cells = table.cells[keep].copy()
    cells.columns = range(len(keep))
    present = set(contract.map_headers(headers).fields.values())

    def add(header: str, values, note: str) -> None:
        nonlocal headers
        cells[len(headers)] = values
        headers = headers + [header]
        notes.append(f"{name}: {note}")

    if "municipality" not in present and (found := municipality_from_path(table.path, workspace)):
        code, where = found
        add("Kommun", code, f"kolumn för kommun saknas; filen gäller {resolver().names[code]} ({where}).")
    if "sector" not in present and (sector := sector_from_name(table.path, contract)):
        add("Sektor", sector, f"kolumn för sektor saknas; filen gäller {contract.codelists['sector'].labels[sector]} (från filnamnet).")
    if "round" not in present:
        if found_round := round_from_name(table.path.name):
            add("Omgång", found_round, f"kolumn för omgång saknas; filen gäller {found_round} (från filnamnet).")
        else:
            dates = _submission_dates(cells, headers, contract)
            if dates is not None:
                source_header, dates = dates
                add("Omgång", round_of_dates(dates), "kolumn för omgång saknas; omgången räknas fram ur inskickningsdatum "
                    "(januari–juni = H1, juli–december = H2).")
                derived = {**table.derived, "Omgång": source_header}
                return replace(table, headers=headers, cells=cells, derived=derived), notes
    return replace(table, headers=headers, cells=cells), notes


def municipality_from_path(path: Path, workspace: Workspace, source: str = SOURCE) -> tuple[str, str] | None:
    """A folder data/raw/<source>/<kommun>/, else a municipality named in the file name."""
    try:
        parts = path.resolve().relative_to((workspace.raw / source).resolve()).parts
    except ValueError:
        parts = ()
    if len(parts) > 1:
        code = resolver().resolve(parts[0]).code
        if code:
            return code, "från mappnamnet"
    codes = {resolver().resolve(token).code for token in _name_tokens(path)} - {None}
    return (codes.pop(), "från filnamnet") if len(codes) == 1 else None


def sector_from_name(path: Path, contract: EnkatContract) -> str | None:
    lookup = contract.codelists["sector"].lookup
    tokens = _name_tokens(path)
    pairs = [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
    codes = {lookup[fold(t)] for t in pairs + tokens if fold(t) in lookup}
    return codes.pop() if len(codes) == 1 else None


def _name_tokens(path: Path) -> list[str]:
    stem = _ROUND_IN_NAME.sub(" ", path.stem)
    return [t for t in re.split(r"[\s_.\-]+", stem) if t and not t.isdigit()]


def round_from_name(name: str) -> str | None:
    match = _ROUND_IN_NAME.search(name)
    if not match:
        return None
    year, half = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    return f"{year}-{'H1' if half.lower() in ('h1', 'vt') else 'H2'}"


def round_of_dates(dates: pd.Series) -> pd.Series:
    half = (dates.dt.month > 6).map({False: "H1", True: "H2"})
    return (dates.dt.year.astype("Int64").astype(str) + "-" + half).where(dates.notna(), "")


def _submission_dates(cells: pd.DataFrame, headers: list[str], contract: EnkatContract) -> tuple[str, pd.Series] | None:
    """The header of the submission-date column and its parsed dates."""
    mapping = contract.map_headers(headers)
    for wanted in ("submitted_at", "started_at"):
        for position, name in mapping.fields.items():
            if name == wanted:
                return headers[position], parse_dates(cells[position])
    return None


# --- after validation: long staging rows -------------------------------------------------------


def staging_rows(parsed: pd.DataFrame, contract: EnkatContract, workspace: Workspace, table: RawTable) -> dict[str, pd.DataFrame]:
    """One row per respondent × question asked in the file, and one per filled comment."""
    respondents = pd.DataFrame(index=parsed.index)
    respondents["source_row"] = parsed.index.astype("int64")
    respondents["respondent_id"] = parsed.get("respondent_id", pd.Series(None, index=parsed.index, dtype="object"))
    submitted = parsed.get("submitted_at", parsed.get("started_at"))
    respondents["submitted_at"] = submitted if submitted is not None else pd.Series(pd.NaT, index=parsed.index)
    respondents["round"] = parsed["round"]
    respondents["municipality_code"] = parsed["municipality"]
    respondents["sector"] = parsed["sector"]
    versions = header_versions(table.headers, contract)
    asked = [q for q in contract.questions if any(field_name(q.id, s) in parsed for s in SCALES)]
    parts = []
    for question in asked:
        part = respondents.copy()
        part["area_id"], part["question_id"] = question.area_id, question.id
        for scale in SCALES:
            part[scale] = parsed.get(field_name(question.id, scale), pd.Series(None, index=parsed.index, dtype="object"))
        part["header_version"] = versions.get(question.id)
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=STAGING_COLUMNS)
    comments = []
    for area_id in contract.areas:
        text = parsed.get(comment_field(area_id))
        if text is not None:
            filled = text.notna()
            comments.append(respondents.loc[filled, COMMENT_COLUMNS[:4]].assign(area_id=area_id, comment=text[filled]))
    comment_rows = pd.concat(comments, ignore_index=True) if comments else pd.DataFrame(columns=COMMENT_COLUMNS)
    return {"stg_enkat": rows[STAGING_COLUMNS], "stg_enkat_comment": comment_rows[COMMENT_COLUMNS]}


def header_versions(headers: list[str], contract: EnkatContract) -> dict[str, str]:
    """Per question: the catalogue version whose header text the file used."""
    found = {}
    for position, name in contract.map_headers(headers).fields.items():
        if name.endswith((".presence", ".trend")):
            header = headers[position]
            match = re.fullmatch(r"\s*(.*?)\s*\[(.+)\]\s*", header)
            texts = [match.group(2)] if match else [header, *re.split(r" – | — | - |: ", header)]
            version = next((contract.version_of[_header_key(t)] for t in texts if _header_key(t) in contract.version_of), None)
            found.setdefault(name.split(".")[0], version)
    return found
