"""The indicator catalogue drives the indicators: one added by a catalogue entry and its SQL alone
is built, windowed, pooled and published; a faulty entry stops the build with a Swedish message."""
from __future__ import annotations

import json
import shutil

import pytest
from intox_helpers import form, query, write_coverage, write_forms, write_regions

from pipeline.build import build
from pipeline.build.indicators import catalogue
from pipeline.config import PROJECT_SCHEMAS, Workspace
from pipeline.ingest import ingest
from pipeline.publish import publish

TORSBY, SUNNE = "1737", "1766"
IVA_ENTRY = """
indicators:
  intox_iva:
    title: Formulär med intensivvård
    description: Antal INTOX-formulär där patienten vårdades på IVA.
    kind: lång sikt
    source: INTOX, akutmottagningarna
    polarity: lägre är bättre
    unit: antal
    value: count
    decimals: 0
    sql: intox_iva.sql
    windows: [r12]
"""
IVA_SQL = """
SELECT 'intox_iva' AS indicator_id, c.municipality_code, c.period, '' AS dimension, '' AS category,
       count(f.period) FILTER (WHERE f.care_level = 'iva') AS numerator, NULL::DOUBLE AS denominator, NULL AS population_basis
FROM int_coverage c LEFT JOIN int_intox_forms f USING (municipality_code, period)
GROUP BY ALL
"""


def own_catalogue(root, extra: dict[str, str]) -> None:
    """The workspace's own schemas/indicators/: the project's files plus `extra`."""
    folder = root / "schemas" / "indicators"
    shutil.copytree(PROJECT_SCHEMAS / "indicators", folder)
    for name, text in extra.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    root = tmp_path_factory.mktemp("catalogue")
    write_coverage(root, {"torsby": ([TORSBY, SUNNE], "2025-01")})
    write_regions(root, {"duo": [TORSBY, SUNNE]})
    own_catalogue(root, {"iva.yaml": IVA_ENTRY, "intox_iva.sql": IVA_SQL})
    forms = [
        form("A1", "2025-01-10", home="Torsby", care="IVA"),
        form("A2", "2025-01-11", home="Torsby", care="Hemgång"),
        form("A3", "2025-02-03", home="Sunne", care="intensivvård"),
        form("A4", "2025-02-04", home="Torsby", care="IVA"),
    ] + [form(f"B{m}", f"2025-{m:02d}-15", home="Sunne") for m in range(3, 13)]
    write_forms(root, "torsby", "forms.csv", forms)
    ws = Workspace(root)
    assert {o.action for o in ingest(ws)} == {"inläst"}
    build(ws)
    return ws


def test_an_indicator_added_through_the_catalogue_alone_is_built_windowed_and_pooled(workspace):
    values = query(workspace, "SELECT indicator_id, area_code, period, numerator FROM indicator_values WHERE indicator_id LIKE 'intox_iva%'")
    by_key = {(r.indicator_id, r.area_code, r.period): r.numerator for r in values.itertuples()}
    assert by_key[("intox_iva", TORSBY, "2025-01")] == 1
    assert by_key[("intox_iva", TORSBY, "2025-02")] == 1
    assert by_key[("intox_iva", SUNNE, "2025-02")] == 1
    assert by_key[("intox_iva", "duo", "2025-02")] == 2  # pooled: Torsby 1 + Sunne 1
    assert by_key[("intox_iva_r12", "duo", "2025-12")] == 3  # the twelve months of 2025


def test_the_published_catalogue_carries_title_kind_source_and_polarity(workspace):
    target = publish(workspace, "2025-12")
    entries = {e["indicator_id"]: e for e in json.loads((target / "catalogue.json").read_text(encoding="utf-8"))}
    iva = entries["intox_iva_r12"]
    assert iva["title"] == "Formulär med intensivvård, rullande 12 månader"
    assert (iva["kind"], iva["source"], iva["polarity"]) == ("lång sikt", "INTOX, akutmottagningarna", "lägre är bättre")
    assert entries["intox_substance"]["polarity"] == "ingen"


@pytest.mark.parametrize(
    "change, message",
    [
        ("    kind: lång sikt\n", "'intox_iva' saknar kind"),
        ("    kind: lång sikt\n", None),
        ("    polarity: lägre är bättre\n", None),
    ],
)
def test_a_faulty_catalogue_entry_is_named_in_swedish(tmp_path, change, message):
    bad = IVA_ENTRY.replace(change, "") if message else IVA_ENTRY.replace(change, change.replace(": ", ": okänd "))
    own_catalogue(tmp_path, {"iva.yaml": bad, "intox_iva.sql": IVA_SQL})
    with pytest.raises(ValueError) as raised:
        catalogue(Workspace(tmp_path))
    text = str(raised.value)
    assert "iva.yaml" in text and "intox_iva" in text
    if message:
        assert message in text
    else:
        assert "tillåtet" in text


def test_latest_only_names_a_window_the_entry_has(tmp_path):
    own_catalogue(tmp_path, {"iva.yaml": IVA_ENTRY + "    latest_only: [year]\n", "intox_iva.sql": IVA_SQL})
    with pytest.raises(ValueError, match=r"iva.yaml: 'intox_iva' har latest_only year, som inte är month eller ett av dess fönster \(r12\)"):
        catalogue(Workspace(tmp_path))
    (tmp_path / "schemas" / "indicators" / "iva.yaml").write_text(IVA_ENTRY + "    latest_only: [r12]\n", encoding="utf-8")
    table = catalogue(Workspace(tmp_path)).set_index("indicator_id").latest_only
    assert table["intox_iva_r12"] and not table["intox_iva"]
