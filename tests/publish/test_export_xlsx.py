"""The county board's workbook (data/processed/<period>/indicators.xlsx), read back as a real file.

Hand-made snapshots check layout, suppression markers, text codes, formula safety and
deterministic bytes; one module-scoped run of the real demo chain (ingest, build, publish) checks
the workbook that `publish` writes against the published parquet.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from intox_helpers import run_all, write_yaml

from pipeline.config import Workspace
from pipeline.publish import publish
from pipeline.publish.xlsx import write_indicators_xlsx

PERIOD = "2026-10"
AREA_SHEETS = ["Kommuner", "Län", "Samverkansområden", "Riket"]
HEADERS = ["Område", "Kod", "Indikator", "Period", "Uppdelning", "Kategori", "Värde", "Antal (täljare)",
           "Nämnare", "Befolkningsunderlag", "Enhet", "Röjandeskydd"]
HIDDEN = ".."  # the one marker of every hidden row
# markers per reason, which would tell a small count from a protecting one: none may appear
REASON_MARKERS = ("<5", "<3", "primär", "sekundär", "liten nämnare", "dold (")
VALUE, COUNT, DENOMINATOR, MARKER = (HEADERS.index(name) for name in ("Värde", "Antal (täljare)", "Nämnare", "Röjandeskydd"))
FORMULA_LIKE = ['=HYPERLINK("http://example.org","klicka")', "+46 Samverkan", "-Östra", "@Gränsen", "=1+2"]


# --- a hand-made snapshot --------------------------------------------------------------------------


def catalogue_frame() -> pd.DataFrame:
    entries = [
        ("cases", "cases", "Fall", "Antal fall.", "antal", 0),
        ("cases_r12", "cases", "Fall, rullande 12 månader", "Antal fall.", "antal", 0),
        ("rate", "rate", "Fall per 10 000 invånare", "Fall per 10 000 invånare.", "per 10 000 invånare", 1),
        ("sex", "sex", "Kön", "Fall per kön, andel av alla fall.", "procent av fallen", 0),
    ]
    return pd.DataFrame(entries, columns=["indicator_id", "base_id", "title", "description", "unit", "decimals"])


def published_row(indicator: str, area_type: str, code: str, name: str, period: str, value, numerator, denominator=np.nan,
                  suppression: str = "", category: str = "", label: str = "") -> dict:
    catalogue = catalogue_frame().set_index("indicator_id")
    return {
        "indicator_id": indicator, "area_type": area_type, "area_code": code, "area_name": name, "period": period,
        "dimension": "kon" if category else "", "category": category, "category_label": label,
        "value": value, "numerator": numerator, "denominator": denominator,
        "population_basis": "medelfolkmängd 2026" if indicator == "rate" else None,
        "areas_covered": 1 if area_type == "kommun" else 2, "areas_total": 1 if area_type == "kommun" else 4,
        "suppression": suppression, "suppressed": suppression != "",
        "title": catalogue.title[indicator], "unit": catalogue.unit[indicator], "decimals": catalogue.decimals[indicator],
        "sort_order": {"man": 1, "kvinna": 2}.get(category, 0),
    }


def published_frame() -> pd.DataFrame:
    rows = [
        # Upplands Väsby: code with a leading zero; a hidden small count, a hidden partner and a share hidden by its total,
        # all marked alike as the suppression marks them
        published_row("cases", "kommun", "0114", "Upplands Väsby", "2026-10", 12.0, 12.0),
        published_row("cases", "kommun", "0114", "Upplands Väsby", "2026-09", np.nan, np.nan, suppression="dold"),
        published_row("rate", "kommun", "0114", "Upplands Väsby", "2026-10", 2.6, 12.0, 46_250.5),
        published_row("sex", "kommun", "0114", "Upplands Väsby", "2026-10", np.nan, np.nan, suppression="dold", category="man", label="Man"),
        published_row("sex", "kommun", "0114", "Upplands Väsby", "2026-10", np.nan, np.nan, suppression="dold", category="kvinna", label="Kvinna"),
        # a wrongly filled suppressed row: its numbers must not reach the workbook
        published_row("cases", "kommun", "0114", "Upplands Väsby", "2026-08", 3.0, 3.0, 3.0, suppression="dold"),
        # older than the 24 months shown
        published_row("cases", "kommun", "0114", "Upplands Väsby", "2024-10", 30.0, 30.0),
        published_row("cases", "kommun", "1737", "Torsby", "2026-10", 7.0, 7.0),
        published_row("cases_r12", "kommun", "1737", "Torsby", "2026-10", 95.0, 95.0),
        published_row("cases", "lan", "lan-17", "Värmlands län", "2026-10", 180.0, 180.0),
        published_row("cases", "riket", "riket", "Riket", "2026-10", 900.0, 900.0),
        # regions and category labels from config files that look like formulas
        published_row("cases", "region", "r1", FORMULA_LIKE[0], "2026-10", 40.0, 40.0),
        published_row("cases", "region", "r2", FORMULA_LIKE[1], "2026-10", 41.0, 41.0),
        published_row("cases", "region", "r3", FORMULA_LIKE[2], "2026-10", 42.0, 42.0),
        published_row("sex", "region", "r4", FORMULA_LIKE[3], "2026-10", 50.0, 21.0, 42.0, category="man", label=FORMULA_LIKE[4]),
    ]
    return pd.DataFrame(rows)


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(path)
    return list(workbook[sheet].iter_rows(values_only=True))


def worksheet_xml(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.startswith("xl/worksheets/")}


@pytest.fixture
def workbook_path(tmp_path) -> Path:
    return write_indicators_xlsx(published_frame(), catalogue_frame(), tmp_path, PERIOD)


def test_sheets_and_swedish_headers(workbook_path):
    assert workbook_path.name == "indicators.xlsx"
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames == AREA_SHEETS + ["Definitioner", "Om filen"]
    for name in AREA_SHEETS:
        sheet = workbook[name]
        header = [cell.value for cell in sheet[1]]
        assert header[: len(HEADERS)] == HEADERS
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{sheet.max_row}"
    assert [cell.value for cell in workbook["Definitioner"][1]] == ["Indikator-id", "Indikator", "Beskrivning", "Enhet"]
    definitions = sheet_rows(workbook_path, "Definitioner")[1:]
    assert [row[0] for row in definitions] == ["cases", "cases_r12", "rate", "sex"]  # windows included
    assert definitions[1] == ("cases_r12", "Fall, rullande 12 månader", "Antal fall.", "antal")


def test_about_sheet_explains_markers_window_and_source(workbook_path):
    text = "\n".join(" ".join(str(v) for v in row if v) for row in sheet_rows(workbook_path, "Om filen"))
    assert "oktober 2026" in text and "24 månaderna november 2024 – oktober 2026" in text
    assert ".. visas inte av sekretesskäl: antingen är antalet färre än fem" in text
    assert "det går inte att se vilket" in text
    assert "samma markering i kolumnen Röjandeskydd" in text
    for marker in REASON_MARKERS:
        assert marker not in text, marker
    markers = [row[0] for row in sheet_rows(workbook_path, "Om filen")[3:] if row and row[0] in {"..", "–", "<5", "dold (liten nämnare)"}]
    assert markers == ["..", "–"]  # one marker for hidden values, one for missing ones
    assert "– uppgift saknas" in text
    assert "passerat röjandeskyddet" in text
    assert "indicators.parquet" in text


def test_rows_sorted_within_the_window_with_codes_as_text(workbook_path):
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook["Kommuner"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    keys = [(row[1], row[2], row[3], row[5] or "") for row in rows]
    assert keys == [
        ("0114", "Fall", "2026-08", ""), ("0114", "Fall", "2026-09", ""), ("0114", "Fall", "2026-10", ""),
        ("0114", "Fall per 10 000 invånare", "2026-10", ""),
        ("0114", "Kön", "2026-10", "Man"), ("0114", "Kön", "2026-10", "Kvinna"),
        ("1737", "Fall", "2026-10", ""), ("1737", "Fall, rullande 12 månader", "2026-10", ""),
    ]  # 2024-10 is more than 24 months back
    codes = [sheet.cell(row=r, column=2) for r in range(2, sheet.max_row + 1)]
    assert all(cell.data_type == "s" and isinstance(cell.value, str) for cell in codes)
    assert codes[0].value == "0114"
    assert rows[4][4] == "Kön"  # the breakdown, named by its indicator in the catalogue


def test_numbers_are_numbers_with_the_catalogue_decimals(workbook_path):
    sheet = openpyxl.load_workbook(workbook_path)["Kommuner"]
    rate = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "Fall per 10 000 invånare")
    assert rate[VALUE].value == pytest.approx(2.6) and rate[VALUE].data_type == "n"
    assert rate[VALUE].number_format == "#,##0.0"
    assert rate[COUNT].value == 12 and rate[COUNT].number_format == "#,##0"
    assert rate[DENOMINATOR].value == pytest.approx(46_250.5) and rate[DENOMINATOR].number_format == "#,##0.0"
    assert rate[HEADERS.index("Befolkningsunderlag")].value == "medelfolkmängd 2026"
    cases = next(row for row in sheet.iter_rows(min_row=2) if row[2].value == "Fall" and row[3].value == "2026-10")
    assert cases[VALUE].value == 12 and cases[VALUE].number_format == "#,##0"
    regional = sheet_rows(workbook_path, "Län")
    assert regional[0][len(HEADERS):] == ("Kommuner med data", "Kommuner i området")
    assert regional[1][len(HEADERS):] == (2, 4)


def test_suppressed_rows_have_no_numbers_and_say_why(workbook_path):
    rows = {(row[3], row[5]): row for row in sheet_rows(workbook_path, "Kommuner")[1:] if row[1] == "0114"}
    for key in [("2026-09", None), ("2026-08", None), ("2026-10", "Man"), ("2026-10", "Kvinna")]:
        row = rows[key]
        assert row[MARKER] == HIDDEN, key
        assert row[VALUE] is None and row[COUNT] is None and row[DENOMINATOR] is None, key
    assert rows[("2026-10", None)][MARKER] is None
    # the count 3 of the wrongly filled row appears nowhere in the workbook
    with zipfile.ZipFile(workbook_path) as archive:
        kommuner = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>3</v>" not in kommuner


def test_every_hidden_row_has_the_same_marker_whatever_hid_it_and_whatever_the_threshold(tmp_path):
    frame = published_frame()
    # a row hidden by the flag alone, and rows with an older snapshot's reasons: all get the one marker
    frame.loc[0, ["suppressed"]] = True
    frame.loc[2, ["suppression", "suppressed"]] = ["primär", True]
    frame.loc[3, "suppression"] = "sekundär"
    frame.loc[4, "suppression"] = "nämnare"
    path = write_indicators_xlsx(frame, catalogue_frame(), tmp_path, PERIOD, threshold=3)
    rows = [row for row in sheet_rows(path, "Kommuner")[1:] if row[1] == "0114"]
    assert [row[MARKER] for row in rows] == [HIDDEN] * 6
    assert all(row[VALUE] is None and row[COUNT] is None and row[DENOMINATOR] is None for row in rows)
    shown = [row for name in AREA_SHEETS for row in sheet_rows(path, name)[1:] if row[1] != "0114"]
    assert shown and {row[MARKER] for row in shown} == {None}
    about = "\n".join(" ".join(str(v) for v in row if v) for row in sheet_rows(path, "Om filen"))
    assert "antalet färre än tre" in about and "antal från 1 till 2 visas inte" in about
    every_text = [value for name in AREA_SHEETS + ["Om filen"] for row in sheet_rows(path, name) for value in row if isinstance(value, str)]
    for marker in REASON_MARKERS:
        assert not any(marker in value for value in every_text), marker


def test_no_cell_is_a_formula_and_formula_like_text_reads_back_literally(workbook_path):
    for name, xml in worksheet_xml(workbook_path).items():
        assert "<f>" not in xml and "<f " not in xml, name
    sheet = openpyxl.load_workbook(workbook_path)["Samverkansområden"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    shown = {cell.value for cell in cells}
    assert set(FORMULA_LIKE) <= shown
    for cell in cells:
        assert cell.data_type == "s"
        if cell.value in FORMULA_LIKE:
            assert cell.quotePrefix  # Excel's "typed with a leading apostrophe": stays text when edited
    # the formula-like cells are inline strings in the XML, and a quotePrefix style exists
    xml = worksheet_xml(workbook_path)["xl/worksheets/sheet3.xml"]
    assert re.search(r't="inlineStr"><is><t>=HYPERLINK\(&quot;http://example\.org&quot;,&quot;klicka&quot;\)</t>', xml) or \
        re.search(r't="inlineStr"><is><t>=HYPERLINK\("http://example\.org","klicka"\)</t>', xml)
    with zipfile.ZipFile(workbook_path) as archive:
        assert 'quotePrefix="1"' in archive.read("xl/styles.xml").decode()


def test_same_input_gives_the_same_bytes_and_an_unchanged_rerun_touches_nothing(tmp_path):
    first = write_indicators_xlsx(published_frame(), catalogue_frame(), tmp_path / "a", PERIOD)
    second = write_indicators_xlsx(published_frame(), catalogue_frame(), tmp_path / "b", PERIOD)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        # never the clock: XlsxWriter dates every zip entry 31 January 1980
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 31, 0, 0, 0)}
        assert "2026-11-01T00:00:00Z" in archive.read("docProps/core.xml").decode()

    before = first.stat().st_mtime_ns
    os.utime(first, ns=(before - 10**9, before - 10**9))  # an old mtime, so a rewrite would show
    stamp = first.stat().st_mtime_ns
    write_indicators_xlsx(published_frame(), catalogue_frame(), tmp_path / "a", PERIOD)
    assert first.stat().st_mtime_ns == stamp
    changed = published_frame()
    changed.loc[0, ["value", "numerator"]] = 13.0
    write_indicators_xlsx(changed, catalogue_frame(), tmp_path / "a", PERIOD)
    assert first.stat().st_mtime_ns != stamp and first.read_bytes() != second.read_bytes()
    assert not list((tmp_path / "a").glob("*.tmp"))


# texts a spreadsheet would read as a formula or an error value; the full-width sign and the tab start a formula too
TRICKY = ["#N/A", "\uff1d1+2", "\t=1+2", "=1/0"]
WRITE_IN_A_NEW_PROCESS = """
import sys
import pandas as pd
from pipeline.publish.xlsx import write_indicators_xlsx
write_indicators_xlsx(pd.read_pickle(sys.argv[1]), pd.read_pickle(sys.argv[2]), sys.argv[3], "2026-10")
"""


def test_tricky_texts_stay_text_and_two_processes_write_the_same_bytes(tmp_path):
    frame = published_frame()
    frame.loc[0, "area_name"], frame.loc[1, "category_label"], frame.loc[1, "dimension"] = TRICKY[0], TRICKY[1], "kon"
    frame.loc[7, "area_name"], frame.loc[8, "area_name"] = TRICKY[2], TRICKY[3]
    frame.to_pickle(tmp_path / "published.pkl")
    catalogue_frame().to_pickle(tmp_path / "catalogue.pkl")
    # other hash seeds and time zones (Sydney has summer time in January), as on another machine
    for name, seed, zone in (("a", "1", "UTC"), ("b", "2", "Australia/Sydney")):
        result = subprocess.run([sys.executable, "-c", WRITE_IN_A_NEW_PROCESS, str(tmp_path / "published.pkl"), str(tmp_path / "catalogue.pkl"),
                                 str(tmp_path / name)], env={**os.environ, "PYTHONHASHSEED": seed, "TZ": zone}, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    first, second = tmp_path / "a" / "indicators.xlsx", tmp_path / "b" / "indicators.xlsx"
    assert first.read_bytes() == second.read_bytes()

    cells = {cell.value: cell for row in openpyxl.load_workbook(first)["Kommuner"].iter_rows(min_row=2) for cell in row}
    for text in TRICKY:
        assert cells[text].data_type == "s", text  # not "e" (error) nor "f" (formula)
    assert [bool(cells[text].quotePrefix) for text in TRICKY] == [False, True, True, True]
    for name, xml in worksheet_xml(first).items():
        assert "<f>" not in xml and "<f " not in xml and 't="e"' not in xml, name


# --- the real chain: demo data, ingest, build, publish ------------------------------------------


@pytest.fixture(scope="module")
def formula_demo(demo, tmp_path_factory) -> tuple[Workspace, pd.DataFrame]:
    """A copy of the session's demo, rebuilt and published with region names that look like formulas."""
    root = Path(shutil.copytree(demo, tmp_path_factory.mktemp("demo_xlsx") / "demo"))
    for later in ("2026-T2", "2025"):  # made with the old regions: this copy publishes only its month
        shutil.rmtree(root / "data" / "processed" / later)
    for source in ("polisen", "est"):  # INTOX's rows are enough for the workbook's checks, and publish is quicker without
        shutil.rmtree(root / "data" / "raw" / source)
    # regions whose names a spreadsheet would run as formulas
    write_yaml(root, "regions.yaml", yaml.safe_dump({"regions": {
        "sutohamu": {"name": "=SuToHaMu", "municipalities": ["1766", "1737", "1783", "1762"]},
        "vast": {"name": "@Västra Värmland", "municipalities": ["1730", "1765", "1784"]},
    }}, allow_unicode=True))
    return run_all(root, PERIOD)


def test_publish_writes_the_workbook_from_the_suppressed_snapshot(formula_demo):
    workspace, published = formula_demo
    root = workspace.root
    path = workspace.snapshot_dir(PERIOD) / "indicators.xlsx"
    workbook = openpyxl.load_workbook(path)
    rows = {name: list(workbook[name].iter_rows(min_row=2, values_only=True)) for name in AREA_SHEETS}

    # every published row of the 24 months is there once, on its area level's sheet
    counts = published.area_type.map({"kommun": "Kommuner", "lan": "Län", "region": "Samverkansområden", "riket": "Riket"}).value_counts()
    assert {name: len(rows[name]) for name in AREA_SHEETS} == counts.to_dict()

    # the municipalities of the demo region, by their coverage config
    coverage = yaml.safe_load((root / "schemas" / "intox_coverage.yaml").read_text(encoding="utf-8"))
    demo_municipalities = {code for unit in coverage["units"] for code in unit["municipalities"]}
    assert {row[1] for row in rows["Kommuner"]} == demo_municipalities
    assert {row[0] for row in rows["Samverkansområden"]} == {"=SuToHaMu", "@Västra Värmland"}

    suppressed = 0
    for name in AREA_SHEETS:
        for row in rows[name]:
            # one marker for every hidden row, none per reason; '–' only where there is no value
            assert row[MARKER] in {None, HIDDEN, "–"}, row
            if row[MARKER] == HIDDEN:
                suppressed += 1
                assert row[VALUE] is None and row[COUNT] is None and row[DENOMINATOR] is None, row
            # no count from 1 to 4 anywhere: not as a count, not as a count's value
            assert not (isinstance(row[COUNT], (int, float)) and 1 <= row[COUNT] <= 4), row
            if row[HEADERS.index("Enhet")] == "antal":
                assert not (isinstance(row[VALUE], (int, float)) and 1 <= row[VALUE] <= 4), row
    assert suppressed == published.suppressed.sum() > 0
    about = " ".join(str(v) for row in workbook["Om filen"].iter_rows(values_only=True) for v in row if v)
    for marker in REASON_MARKERS:
        assert marker not in about, marker

    for name, xml in worksheet_xml(path).items():
        assert "<f>" not in xml and "<f " not in xml, name

    # an unchanged re-run of publish leaves the workbook as it was
    stamp = path.stat().st_mtime_ns
    publish(workspace, PERIOD)
    assert path.stat().st_mtime_ns == stamp
