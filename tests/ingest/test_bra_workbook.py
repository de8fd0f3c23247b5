"""Brå's "Indikatorer för kommuners lägesbild": real xlsx workbooks in Brå's layout, read by the statistik source.

The layout (as Region Dalarna reads Brå's files): one sheet per indicator, its title in A1, the headers in
row 2 (the geography first), a row each for the municipality, its county and "Hela landet". Reported-crime
sheets have "(anmälda)" in the name and "<unit> <year>" columns; NTU sheets have years as columns, a title
"<name>, enligt NTU 2022–2024. <unit>", and the 95 % bounds as sheets of their own. Every expected value
below is written by hand from the cells the test writes.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.ingest import ingest, staging_ddl, store
from pipeline.ingest.sources import statistik
from pipeline.publish import publish

OTRYGGHET = "Otrygghet vid utevistelse sen kväll i det egna bostadsområdet, enligt NTU 2022–2024."
BEDRAGERI = "Oro för att bli utsatt för bedrägeri, enligt NTU 2022–2024."
GEOGRAPHIES = ["Sunne", "Värmlands län", "Hela landet"]


def sheet(name: str, title: str | None, headers: list, rows: list[list]) -> tuple:
    return name, title, headers, rows


def write_workbook(path: Path, sheets: list[tuple]) -> Path:
    """One xlsx: per sheet its title in A1, headers in row 2, then the rows, as Brå writes them."""
    book = Workbook()
    book.remove(book.active)
    for name, title, headers, rows in sheets:
        ws = book.create_sheet(name)
        ws.append([title])
        ws.append(headers)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def ntu(name: str, title: str, unit: str, values: dict[str, list]) -> tuple:
    return sheet(name, f"{title} {unit}", ["Område", "2022", "2023", "2024"], [[area, *values[area]] for area in values])


def sunne_sheets() -> list[tuple]:
    """Sunne's workbook: two reported-crime sheets (one unknown to the catalogue), an NTU indicator with
    its bounds (the bounds first, to show they are paired by name and not by order), an NTU indicator the
    catalogue does not know, the number of respondents, and a sheet about the statistics."""
    return [
        sheet("Om statistiken", "Indikatorer för kommuners lägesbild – Sunne", [], [["Källa: Brå"]]),
        ntu("Otrygghet KI undre", OTRYGGHET, "KI (95 %) undre gräns",
            {"Sunne": [23, 14, 9], "Värmlands län": [16, 15, 14], "Hela landet": [15.8, 15.0, 14.7]}),
        ntu("Otrygghet KI övre", OTRYGGHET, "KI (95 %) övre gräns",
            {"Sunne": [31, 22, 16], "Värmlands län": [18, 17, 16], "Hela landet": [16.2, 15.4, 15.1]}),
        ntu("Otrygghet (NTU)", OTRYGGHET, "Andel (%)",
            {"Sunne": [27, 18, 12], "Värmlands län": [17, 16, 15], "Hela landet": [16.0, 15.2, 14.9]}),
        ntu("Bedrägeri (NTU)", BEDRAGERI, "Andel (%)", {"Sunne": [30, 31, 29], "Värmlands län": [28, 28, 27], "Hela landet": [26, 27, 27]}),
        sheet("Antal svarande (NTU)", "Antal svarande i NTU.", ["Område", "2022", "2023", "2024"],
              [["Sunne", 330, 325, 318], ["Värmlands län", 7100, 7080, 7050], ["Hela landet", 70000, 71000, 72000]]),
        sheet("Misshandel (anmälda)", "Misshandel (anmälda brott) i kommunen, länet och hela landet 2023–2024",
              ["Område", "Antal 2023", "Antal 2024", "Antal per 100 000 inv 2023", "Antal per 100 000 inv 2024"],
              [["Sunne", 40, 52, 301, 390], ["Värmlands län", 2100, 2200, 741, 776], ["Hela landet", 90000, 91000, 857, 862]]),
        sheet("Cykelstöld (anmälda)", "Cykelstölder (anmälda brott) i kommunen, länet och hela landet 2023–2024",
              ["Område", "Antal 2023", "Antal 2024", "Antal per 100 000 inv 2023", "Antal per 100 000 inv 2024"],
              [["Sunne", 12, 9, 90, 68], ["Värmlands län", 1500, 1400, 529, 494], ["Hela landet", 60000, 58000, 571, 549]]),
    ]


def rows(result) -> dict:
    return {(r.area_code, r.period, r.indicator_id): r for r in result.rows.itertuples(index=False)}


def test_the_workbook_is_recognised_by_its_layout(tmp_path):
    path = write_workbook(tmp_path / "Sunne.xlsx", sunne_sheets())
    assert statistik.detect(path) == "bra_lagesbild"
    # a tidy table in an xlsx is still a tidy table
    tidy = write_workbook(tmp_path / "tidy.xlsx", [sheet("Data", "Område", ["År", "Indikator", "Antal"], [])])
    assert statistik.detect(tidy) is None
    # only the layout counts, not the file's name or where it lies: the title of one sheet is enough
    one = write_workbook(tmp_path / "export (3).xlsx", [ntu("Blad1", OTRYGGHET, "Andel (%)", {"Sunne": [27, 18, 12]})])
    assert statistik.detect(one) == "bra_lagesbild"


def test_every_indicator_with_its_unit_for_the_municipality_county_and_country(tmp_path):
    result = statistik.read(write_workbook(tmp_path / "Sunne.xlsx", sunne_sheets()))
    assert result.messages == []
    found = rows(result)
    assert {area for area, _, _ in found} == {"1766", "lan-17", "riket"}
    assert {indicator for _, _, indicator in found} == {
        "ntu_otrygghet_kvall", "ntu_oro_for_att_bli_utsatt_for_bedrageri", "ntu_antal_svarande", "misshandel", "anmalda_cykelstolder"}
    # 5 indicators × 3 areas; NTU over 3 years, reported crimes over 2
    assert len(found) == 3 * 3 * 3 + 2 * 3 * 2
    # a known NTU indicator: the catalogue's id, the workbook's unit, the value as Brå gives it
    otrygghet = found[("1766", "2023", "ntu_otrygghet_kvall")]
    assert (otrygghet.value, otrygghet.unit, otrygghet.survey, otrygghet.sheet) == (18.0, "Andel (%)", "NTU", "Otrygghet (NTU)")
    assert pd.isna(otrygghet.count) and otrygghet.source_row == 3
    assert found[("riket", "2024", "ntu_otrygghet_kvall")].value == 14.9
    # an NTU indicator the catalogue does not know: an id made from its title, its title and unit stored
    unknown = found[("lan-17", "2022", "ntu_oro_for_att_bli_utsatt_for_bedrageri")]
    assert (unknown.value, unknown.title, unknown.unit, unknown.survey) == (28.0, "Oro för att bli utsatt för bedrägeri", "Andel (%)", "NTU")
    respondents = found[("1766", "2024", "ntu_antal_svarande")]
    assert (respondents.value, respondents.unit, respondents.title) == (318.0, "antal", "Antal svarande i NTU")
    # reported crimes: Brå's count and its rate per 100 000 on one row
    misshandel = found[("1766", "2024", "misshandel")]
    assert (misshandel.count, misshandel.value, misshandel.value_is_rate, misshandel.unit) == (52, 390.0, True, "per 100 000 invånare")
    assert pd.isna(misshandel.survey) and misshandel.title == "Misshandel"
    county = found[("lan-17", "2023", "anmalda_cykelstolder")]
    assert (county.count, county.value, county.title) == (1500, 529.0, "Cykelstölder")
    assert any("'Cykelstölder' (flik 'Cykelstöld (anmälda)', id anmalda_cykelstolder)" in note for note in result.notes)
    assert "Sunne.xlsx: fliken 'Om statistiken' har inga kolumner för år i rad 2 och läses inte in." in result.notes
    # the same titles give the same ids in another municipality's workbook
    torsby = [(name, title, headers, [["Torsby" if row[0] == "Sunne" else row[0], *row[1:]] for row in body])
              for name, title, headers, body in sunne_sheets()]
    again = statistik.read(write_workbook(tmp_path / "Torsby.xlsx", torsby))
    assert set(again.rows.indicator_id) == {indicator for _, _, indicator in found}
    assert "1737" in set(again.rows.area_code)


def test_the_ntu_bounds_are_paired_with_their_indicator(tmp_path):
    result = statistik.read(write_workbook(tmp_path / "Sunne.xlsx", sunne_sheets()))
    found = rows(result)
    bounds = {(area, year): (found[(area, year, "ntu_otrygghet_kvall")].ci_low, found[(area, year, "ntu_otrygghet_kvall")].ci_high)
              for area in ("1766", "lan-17", "riket") for year in ("2022", "2023", "2024")}
    assert bounds == {
        ("1766", "2022"): (23, 31), ("1766", "2023"): (14, 22), ("1766", "2024"): (9, 16),
        ("lan-17", "2022"): (16, 18), ("lan-17", "2023"): (15, 17), ("lan-17", "2024"): (14, 16),
        ("riket", "2022"): (15.8, 16.2), ("riket", "2023"): (15.0, 15.4), ("riket", "2024"): (14.7, 15.1),
    }
    # no bound sheets: no interval, and no bounds of another indicator
    unknown = found[("1766", "2022", "ntu_oro_for_att_bli_utsatt_for_bedrageri")]
    assert pd.isna(unknown.ci_low) and pd.isna(unknown.ci_high)
    assert result.rows.loc[result.rows.survey.isna(), ["ci_low", "ci_high"]].isna().all().all()


def test_bad_cells_are_quarantined_with_file_sheet_row_and_column_and_good_ones_kept(tmp_path):
    sheets = sunne_sheets()
    sheets[3] = ntu("Otrygghet (NTU)", OTRYGGHET, "Andel (%)",
                    {"Sunne": [27, "18 %x", 12], "Värmlands lä": [17, 16, 15], "Hela landet": [16.0, 15.2, 14.9]})
    sheets.append(sheet("Utan rubrik", None, ["Område", "2022", "2023", "2024"], [["Sunne", 1, 2, 3]]))
    sheets[6] = sheet("Misshandel (anmälda)", "Misshandel (anmälda brott) i kommunen, länet och hela landet 2023–2024",
                      ["Område", "Antal 2023", "Antal 2024", "Antal per 100 000 inv 2023", "Antal per 100 000 inv 2024"],
                      [["Sunne", 40, 52.5, 301, 390], ["Värmlands län", 2100, 2200, 741, 776], ["Hela landet", 90000, 91000, 857, 862]])
    result = statistik.read(write_workbook(tmp_path / "Sunne.xlsx", sheets))
    assert result.file_errors == []
    assert result.messages == [
        "Sunne.xlsx, flik 'Otrygghet (NTU)', rad 3, kolumn '2023': '18 %x' är inget tal.",
        "Sunne.xlsx, flik 'Otrygghet (NTU)', rad 4, kolumn 'Område': 'Värmlands lä' är ingen känd kommun, län eller region "
        "(kommunkod, kommunnamn, län eller Riket).",
        "Sunne.xlsx, flik 'Misshandel (anmälda)', rad 3, kolumn 'Antal 2024': '52.5' är inget antal (ett heltal 0 eller större).",
        "Sunne.xlsx, flik 'Utan rubrik', rad 1, kolumn 'A': fliken saknar rubrik i cell A1, så det framgår inte vilken "
        "indikator den gäller; fliken läses inte in.",
    ]
    assert list(result.issues.sheet) == ["Otrygghet (NTU)", "Otrygghet (NTU)", "Misshandel (anmälda)", "Utan rubrik"]
    found = rows(result)
    # the bad cell alone is left out: Sunne's other years stay, with their bounds
    assert ("1766", "2023", "ntu_otrygghet_kvall") not in found
    assert (found[("1766", "2022", "ntu_otrygghet_kvall")].value, found[("1766", "2024", "ntu_otrygghet_kvall")].ci_high) == (27.0, 16)
    # the unknown geography's whole row is out, in that sheet only
    assert ("lan-17", "2022", "ntu_otrygghet_kvall") not in found and found[("lan-17", "2022", "ntu_oro_for_att_bli_utsatt_for_bedrageri")]
    # a count that is no whole number: the count is out, Brå's rate of the same year stays
    misshandel = found[("1766", "2024", "misshandel")]
    assert pd.isna(misshandel.count) and misshandel.value == 390.0
    assert found[("1766", "2023", "misshandel")].count == 40


def test_bounds_that_do_not_enclose_their_value_or_have_no_value_sheet(tmp_path):
    sheets = sunne_sheets()
    sheets[2] = ntu("Otrygghet KI övre", OTRYGGHET, "KI (95 %) övre gräns",
                    {"Sunne": [31, 17, 16], "Värmlands län": [18, 17, 16], "Hela landet": [16.2, 15.4, 15.1]})  # 17 < 18 in 2023
    sheets.append(ntu("Oro KI undre", "Oro för brottsligheten i samhället, enligt NTU 2022–2024.", "KI (95 %) undre gräns",
                      {"Sunne": [20, 21, 22]}))
    result = statistik.read(write_workbook(tmp_path / "Sunne.xlsx", sheets))
    assert result.messages == [
        "Sunne.xlsx, flik 'Otrygghet KI övre', rad 3, kolumn '2023': intervallet 14–17 omsluter inte värdet 18 i fliken "
        "'Otrygghet (NTU)'; värdet läses in utan intervall.",
        "Sunne.xlsx, flik 'Oro KI undre', rad 1, kolumn 'A': konfidensgränserna gäller 'Oro för brottsligheten i samhället', "
        "men arbetsboken har ingen flik med själva värdena; fliken läses inte in.",
    ]
    kept = rows(result)[("1766", "2023", "ntu_otrygghet_kvall")]
    assert kept.value == 18.0 and pd.isna(kept.ci_low) and pd.isna(kept.ci_high)
    assert "ntu_oro_brottsligheten" not in set(result.rows.indicator_id)


def test_a_workbook_in_data_raw_is_published_as_brå_gives_it_and_never_pooled(tmp_path):
    write_workbook(tmp_path / "data" / "raw" / "statistik" / "Sunne.xlsx", sunne_sheets())
    workspace = Workspace(tmp_path)
    [outcome] = ingest(workspace)
    assert (outcome.label, outcome.action, outcome.report.source) == ("statistik/Sunne.xlsx", "inläst", "statistik")
    assert outcome.report.kind == "officiell statistik (bra_lagesbild)"
    build(workspace)
    published = pd.read_parquet(publish(workspace, "2024-12") / "statistik.parquet")
    ntu = published[published.indicator_id == "ntu_otrygghet_kvall"].set_index(["area_code", "period"])
    assert sorted(set(ntu.index.get_level_values(0))) == ["1766", "lan-17", "riket"]  # no SuToHaMu: never pooled
    assert tuple(ntu.loc[("1766", "2023"), ["value_given", "ci_low", "ci_high"]]) == (18.0, 14.0, 22.0)
    assert tuple(ntu.loc[("riket", "2024"), ["value_given", "ci_low", "ci_high"]]) == (14.9, 14.7, 15.1)
    assert (ntu.loc[("1766", "2023"), "survey"], ntu.loc[("1766", "2023"), "title"]) == (
        "NTU", "Otrygghet vid utevistelse sen kväll i bostadsområdet")  # the catalogue's title
    assert ntu.loc[("1766", "2023"), "files"] == "statistik/Sunne.xlsx (flik Otrygghet (NTU))"
    unknown = published[published.indicator_id == "ntu_oro_for_att_bli_utsatt_for_bedrageri"].iloc[0]
    assert (unknown.title, unknown.unit, unknown.source) == (
        "Oro för att bli utsatt för bedrägeri", "Andel (%)", "Brå, Nationella trygghetsundersökningen (NTU)")
    cykel = published[(published.indicator_id == "anmalda_cykelstolder") & (published.area_code == "1766")].set_index("period")
    assert (cykel.loc["2024", "count"], cykel.loc["2024", "value_given"], cykel.loc["2024", "unit"]) == (9, 68.0, "per 100 000 invånare")


def test_a_database_made_before_the_workbooks_gets_their_columns(tmp_path):
    old = duckdb.connect(str(tmp_path / "old.duckdb"))
    old.execute("CREATE TABLE stg_statistik (path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL, "
                "area_code VARCHAR NOT NULL, period VARCHAR NOT NULL, indicator_id VARCHAR NOT NULL, count BIGINT, value DOUBLE, "
                "value_is_rate BOOLEAN NOT NULL)")
    old.execute("INSERT INTO stg_statistik VALUES ('bra.csv', 'x', 2, '1766', '2024', 'misshandel', 52, 390, true)")
    old.close()
    con = store.connect(tmp_path / "old.duckdb", staging_ddl=staging_ddl())
    columns = [row[0] for row in con.execute("DESCRIBE stg_statistik").fetchall()]
    assert columns[9:] == ["sheet", "title", "unit", "survey", "ci_low", "ci_high"]
    assert con.execute("SELECT count, sheet, ci_low FROM stg_statistik").fetchall() == [(52, None, None)]
    con.close()
