"""Official statistics: the three readers as real files, and rates per 100 000 pooled in DuckDB.

The rate test reproduces Brå's published rates for Dalarna (its 15 municipalities, the county
pooled from them, and the whole country) from the counts and SCB's year-end populations.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.build import build, dag
from pipeline.build import statistik as statistik_build
from pipeline.config import PROJECT_ROOT, Workspace
from pipeline.ingest import ingest
from pipeline.ingest.sources import statistik
from pipeline.places import region_members
from pipeline.publish import publish

# Brå's published rates per 100 000 beside the counts and SCB's populations on 31 December they
# come from (../shared/realworld/bra_rate_reproduction.csv: Region Dalarna's compilation of Brå's
# municipal indicators, "Totalt antal anmälda brott"). geo_code 00 = Hela landet, 20 = Dalarnas län.
REPRODUCTION = """\
geo_code,year,count,published,pop_prev,pop_year
00,2017,1514902,15062,9995153,10120242
00,2018,1550626,15239,10120242,10230185
00,2019,1548406,15064,10230185,10327589
20,2017,25736,9019,284531,286165
20,2018,24365,8499,286165,287191
20,2019,24535,8532,287191,287966
20,2022,24257,8412,288387,288310
20,2023,24760,8604,288310,287253
20,2024,25103,8750,287253,286546
2021,2017,371,5408,6884,6837
2021,2018,378,5541,6837,6807
2021,2019,384,5642,6807,6805
2021,2022,426,6276,6776,6800
2021,2023,376,5559,6800,6728
2021,2024,284,4214,6728,6752
2023,2017,1116,11047,10091,10114
2023,2018,1191,11780,10114,10106
2023,2019,1054,10413,10106,10138
2023,2022,1032,10080,10218,10258
2023,2023,1037,10108,10258,10260
2023,2024,1055,10286,10260,10254
2026,2017,456,4467,10175,10241
2026,2018,367,3578,10241,10271
2026,2019,387,3762,10271,10304
2026,2022,458,4362,10502,10499
2026,2023,494,4721,10499,10430
2026,2024,471,4526,10430,10384
2029,2017,951,6107,15507,15640
2029,2018,861,5476,15640,15804
2029,2019,918,5808,15804,15807
2029,2022,890,5541,16012,16113
2029,2023,1057,6574,16113,16043
2029,2024,1008,6265,16043,16137
2031,2017,876,8076,10856,10837
2031,2018,713,6558,10837,10907
2031,2019,757,6927,10907,10950
2031,2022,720,6488,11103,11092
2031,2023,772,6976,11092,11042
2031,2024,805,7305,11042,10998
2034,2017,589,8569,6861,6887
2034,2018,442,6416,6887,6892
2034,2019,480,6955,6892,6911
2034,2022,554,7999,6918,6934
2034,2023,394,5693,6934,6908
2034,2024,488,7094,6908,6851
2039,2017,476,6748,7039,7068
2039,2018,433,6103,7068,7121
2039,2019,444,6275,7121,7031
2039,2022,727,10341,7042,7018
2039,2023,557,7987,7018,6929
2039,2024,527,7632,6929,6882
2061,2017,698,6403,10909,10894
2061,2018,690,6333,10894,10897
2061,2019,608,5580,10897,10894
2061,2022,718,6571,10933,10922
2061,2023,732,6705,10922,10913
2061,2024,754,6938,10913,10823
2062,2017,1902,9358,20279,20369
2062,2018,1410,6919,20369,20390
2062,2019,1662,8135,20390,20470
2062,2022,1510,7304,20670,20679
2062,2023,1617,7847,20679,20536
2062,2024,1700,8277,20536,20540
2080,2017,4543,7831,57685,58340
2080,2018,4137,7056,58340,58923
2080,2019,4274,7224,58923,59406
2080,2022,4563,7627,59837,59818
2080,2023,5043,8419,59818,59986
2080,2024,4697,7833,59986,59945
2081,2017,6229,12029,51604,51964
2081,2018,6277,12049,51964,52224
2081,2019,6076,11594,52224,52590
2081,2022,6261,11991,52254,52178
2081,2023,6196,11925,52178,51735
2081,2024,6424,12454,51735,51425
2082,2017,918,8253,11086,11160
2082,2018,661,5933,11160,11123
2082,2019,758,6824,11123,11093
2082,2022,685,6085,11242,11271
2082,2023,967,8590,11271,11243
2082,2024,811,7220,11243,11223
2083,2017,1549,9985,15461,15566
2083,2018,1469,9470,15566,15457
2083,2019,1676,10831,15457,15491
2083,2022,1446,9359,15458,15443
2083,2023,1388,9016,15443,15345
2083,2024,1487,9711,15345,15281
2084,2017,2282,9833,23161,23256
2084,2018,2570,11035,23256,23323
2084,2019,2537,10912,23323,23178
2084,2022,2084,9089,22925,22932
2084,2023,2181,9548,22932,22753
2084,2024,2465,10914,22753,22417
2085,2017,2780,10311,26933,26992
2085,2018,2766,10256,26992,26946
2085,2019,2520,9360,26946,26898
2085,2022,2183,8261,26497,26353
2085,2023,1949,7389,26353,26402
2085,2024,2127,8021,26402,26634
"""
REALWORLD = PROJECT_ROOT.parent / "shared" / "realworld" / "bra_reported_crimes.csv"  # shared/ lies beside the checkout


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def rows_by_area(result) -> dict:
    return {(r.area_code, r.period, r.indicator_id): r for r in result.rows.itertuples(index=False)}


# --- tidy csv ------------------------------------------------------------------------------------


def test_tidy_cp1252_semicolon_with_names_codes_counties_and_bad_rows(tmp_path):
    text = (
        "Område;År;Indikator;Antal;Värde\r\n"
        "Sunne;2023;Totalt antal anmälda brott;1 234;\r\n"  # row 2: a name, a Brå name
        "737;2023;anmalda_brott_totalt;456;\r\n"  # row 3: 0737 is no municipality (Torsby is 1737)
        "1737;2023;Narkotikabrott;12;345,6\r\n"  # row 4: count and a given rate
        "Dalarnas län;2023;N07540;;8604\r\n"  # row 5: a county, by its Kolada KPI
        "Hela landet;2023;Skadegörelse;90 000;\r\n"  # row 6
        "Sunnne kommun;2023;Narkotikabrott;3;\r\n"  # row 7: unknown municipality
        "Hagfors;2023;Narkotikabrott;tolv;\r\n"  # row 8: count not a number
        "Hagfors;;Narkotikabrott;5;\r\n"  # row 9: year missing
        "Munkfors;2023;Fylleri;5;\r\n"  # row 10: indicator unknown
        "0114;2022;Bilbrott;7,0;\r\n"  # row 11: leading zero kept, "7,0" is 7
    )
    path = write(tmp_path / "statistik.csv", text, "cp1252")
    assert statistik.detect(path) == "tidy"
    result = statistik.read_tidy(path)
    rows = rows_by_area(result)

    sunne = rows[("1766", "2023", "anmalda_brott_totalt")]
    assert sunne.count == 1234 and pd.isna(sunne.value) and not sunne.value_is_rate and sunne.source_row == 2
    torsby = rows[("1737", "2023", "narkotikabrott")]
    assert torsby.count == 12 and torsby.value == pytest.approx(345.6) and torsby.value_is_rate
    lan = rows[("lan-20", "2023", "anmalda_brott_totalt")]
    assert pd.isna(lan.count) and lan.value == 8604 and lan.value_is_rate
    assert rows[("riket", "2023", "skadegorelse")].count == 90000
    assert rows[("0114", "2022", "bilbrott")].count == 7
    assert result.rows["count"].dtype == "Int64"
    assert set(result.rows["period"]) == {"2022", "2023"}

    messages = "\n".join(result.messages)
    assert "statistik.csv, rad 3, kolumn 'Område': '737' är ingen känd kommun" in messages
    assert "statistik.csv, rad 7, kolumn 'Område': 'Sunnne kommun' är ingen känd kommun" in messages
    assert "Menade du Sunne" in messages
    assert "statistik.csv, rad 8, kolumn 'Antal': 'tolv' är inget antal" in messages
    assert "statistik.csv, rad 9, kolumn 'År': år saknas." in messages
    assert "statistik.csv, rad 10, kolumn 'Indikator': 'Fylleri' finns inte i indikatorkatalogen" in messages
    assert sorted(result.issues["row"]) == [3, 7, 8, 9, 10]
    assert len(result.rows) == 5


def test_tidy_utf8_comma_with_region_ids_and_repeated_rows(tmp_path):
    text = (
        "Kommunkod,Period,Indikator,Värde\n"
        '1766,2022,Narkotikabrott,"410,5"\n'
        "sutohamu,2022,Narkotikabrott,300\n"
        "lan-17,2022,Narkotikabrott,390\n"
        "Riket,2022,Narkotikabrott,1082\n"
        "1766,2022,narkotikabrott,1\n"  # the same area, year and indicator again
    )
    path = write(tmp_path / "tidy.csv", text)
    result = statistik.read_tidy(path, Workspace(tmp_path))
    rows = rows_by_area(result)
    assert rows[("1766", "2022", "narkotikabrott")].value == pytest.approx(410.5)
    assert rows[("sutohamu", "2022", "narkotikabrott")].value == 300
    assert rows[("lan-17", "2022", "narkotikabrott")].value == 390
    assert rows[("riket", "2022", "narkotikabrott")].value == 1082
    assert result.rows["value_is_rate"].all() and result.rows["count"].isna().all()
    assert result.messages == ["tidy.csv, rad 6, kolumn 'Kommunkod': narkotikabrott 2022 för 1766 finns redan på rad 2; den raden används."]


def test_tidy_without_a_count_or_value_column_is_refused(tmp_path):
    path = write(tmp_path / "t.csv", "Område;År;Indikator\nSunne;2023;Bilbrott\n")
    result = statistik.read_tidy(path)
    assert result.rows.empty
    assert result.file_errors == ["t.csv: kolumn för värde eller antal (Värde/Antal) saknas."]


# --- Brå -----------------------------------------------------------------------------------------


BRA_FILE = (
    "Anmälda brott 2023, Totalt antal anmälda brott, efter kommun\r\n"
    "Källa: Brottsförebyggande rådet\r\n"
    "\r\n"
    "Kommun;Antal;Per 100 000 inv.\r\n"
    "Hela landet;1\u00a0512\u00a0345;14 300\r\n"  # row 5: Excel's non-breaking thousands separator
    "Dalarnas län;24 760;8 604\r\n"  # row 6
    "2021 Vansbro;376;5 559\r\n"  # row 7
    "Malung-Sälen;1 037;10 108,0\r\n"  # row 8
    "Gagnef;..;..\r\n"  # row 9: uppgift saknas: no row, a note
    "Gagnäf;494;4 721\r\n"  # row 10: unknown municipality
    "Leksand;1 057,5;6 574\r\n"  # row 11: not a whole count
    "Orsa;–;0\r\n"  # row 12: "–" is zero
    "\r\n"
    "Uppgifterna avser brottsplatsens kommun.;;\r\n"  # a footnote
)


def test_bra_cp1252_title_thousands_separators_and_bad_rows(tmp_path):
    path = write(tmp_path / "bra" / "kommuner.csv", BRA_FILE.replace("\u00a0", "\xa0"), "cp1252")
    assert statistik.detect(path) == "bra"
    result = statistik.read_bra(path)
    rows = rows_by_area(result)
    assert set(result.rows["indicator_id"]) == {"anmalda_brott_totalt"}
    assert set(result.rows["period"]) == {"2023"}
    riket = rows[("riket", "2023", "anmalda_brott_totalt")]
    assert (riket.count, riket.value, riket.value_is_rate, riket.source_row) == (1512345, 14300.0, True, 5)
    assert rows[("lan-20", "2023", "anmalda_brott_totalt")].count == 24760
    assert rows[("2021", "2023", "anmalda_brott_totalt")].value == 5559
    assert rows[("2023", "2023", "anmalda_brott_totalt")].value == 10108
    assert ("2026", "2023", "anmalda_brott_totalt") not in rows  # ".." is Brå's "uppgift saknas"
    assert any("1 rad utan uppgift (t.ex. 'Gagnef')" in note for note in result.notes)
    assert rows[("2034", "2023", "anmalda_brott_totalt")].count == 0
    assert result.messages == [
        "kommuner.csv, rad 10, kolumn 'Kommun': 'Gagnäf' är ingen känd kommun, län eller region (kommunkod, kommunnamn, län eller Riket). Menade du Gagnef eller Höganäs?",
        "kommuner.csv, rad 11, kolumn 'Antal': '1 057,5' är inget antal (ett heltal 0 eller större).",
    ]
    assert any("fotnot" in note for note in result.notes)


def test_bra_year_and_indicator_from_file_and_folder_name(tmp_path):
    text = "Kommun;Antal;Per 100 000 inv.\n1766 Sunne;52;385\nTorsby;40;345\n"
    path = write(tmp_path / "Narkotikabrott" / "bra_kommuner_2022.csv", text, "cp1252")
    result = statistik.read_bra(path)
    assert set(result.rows["indicator_id"]) == {"narkotikabrott"} and set(result.rows["period"]) == {"2022"}
    assert sorted(result.rows["area_code"]) == ["1737", "1766"]

    # A file name without å/ä/ö names the indicator too; the longest name wins.
    path = write(tmp_path / "vald_i_nara_relationer_mot_kvinnor_2024.csv", text, "cp1252")
    assert set(statistik.read_bra(path).rows["indicator_id"]) == {"vald_nara_relationer_kvinnor"}


def test_bra_without_year_or_indicator_is_refused(tmp_path):
    text = "Kommun;Antal;Per 100 000 inv.\nSunne;52;385\n"
    no_year = statistik.read_bra(write(tmp_path / "narkotikabrott.csv", text, "cp1252"))
    assert no_year.rows.empty and "året framgår varken av rubriken eller av filnamnet" in no_year.file_errors[0]
    no_name = statistik.read_bra(write(tmp_path / "export_2023.csv", text, "cp1252"))
    assert no_name.rows.empty and "brottstypen framgår varken" in no_name.file_errors[0]


# --- Kolada --------------------------------------------------------------------------------------


def test_kolada_v2_counties_country_and_missing_values(tmp_path):
    document = {
        "count": 5,
        "values": [
            {"kpi": "N07540", "municipality": "1766", "period": 2022,
             "values": [{"gender": "T", "count": 1, "status": "", "value": 7894.0}]},
            {"kpi": "N07540", "municipality": "0020", "period": 2022,
             "values": [{"gender": "T", "count": 1, "status": "", "value": 8412.0}]},
            {"kpi": "N07540", "municipality": "0000", "period": 2022,
             "values": [{"gender": "T", "count": 1, "status": "", "value": 13561.0}]},
            {"kpi": "N07540", "municipality": "1737", "period": 2022,
             "values": [{"gender": "T", "count": 0, "status": "Missing", "value": None}]},
            {"kpi": "N99999", "municipality": "1737", "period": 2022,
             "values": [{"gender": "T", "count": 1, "status": "", "value": 1.0}]},
            {"kpi": "N07540", "municipality": "9999", "period": 2022,
             "values": [{"gender": "T", "count": 1, "status": "", "value": 1.0}]},
        ],
    }
    path = write(tmp_path / "kolada.json", json.dumps(document))
    assert statistik.detect(path) == "kolada"
    result = statistik.read_kolada(path)
    rows = rows_by_area(result)
    assert rows[("1766", "2022", "anmalda_brott_totalt")].value == 7894.0
    assert rows[("lan-20", "2022", "anmalda_brott_totalt")].value == 8412.0
    assert rows[("riket", "2022", "anmalda_brott_totalt")].value == 13561.0
    assert result.rows["value_is_rate"].all() and result.rows["count"].isna().all()
    assert result.messages == [
        "kolada.json, post 4, kolumn 'value': N07540 2022 för 1737: värde saknas (status 'Missing').",
        "kolada.json, post 5, kolumn 'kpi': nyckeltalet 'N99999' finns inte i indikatorkatalogen (kolada_kpi i schemas/statistik.yaml); 1 post läses inte in.",
        "kolada.json, post 6, kolumn 'municipality': '9999' är ingen känd kommun, län eller region (kommunkod, kommunnamn, län eller Riket).",
    ]


def test_kolada_v3_keys_genders_and_a_bom(tmp_path):
    document = {
        "values": [
            {"kpi_id": "N07540", "municipality_id": "2021", "year": "2023",
             "values": [{"gender": "K", "value": 1.0}, {"gender": "T", "count": 1, "status": None, "value": 5558.8},
                        {"gender": "M", "value": 2.0}]},
            {"kpi": "N07540", "municipality_id": "0020", "period": 2023, "gender": "T", "value": 8604},  # flat
        ],
        "next_url": None,
    }
    path = tmp_path / "kolada_v3.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(document, ensure_ascii=False).encode("utf-8"))
    result = statistik.read_kolada(path)
    assert result.messages == []
    rows = rows_by_area(result)
    assert rows[("2021", "2023", "anmalda_brott_totalt")].value == pytest.approx(5558.8)
    assert rows[("lan-20", "2023", "anmalda_brott_totalt")].value == 8604
    assert any("gender K/M" in note for note in result.notes)


def test_detect(tmp_path):
    assert statistik.detect(write(tmp_path / "x.json", json.dumps({"foo": 1}))) is None
    assert statistik.detect(write(tmp_path / "x.csv", "Namn;Ålder\nA;1\n")) is None


# --- rates per 100 000, pooled, in DuckDB --------------------------------------------------------


def reproduction() -> pd.DataFrame:
    table = pd.read_csv(io.StringIO(REPRODUCTION), dtype={"geo_code": str})
    table["area_code"] = table["geo_code"].map(lambda c: "riket" if c == "00" else "lan-20" if c == "20" else c)
    table["period"] = table["year"].astype(str)
    return table


def population_for(table: pd.DataFrame) -> pd.DataFrame:
    """The repository's mean populations, with Dalarna's taken from Brå's own figures (the
    repository's table lacks 2022 and 2023 and estimates them)."""
    population = statistik_build.population_years(2017, 2024)
    municipal = table[table["area_code"].str.fullmatch(r"\d{4}")]
    given = pd.DataFrame(
        {"municipality_code": municipal["area_code"], "year": municipal["year"].astype(int),
         "population_mean": (municipal["pop_prev"] + municipal["pop_year"]) / 2, "basis": "medelfolkmängd enligt Brå"}
    )
    merged = population.merge(given, on=["municipality_code", "year"], how="left", suffixes=("", "_bra"))
    # Where the repository has both year-ends it must agree with Brå's populations exactly.
    exact = merged["population_mean_bra"].notna() & ~population["basis"].str.contains("skattad|saknas")
    assert (merged.loc[exact, "population_mean"] == merged.loc[exact, "population_mean_bra"]).all()
    merged["population_mean"] = merged["population_mean_bra"].fillna(merged["population_mean"])
    merged["basis"] = merged["basis_bra"].fillna(merged["basis"])
    return merged[["municipality_code", "year", "population_mean", "basis"]]


POPULATION_DDL = """
CREATE TABLE ref_population_year (municipality_code VARCHAR NOT NULL, year INTEGER NOT NULL, population_mean DOUBLE NOT NULL, basis VARCHAR);
"""


def compute(staging: pd.DataFrame, population: pd.DataFrame, tmp_path: Path) -> pd.DataFrame:
    connection = duckdb.connect()
    connection.execute(statistik.STAGING_DDL + POPULATION_DDL)
    connection.register("staging_frame", staging)
    connection.execute("INSERT INTO stg_statistik BY NAME SELECT * FROM staging_frame")
    connection.register("population_frame", population)
    connection.execute("INSERT INTO ref_population_year SELECT * FROM population_frame")
    connection.register("member_frame", region_members(Workspace(tmp_path)))
    connection.execute("CREATE TABLE ref_area_member AS SELECT * FROM member_frame")
    dag.run(connection, only=["statistik_values"])  # the model pipeline/sql/statistik/statistik_values.sql alone
    values = connection.execute("SELECT * FROM statistik_values ORDER BY indicator_id, period, area_type, area_code").df()
    connection.close()
    return values


def staging_from(table: pd.DataFrame, path: str = "bra.csv") -> pd.DataFrame:
    rows = pd.DataFrame(
        {"area_code": table["area_code"], "period": table["period"], "indicator_id": "anmalda_brott_totalt",
         "count": pd.array(table["count"], dtype="Int64"), "value": float("nan"), "value_is_rate": False,
         "source_row": range(2, len(table) + 2)}
    )
    return statistik.staging_rows(statistik.Statistik(rows, pd.DataFrame()), path, "0" * 64)


def half_up(x: float) -> int:
    return int(x + 0.5)


def test_rates_reproduce_bras_published_rates_for_dalarna_county_pooled_and_country(tmp_path):
    table = reproduction()
    staging = staging_from(table[table["area_code"] != "lan-20"])  # the county is pooled from its municipalities
    values = compute(staging, population_for(table), tmp_path).set_index(["area_code", "period"])
    checked = 0
    for row in table.itertuples(index=False):
        value = values.loc[(row.area_code, row.period)]
        assert half_up(value["rate_per_100k"]) == row.published, (row.area_code, row.period, value["rate_per_100k"])
        checked += 1
    assert checked == 99
    lan = values.loc[("lan-20", "2022")]
    assert lan["count"] == 24257 and (lan["areas_covered"], lan["areas_total"]) == (15, 15)
    assert lan["basis"].startswith("summa av 15 kommuner") and pd.isna(lan["value_given"])
    riket = values.loc[("riket", "2017")]
    assert riket["count"] == 1514902 and riket["basis"].startswith("antal enligt källan för området; medelfolkmängd 2017")
    assert values.loc[("2021", "2017"), "area_type"] == "kommun"


def test_county_given_directly_and_incomplete_members(tmp_path):
    table = reproduction()
    county_2023 = table[(table["area_code"] == "lan-20") & (table["year"] == 2023)]
    members_2023 = table[table["area_code"].str.fullmatch(r"\d{4}") & (table["year"] == 2023)]
    # 2023: the county's own count; 2024: one municipality (Vansbro) missing
    members_2024 = table[table["area_code"].str.fullmatch(r"\d{4}") & (table["year"] == 2024) & (table["area_code"] != "2021")]
    staging = staging_from(pd.concat([county_2023, members_2024]))
    values = compute(staging, population_for(table), tmp_path).set_index(["area_code", "period"])
    assert half_up(values.loc[("lan-20", "2023"), "rate_per_100k"]) == 8604
    incomplete = values.loc[("lan-20", "2024")]
    assert pd.isna(incomplete["count"]) and pd.isna(incomplete["rate_per_100k"])
    assert incomplete["basis"] == "underlag saknas: 14 av 15 kommuner har antal"
    assert (incomplete["areas_covered"], incomplete["areas_total"]) == (14, 15)
    assert not members_2023.empty


def test_given_rates_are_kept_and_never_averaged_into_a_region(tmp_path):
    # Kolada gives rates for the four SuToHaMu municipalities and for Dalarna's county itself.
    document = {"values": [
        {"kpi": "N07540", "municipality": code, "period": 2022, "values": [{"gender": "T", "value": value}]}
        for code, value in [("1766", 7000.0), ("1737", 8000.0), ("1783", 9000.0), ("1762", 6000.0), ("0020", 8412.0)]
    ]}
    kolada = statistik.read_kolada(write(tmp_path / "kolada.json", json.dumps(document)))
    # Brå counts for the same municipalities: these are pooled (hand-checked below).
    counts = pd.DataFrame({"area_code": ["1766", "1737", "1783", "1762"], "period": "2022", "indicator_id": "anmalda_brott_totalt",
                           "count": pd.array([1000, 900, 800, 100], dtype="Int64"), "value": float("nan"),
                           "value_is_rate": False, "source_row": [2, 3, 4, 5]})
    staging = pd.concat([statistik.staging_rows(kolada, "kolada.json", "a" * 64),
                         statistik.staging_rows(statistik.Statistik(counts, pd.DataFrame()), "bra.csv", "b" * 64)])
    population = pd.DataFrame({"municipality_code": ["1766", "1737", "1783", "1762"], "year": 2022,
                               "population_mean": [13000.0, 12000.0, 11500.0, 3500.0], "basis": "medelfolkmängd 2022"})
    values = compute(staging, population, tmp_path).set_index(["area_code", "period"])
    sunne = values.loc[("1766", "2022")]
    assert sunne["value_given"] == 7000.0 and sunne["rate_per_100k"] == pytest.approx(1000 / 13000 * 1e5)
    region = values.loc[("sutohamu", "2022")]
    assert region["count"] == 2800 and region["population"] == 40000.0
    assert region["rate_per_100k"] == pytest.approx(7000.0)  # 2 800 / 40 000 × 100 000, not a mean of rates
    assert pd.isna(region["value_given"])  # Kolada gave none for SuToHaMu: nothing averaged
    assert values.loc[("lan-20", "2022"), "value_given"] == 8412.0  # Kolada's own county row
    assert pd.isna(values.loc[("lan-20", "2022"), "count"])  # a given rate makes no count
    lan17 = values.loc[("lan-17", "2022")]  # Värmland: 4 of its 16 municipalities have counts
    assert pd.isna(lan17["rate_per_100k"]) and lan17["basis"] == "underlag saknas: 4 av 16 kommuner har antal"


@pytest.mark.skipif(not REALWORLD.exists(), reason="../shared/realworld is not beside the project")
def test_every_bra_indicator_for_dalarna_is_reproduced(tmp_path):
    """All 15 indicators of Region Dalarna's compilation, for the years whose populations are known."""
    crimes = pd.read_csv(REALWORLD, dtype={"geo_code": str})
    crimes = crimes[crimes["source_id"].str.startswith("BRA")]
    table = reproduction()
    names = {name: indicator_id for indicator_id, spec in statistik.catalogue().items() for name in spec.get("bra_names", [])}
    crimes["indicator_id"] = crimes["indicator"].map(names)
    assert crimes["indicator_id"].notna().all(), set(crimes.loc[crimes["indicator_id"].isna(), "indicator"])
    crimes = crimes[crimes["year"].isin(table["year"].unique())]
    crimes["area_code"] = crimes["geo_code"].map(lambda c: "riket" if c == "00" else "lan-20" if c == "20" else c)
    crimes["period"] = crimes["year"].astype(str)
    counts = crimes[crimes["unit"] == "Antal"]
    rates = crimes[crimes["unit"] != "Antal"].set_index(["area_code", "period", "indicator_id"])["value"]
    municipal = counts[counts["area_code"].str.fullmatch(r"\d{4}")]
    staging = pd.DataFrame({"path": "bra.csv", "sha256": "0" * 64, "source_row": range(len(municipal)),
                            "area_code": municipal["area_code"], "period": municipal["period"],
                            "indicator_id": municipal["indicator_id"], "count": pd.array(municipal["value"], dtype="Int64"),
                            "value": float("nan"), "value_is_rate": False})
    values = compute(staging, population_for(table), tmp_path)
    values = values[values["area_code"].str.fullmatch(r"\d{4}|lan-20")].set_index(["area_code", "period", "indicator_id"])
    compared = values.join(rates.rename("published"), how="inner")
    assert len(compared) == 16 * 6 * 15
    wrong = compared[compared["rate_per_100k"].map(half_up) != compared["published"]]
    assert wrong.empty, wrong[["count", "rate_per_100k", "published"]].head(10)


# --- through ingest, build and publish -------------------------------------------------------------


def test_a_bra_csv_and_a_kolada_json_in_data_raw_become_published_statistics(tmp_path):
    raw = tmp_path / "data" / "raw" / "statistik"
    write(raw / "bra" / "narkotikabrott_2024.csv", "Kommun;Antal;Per 100 000 inv.\r\nSunne;52;388\r\nTorsby;40;350\r\nHagfors;x;x\r\n", "cp1252")
    document = {"values": [{"kpi": "N07540", "municipality": "0017", "period": 2024,
                            "values": [{"gender": "T", "count": 1, "status": "", "value": 9012.0}]}]}
    write(raw / "kolada" / "n07540.json", json.dumps(document))
    workspace = Workspace(tmp_path)
    outcomes = {o.label: (o.action, o.report.source if o.report else None) for o in ingest(workspace)}
    assert outcomes == {
        "statistik/bra/narkotikabrott_2024.csv": ("inläst", "statistik"),
        "statistik/kolada/n07540.json": ("inläst", "statistik"),
    }
    build(workspace)
    published = pd.read_parquet(publish(workspace, "2024-12") / "statistik.parquet")
    sunne = published[(published.area_code == "1766") & (published.indicator_id == "narkotikabrott")].iloc[0]
    assert sunne["count"] == 52 and sunne["value_given"] == 388 and sunne["title"]
    county = published[(published.area_code == "lan-17") & (published.indicator_id == "anmalda_brott_totalt")].iloc[0]
    assert county["value_given"] == 9012.0  # Kolada's own county figure, kept as given
    # Hagfors has no count, so SuToHaMu's narcotics rate cannot be pooled and says on what it rests
    region = published[(published.area_code == "sutohamu") & (published.indicator_id == "narkotikabrott")].iloc[0]
    assert pd.isna(region["rate_per_100k"]) and "2 av 4" in region["basis"]
