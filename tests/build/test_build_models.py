"""The SQL models: one per file, ordered by dag.yml, and checked against the key and not-null
columns schema.yml declares, with a Swedish message that names the model and what is wrong."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from pipeline.build import dag
from pipeline.config import SQL_DIR, Workspace
from pipeline.ingest import staging_ddl, store
from pipeline.places import region_members


def project(tmp_path: Path, models: dict[str, tuple[list[str], str]], schema: str) -> dag.Project:
    """A test-only SQL folder: models name -> (what it reads, its SELECT), and a schema.yml."""
    folder = tmp_path / "sql"
    (folder / "test").mkdir(parents=True)
    lines = ["models:"] + [f"  {name}: [{', '.join(needs)}]" for name, (needs, _) in models.items()]
    (folder / "dag.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "schema.yml").write_text(schema, encoding="utf-8")
    for name, (_, sql) in models.items():
        (folder / "test" / f"{name}.sql").write_text(sql, encoding="utf-8")
    return dag.Project(folder)


def test_a_model_with_two_rows_for_its_key_stops_with_the_key_named(tmp_path):
    answers = """
        SELECT * FROM (VALUES ('1766', '2026-H1', 'narkotika_unga', 2), ('1766', '2026-H1', 'narkotika_unga', 3),
                              ('1737', '2026-H1', 'narkotika_unga', 1)) t(municipality_code, round, question_id, answer)
    """
    models = {"answers": ([], answers), "enkat_values": (["answers"], "SELECT * FROM answers")}
    schema = """
models:
  answers: {key: [municipality_code, round, question_id, answer]}
  enkat_values: {key: [municipality_code, round, question_id], not_null: [answer]}
"""
    with pytest.raises(dag.ModelError) as raised:
        dag.run(duckdb.connect(), project=project(tmp_path, models, schema))
    assert str(raised.value) == (
        "Modellen enkat_values har två rader för nyckeln (municipality_code, round, question_id) = (1766, 2026-H1, narkotika_unga)."
    )


def test_a_model_with_empty_values_in_a_not_null_column_stops_with_the_column_and_the_count(tmp_path):
    values = "SELECT * FROM (VALUES ('1766', NULL), ('1737', NULL), ('1783', 'brott'), ('1762', NULL)) t(area_code, indicator_id)"
    schema = "models:\n  statistik_values: {key: [area_code], not_null: [area_code, indicator_id]}\n"
    with pytest.raises(dag.ModelError) as raised:
        dag.run(duckdb.connect(), project=project(tmp_path, {"statistik_values": ([], values)}, schema))
    assert str(raised.value) == "Modellen statistik_values har tomma värden i kolumnen indicator_id (3 rader)."


def test_models_run_after_what_they_read_whatever_the_order_in_dag_yml(tmp_path):
    models = {"last": (["first"], "SELECT n + 1 AS n FROM first"), "first": ([], "SELECT 1 AS n")}
    schema = "models:\n  first: {key: [n]}\n  last: {key: [n]}\n"
    con = duckdb.connect()
    assert dag.run(con, project=project(tmp_path, models, schema)) == ["first", "last"]
    assert con.execute("SELECT n FROM last").fetchall() == [(2,)]


def test_a_circle_and_a_model_without_schema_are_named(tmp_path):
    circle = {"a": (["b"], "SELECT 1 AS n"), "b": (["a"], "SELECT 1 AS n")}
    with pytest.raises(dag.ModelError, match="i en cirkel"):
        dag.run(duckdb.connect(), project=project(tmp_path / "circle", circle, "models: {}\n"))
    with pytest.raises(dag.ModelError, match="schema.yml saknar modellen a"):
        dag.run(duckdb.connect(), project=project(tmp_path / "schema", {"a": ([], "SELECT 1 AS n")}, "models: {}\n"))


def test_every_model_has_one_file_a_schema_entry_and_a_place_in_the_dag():
    sql = dag.Project()
    models = sql.dag["models"]
    generated = {"int_indicator_month", "int_source_areas"}  # made from the catalogue and the source registry
    assert set(sql.files) | generated == set(models), "a file outside dag.yml, or a model without its file"
    assert set(sql.schema) == set(models)
    assert all(spec.get("key") for spec in sql.schema.values())
    assert sql.order().index("calendar") > sql.order().index("int_source_areas")
    # one model per file: a file holds a single SELECT, no DDL of its own
    for path in sql.files.values():
        text = re.sub(r"--[^\n]*|'[^']*'", "", path.read_text(encoding="utf-8"))  # without comments and literals
        assert "CREATE" not in text.upper() and text.strip().count(";") == 0, path
    assert not list(SQL_DIR.glob("*.sql")), "every model lives in a folder of its source (or common/)"


def test_a_broken_staging_row_breaks_its_models_key(tmp_path):
    """Two staged answers of one file row with different submission times make two submissions."""
    con = duckdb.connect()
    con.execute(store.DDL + staging_ddl())
    con.execute("INSERT INTO raw_files (path, source, sha256, status, loaded_at) VALUES ('enkat/svar.csv', 'enkat', 'x', 'inläst', now())")
    for time, question in (("2026-03-01 10:00", "narkotika_unga"), ("2026-03-02 10:00", "langning")):
        con.execute(
            "INSERT INTO stg_enkat (path, sha256, source_row, submitted_at, round, municipality_code, sector, area_id, question_id, presence) "
            "VALUES ('enkat/svar.csv', 'x', 2, ?, '2026-H1', '1766', 'polis', 'narkotika', ?, 'i_viss')",
            [time, question],
        )
    with pytest.raises(dag.ModelError) as raised:
        dag.run(con, only=["int_enkat_submissions"])
    assert str(raised.value) == "Modellen int_enkat_submissions har två rader för nyckeln (path, source_row) = (enkat/svar.csv, 2)."


def test_official_statistics_without_an_indicator_stop_the_build(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE stg_statistik (path VARCHAR, sha256 VARCHAR, source_row INTEGER, area_code VARCHAR, period VARCHAR,"
                " indicator_id VARCHAR, count BIGINT, value DOUBLE, value_is_rate BOOLEAN, sheet VARCHAR, title VARCHAR,"
                " unit VARCHAR, survey VARCHAR, ci_low DOUBLE, ci_high DOUBLE)")
    for row, code in enumerate(["1766", "1737", "1783"], start=2):  # a broken reader: no indicator id
        con.execute("INSERT INTO stg_statistik (path, sha256, source_row, area_code, period, indicator_id, count, value, value_is_rate)"
                    " VALUES ('bra.csv', 'x', ?, ?, '2024', NULL, 10, NULL, false)", [row, code])
    con.execute("CREATE TABLE ref_population_year AS SELECT '1766' AS municipality_code, 2024 AS year, 13000.0 AS population_mean, 'm' AS basis")
    con.register("members", region_members(Workspace(tmp_path)))
    con.execute("CREATE TABLE ref_area_member AS SELECT * FROM members")
    with pytest.raises(dag.ModelError) as raised:
        dag.run(con, only=["statistik_values"])
    # three municipalities, and their county, the country and SuToHaMu (schemas/regions.yaml) pooled from them
    assert str(raised.value) == "Modellen statistik_values har tomma värden i kolumnen indicator_id (6 rader)."
