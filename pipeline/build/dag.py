"""The SQL models: find them, order them by pipeline/sql/dag.yml, run them, check what schema.yml declares.

A model is one file pipeline/sql/<folder>/<model>.sql holding one SELECT; it becomes the table
<model>. A model without a file gets its SQL from the caller (`generated`). After each model has
run its declared key must be unique and its not-null columns filled, or the build stops with a
Swedish message that names the model and the offending key or column.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import yaml

from pipeline.config import SQL_DIR

NUMBER_WORDS = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio"}


class ModelError(ValueError):
    """A model broke what schema.yml declares for it, or the DAG cannot be run; the text is Swedish."""


@dataclass(frozen=True)
class Project:
    """The models of one SQL folder (pipeline/sql/ by default; a test may bring its own)."""

    folder: Path = SQL_DIR

    @cached_property
    def dag(self) -> dict:
        return _load(self.folder / "dag.yml")

    @cached_property
    def schema(self) -> dict[str, dict]:
        return _load(self.folder / "schema.yml").get("models") or {}

    @cached_property
    def files(self) -> dict[str, Path]:
        """Model name -> its SQL file: pipeline/sql/<folder>/<model>.sql, macros left out."""
        macros = {(self.folder / name).resolve() for name in self.dag.get("macros") or []}
        found: dict[str, Path] = {}
        for path in sorted(self.folder.glob("*/*.sql")):
            if path.resolve() in macros:
                continue
            if path.stem in found:
                raise ModelError(f"Modellen {path.stem} finns i två filer: {found[path.stem]} och {path}.")
            found[path.stem] = path
        return found

    def order(self) -> list[str]:
        """Every model of dag.yml, each after the models it reads."""
        models = self.dag.get("models") or {}
        for name, needs in models.items():
            unknown = [need for need in needs or [] if need not in models]
            if unknown:
                raise ModelError(f"dag.yml: modellen {name} läser {', '.join(unknown)}, som inte finns i dag.yml.")
        try:
            return list(TopologicalSorter({name: needs or [] for name, needs in models.items()}).static_order())
        except CycleError as error:
            raise ModelError(f"dag.yml: modellerna läser varandra i en cirkel: {' → '.join(error.args[1])}.") from error

    def sql(self, name: str, generated: dict[str, str]) -> str:
        if name in generated:
            return generated[name]
        if name not in self.files:
            raise ModelError(f"Modellen {name} i dag.yml saknar sin fil {name}.sql under {self.folder}.")
        return self.files[name].read_text(encoding="utf-8")

    def small_counts(self, name: str) -> list[str]:
        return list(self.schema.get(name, {}).get("small_counts") or [])


def run(con, generated: dict[str, str] | None = None, only: list[str] | None = None, project: Project = Project()) -> list[str]:
    """Run the models in DAG order (only those in `only`, if given) and check each; returns their names."""
    generated = generated or {}
    for macro in project.dag.get("macros") or []:
        con.execute((project.folder / macro).read_text(encoding="utf-8"))
    names = [name for name in project.order() if only is None or name in only]
    for name in names:
        if name not in project.schema:
            raise ModelError(f"schema.yml saknar modellen {name}: ange dess nyckel och kolumner som inte får vara tomma.")
        body = project.sql(name, generated).strip().rstrip(";")
        con.execute(f"CREATE OR REPLACE TABLE {name} AS\n{body}\n")
        check(con, name, project.schema[name])
    return names


def check(con, name: str, spec: dict) -> None:
    """The model's declared key is unique, its not-null columns are filled, its references exist."""
    columns = {row[0] for row in con.execute(f"DESCRIBE {name}").fetchall()}
    key = list(spec.get("key") or [])
    declared = key + list(spec.get("not_null") or []) + list(spec.get("references") or {}) + list(spec.get("small_counts") or [])
    missing = [column for column in dict.fromkeys(declared) if column not in columns]
    if missing:
        raise ModelError(f"Modellen {name} saknar kolumnen {', '.join(missing)} som schema.yml anger.")
    if not key:
        raise ModelError(f"schema.yml anger ingen nyckel för modellen {name}.")
    listed = ", ".join(key)
    positions = ", ".join(str(i + 1) for i in range(len(key)))
    duplicate = con.execute(
        f"SELECT {listed}, count(*) AS _rows FROM {name} GROUP BY ALL HAVING count(*) > 1 ORDER BY _rows DESC, {positions} LIMIT 1"
    ).fetchall()
    if duplicate:
        *values, rows = duplicate[0]
        raise ModelError(
            f"Modellen {name} har {_rows_text(rows, words=True)} för nyckeln ({listed}) = ({', '.join(_text(v) for v in values)})."
        )
    for column in spec.get("not_null") or []:
        empty = con.execute(f"SELECT count(*) FROM {name} WHERE {column} IS NULL").fetchall()[0][0]
        if empty:
            raise ModelError(f"Modellen {name} har tomma värden i kolumnen {column} ({_rows_text(empty)}).")
    for column, target in (spec.get("references") or {}).items():
        table, target_column = target.split(".")
        unknown = [row[0] for row in con.execute(
            f"SELECT DISTINCT {column} FROM {name} WHERE {column} IS NOT NULL AND {column} NOT IN (SELECT {target_column} FROM {table}) ORDER BY 1"
        ).fetchall()]
        if unknown:
            raise ModelError(f"Modellen {name} har värden i kolumnen {column} som saknas i {table}: {', '.join(map(str, unknown))}.")


def _rows_text(n: int, words: bool = False) -> str:
    count = NUMBER_WORDS.get(n, str(n)) if words else str(n)
    return f"{count} {'rad' if n == 1 else 'rader'}"


def _text(value) -> str:
    return "tomt" if value is None else str(value)


def _load(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}
