"""The police's crime-statistics deliveries as real files: layouts, quarantine, unknown codes, replacement.

Every expected value is written out by hand from the rows the tests write.
"""
from __future__ import annotations

import time

import pandas as pd
import pytest
from polisen_helpers import HEADER, crime, query, write_delivery

from pipeline.build import build
from pipeline.config import Workspace
from pipeline.ingest import ingest
from pipeline.ingest.examine import examine

FALUN, BORLANGE, SUNNE = "2080", "2081", "1766"


def outcome(outcomes, name: str):
    return next(o for o in outcomes if o.label.endswith(name))


def test_cp1252_semicolon_one_row_per_crime_with_a_dash_date_and_no_deso(tmp_path):
    write_delivery(tmp_path, "Brottsstatistik_Falun_202503.csv", [
        crime(FALUN, "2025-01-05", code="9301", deso="2080A0010", committed="2025-01-04"),
        crime(FALUN, "2025-02-10", code="428", deso="2080a0020", committed="-"),  # lower-case DeSO, unknown crime date
        crime(FALUN, "2025-03-01", code="0310", deso="-"),  # leading zero, DeSO not given
    ])
    outcomes = ingest(Workspace(tmp_path))
    assert [o.action for o in outcomes] == ["inläst"]
    rows = query(tmp_path, "SELECT * FROM stg_polisen ORDER BY source_row")
    assert rows.source_row.tolist() == [2, 3, 4]
    assert rows.crime_code.tolist() == ["9301", "428", "310"]
    assert rows.period.tolist() == ["2025-01", "2025-02", "2025-03"]
    assert rows.deso_code.tolist()[:2] == ["2080A0010", "2080A0020"] and pd.isna(rows.deso_code[2])
    assert pd.isna(rows.crime_date_from[1]) and pd.isna(rows.crime_date_to[1])
    assert rows.crime_date_from[0].date().isoformat() == "2025-01-04"
    assert rows.crimes.tolist() == [1, 1, 1]
    delivery = query(tmp_path, "SELECT named_period FROM stg_polisen_delivery")
    assert delivery.named_period.tolist() == ["2025-03"]
    notes = " ".join(outcomes[0].report.notes)
    assert "till och med mars 2025 (från filnamnet)" in notes and "brottskodslistan" not in notes


def test_utf8_comma_with_a_count_column(tmp_path):
    write_delivery(tmp_path, "Brottsstatistik_Sunne_2025-02.csv", [
        crime(SUNNE, "2025-01-05", code="9301", count=3),
        crime(SUNNE, "2025-02-10", code="428", count=1),
        crime(SUNNE, "2025-02-11", code="942", count=0),
        crime(SUNNE, "2025-02-12", count=0)[:-1] + [""],  # how many is not said
    ], encoding="utf-8", delimiter=",")
    outcomes = ingest(Workspace(tmp_path))
    assert [o.action for o in outcomes] == ["inläst med karantän"]
    assert outcomes[0].report.issues["message"].tolist() == [
        "Brottsstatistik_Sunne_2025-02.csv, rad 5, kolumn 'Antal': värde saknas; antal brott måste anges när filen har kolumnen Antal."]
    assert "UTF-8, avgränsare komma" in outcomes[0].report.description
    rows = query(tmp_path, "SELECT crimes, period FROM stg_polisen ORDER BY source_row")
    assert rows.crimes.tolist() == [3, 1, 0]
    assert query(tmp_path, "SELECT named_period FROM stg_polisen_delivery").named_period.tolist() == ["2025-02"]


def test_a_deso_in_another_municipality_and_a_bad_date_quarantine_their_rows_and_keep_the_rest(tmp_path):
    write_delivery(tmp_path, "Brottsstatistik_Falun_202501.csv", [
        crime(FALUN, "2025-01-05", deso="2080A0010"),
        crime(FALUN, "2025-01-06", deso="2081A0010"),  # Borlänge's DeSO on a Falun row
        crime(FALUN, "2025-01-07", deso="2080X12"),  # no DeSO code
        crime(FALUN, "2025-01-08")[:10] + ["31/02/2025", "2025-01-08"],  # no date
        crime(FALUN, "2025-01-09", count=None)[:9] + ["", "", ""],  # no registration date, month given: kept
        crime(FALUN, "2025-01-10"),
    ])
    outcomes = ingest(Workspace(tmp_path))
    report = outcome(outcomes, "Brottsstatistik_Falun_202501.csv").report
    assert outcomes[0].action == "inläst med karantän"
    messages = report.issues.set_index("row")["message"]
    assert sorted(messages.index) == [3, 4, 5]
    assert messages[3] == ("Brottsstatistik_Falun_202501.csv, rad 3, kolumn 'desokod': DeSO-området '2081A0010' ligger i "
                           "kommunen 2081 (Borlänge), inte i kommunen 2080 (Falun) som kolumnen 'Kommunkod' anger; "
                           "raden läses inte in.")
    assert messages[4].startswith("Brottsstatistik_Falun_202501.csv, rad 4, kolumn 'desokod': '2080X12' är ingen DeSO-kod")
    assert messages[5].startswith("Brottsstatistik_Falun_202501.csv, rad 5, kolumn 'Brottsdatum från': '31/02/2025'")
    kept = query(tmp_path, "SELECT source_row FROM stg_polisen ORDER BY source_row")
    assert kept.source_row.tolist() == [2, 6, 7]
    quarantine = query(tmp_path, "SELECT source_row, column_name FROM quarantine ORDER BY source_row")
    assert quarantine.values.tolist() == [[3, "desokod"], [4, "desokod"], [5, "Brottsdatum från"]]


def test_an_unknown_crime_code_is_kept_noted_and_warned_about(tmp_path):
    write_delivery(tmp_path, "Brottsstatistik_Falun_202502.csv", [
        crime(FALUN, "2025-01-05", code="9999"),
        crime(FALUN, "2025-02-05", code="9999"),
        crime(FALUN, "2025-02-06", code="9301"),
    ])
    outcomes = ingest(Workspace(tmp_path))
    assert outcomes[0].action == "inläst"
    assert ("Brottsstatistik_Falun_202502.csv: brottskoden finns inte i brottskodslistan (data/reference/brottskoder.csv) "
            "och räknas under 'Okänd brottskod': 9999 (2 rader).") in outcomes[0].report.notes
    result = build(Workspace(tmp_path))
    assert ("brottskoden 9999 finns inte i brottskodslistan (data/reference/brottskoder.csv): 2 brott i Falun räknas "
            "under 'Okänd brottskod'.") in result.warnings
    counted = query(tmp_path, "SELECT crime_code, level1, level2, question_area FROM int_polisen_crimes ORDER BY source_row")
    assert counted.values.tolist() == [["9999", "okand_brottskod", "okand_brottskod", "okand_brottskod"],
                                       ["9999", "okand_brottskod", "okand_brottskod", "okand_brottskod"],
                                       ["9301", "b1", "valdsbrott", "fraga_2"]]


def test_a_later_delivery_replaces_the_earlier_for_its_months_and_keeps_the_earlier_months(tmp_path):
    # January to June, then a revision from April to December: April-June count from the later file.
    write_delivery(tmp_path, "Brottsstatistik_Falun_202506.csv", [
        crime(FALUN, "2025-01-05"), crime(FALUN, "2025-01-06"),
        crime(FALUN, "2025-03-05"),
        crime(FALUN, "2025-04-05"), crime(FALUN, "2025-04-06"), crime(FALUN, "2025-04-07"),
        crime(FALUN, "2025-06-05"),
    ])
    write_delivery(tmp_path, "Brottsstatistik_Falun_202512.csv", [
        crime(FALUN, "2025-04-05"),
        crime(FALUN, "2025-05-05", count=None),
        crime(FALUN, "2025-09-05"), crime(FALUN, "2025-09-06"),
    ])
    ingest(Workspace(tmp_path))
    build(Workspace(tmp_path))
    months = query(tmp_path, "SELECT period, path FROM int_polisen_coverage WHERE municipality_code = '2080' ORDER BY period")
    assert months.period.tolist() == [f"2025-{m:02d}" for m in range(1, 13)]
    assert months.path.tolist() == ["polisen/Brottsstatistik_Falun_202506.csv"] * 3 + ["polisen/Brottsstatistik_Falun_202512.csv"] * 9
    counts = query(tmp_path, "SELECT period, sum(crimes) AS n FROM int_polisen_crimes GROUP BY period ORDER BY period")
    assert dict(zip(counts.period, counts.n)) == {"2025-01": 2, "2025-03": 1, "2025-04": 1, "2025-05": 1, "2025-09": 2}
    areas = query(tmp_path, "SELECT area_code, from_period, to_period FROM polisen_areas")
    assert areas.values.tolist() == [["2080", "2025-01", "2025-12"]]


def test_of_two_deliveries_for_the_same_month_the_one_ingested_later_counts(tmp_path):
    write_delivery(tmp_path, "b_Brottsstatistik_Falun_202502.csv", [crime(FALUN, "2025-01-05"), crime(FALUN, "2025-02-05")])
    ingest(Workspace(tmp_path))
    time.sleep(1.1)  # the registry keeps whole seconds
    # loaded later, though its path sorts first
    write_delivery(tmp_path, "a_Brottsstatistik_Falun_202502.csv", [crime(FALUN, "2025-02-05"), crime(FALUN, "2025-02-06"),
                                                                     crime(FALUN, "2025-02-07")])
    ingest(Workspace(tmp_path))
    build(Workspace(tmp_path))
    months = query(tmp_path, "SELECT period, path FROM int_polisen_coverage ORDER BY period")
    assert months.values.tolist() == [["2025-01", "polisen/b_Brottsstatistik_Falun_202502.csv"],
                                      ["2025-02", "polisen/a_Brottsstatistik_Falun_202502.csv"]]
    counts = query(tmp_path, "SELECT period, sum(crimes) AS n FROM int_polisen_crimes GROUP BY period ORDER BY period")
    assert counts.n.tolist() == [1, 3]


def test_a_delivery_without_a_month_in_its_name_runs_to_its_last_registration_month(tmp_path):
    write_delivery(tmp_path, "Brottsstatistik_Borlange.csv", [crime(BORLANGE, "2025-02-05"), crime(BORLANGE, "2025-04-05")])
    outcomes = ingest(Workspace(tmp_path))
    assert any("filnamnet anger ingen månad" in note for note in outcomes[0].report.notes)
    build(Workspace(tmp_path))
    months = query(tmp_path, "SELECT period FROM int_polisen_coverage ORDER BY period")
    assert months.period.tolist() == ["2025-02", "2025-03", "2025-04"]


def test_a_delivery_that_ends_before_its_named_month_is_warned_about(tmp_path):
    write_delivery(tmp_path, "Brottsstatistik_Falun_202506.csv", [crime(FALUN, "2025-01-05"), crime(FALUN, "2025-03-05")])
    ingest(Workspace(tmp_path))
    result = build(Workspace(tmp_path))
    assert ("leveransen polisen/Brottsstatistik_Falun_202506.csv har inga brott efter 2025-03 men gäller enligt filnamnet "
            "till och med 2025-06; månaderna däremellan räknas som noll. Är filen avklippt?") in result.warnings
    assert query(tmp_path, "SELECT count(*) AS n FROM int_polisen_coverage").n[0] == 6


def test_the_month_comes_from_the_registration_date_when_the_file_has_no_month_column(tmp_path):
    header = [h for h in HEADER if h != "Inskr årmånad"]
    rows = [[c for i, c in enumerate(crime(FALUN, date)) if HEADER[i] != "Inskr årmånad"] for date in ("2025-01-31", "2025-02-01")]
    rows.append([c if h != "Inskrivningsdatum" else "" for h, c in zip(header, rows[0])])
    write_delivery(tmp_path, "Brottsstatistik_Falun_202502.csv", rows, header=header)
    outcomes = ingest(Workspace(tmp_path))
    assert "kolumn för Inskr årmånad saknas; månaden räknas fram ur Inskrivningsdatum" in " ".join(outcomes[0].report.notes)
    assert query(tmp_path, "SELECT period FROM stg_polisen ORDER BY source_row").period.tolist() == ["2025-01", "2025-02"]
    assert outcomes[0].report.issues["message"].tolist() == [
        "Brottsstatistik_Falun_202502.csv, rad 4, kolumn 'Inskrivningsdatum': värde saknas; inskr årmånad räknas fram ur "
        "Inskrivningsdatum och kan inte bestämmas för raden."]


def test_a_column_of_personal_identity_numbers_refuses_the_file(tmp_path):
    rows = [crime(FALUN, "2025-01-05") + ["19121212-1212"], crime(FALUN, "2025-01-06") + ["191212121212"]]
    path = write_delivery(tmp_path, "Brottsstatistik_Falun_202501.csv", rows, header=HEADER + ["Målsägande"])
    report = examine(path, Workspace(tmp_path))
    assert report.refusal and "'Målsägande' innehåller personnummer" in report.refusal
    assert "19121212" not in report.refusal
    outcomes = ingest(Workspace(tmp_path))
    assert outcomes[0].action == "avvisad"
    assert query(tmp_path, "SELECT count(*) AS n FROM stg_polisen").n[0] == 0


@pytest.mark.parametrize("municipality, deso, expected", [
    (FALUN, "2080A0010", "2080-vika"), (FALUN, "", "okant"), (FALUN, "2080C9990", "okant"),
])
def test_a_crime_gets_the_regso_of_its_deso(tmp_path, municipality, deso, expected):
    write_delivery(tmp_path, "Brottsstatistik_Falun_202501.csv", [crime(municipality, "2025-01-05", deso=deso)])
    ingest(Workspace(tmp_path))
    result = build(Workspace(tmp_path))
    assert query(tmp_path, "SELECT regso FROM int_polisen_crimes").regso.tolist() == [expected]
    unknown = [w for w in result.warnings if "DeSO-tabellen" in w]
    assert unknown == (["DeSO-området 2080C9990 i Falun finns inte i DeSO-tabellen; brotten där räknas under 'Okänt område' "
                        "per RegSO. Lägg SCB:s DeSO-tabell i arbetsmappens data/reference/deso.csv."]
                       if deso == "2080C9990" else [])
