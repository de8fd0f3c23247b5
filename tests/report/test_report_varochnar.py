"""Var och när in the reports: a county's police deliveries alone, rendered as a user runs them.

Falun and Borlänge send a year's deliveries; the kommun and county reports for 2025 must say each
municipality's yearly total as a recount of the files gives it, and name the areas with the most crimes.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from cli_helpers import run
from polisen_helpers import crime, write_delivery

from pipeline.report.snapshot import Snapshot
from pipeline.report.varochnar import change, ranked, window

# Falun: 30 crimes in Vika (RegSO Vika), 12 in Bjursås 1 and 8 in Bjursås 2 (RegSO Bjursås), 6 without a DeSO;
# Borlänge: 25 in one DeSO of RegSO Tolsbo-…, 3 in one of Torsång-… (fewer than five: hidden).
FALUN = {"2080A0010": 30, "2080B2020": 12, "2080B2010": 8, "": 6}
BORLANGE = {"2081A0010": 25, "2081A0030": 3}


def rows(municipality: str, areas: dict[str, int]) -> list[list[str]]:
    """The crimes spread over the year's months (day 1–28), one row per crime."""
    found, k = [], 0
    for deso, n in areas.items():
        for _ in range(n):
            found.append(crime(municipality, f"2025-{k % 12 + 1:02d}-{k % 28 + 1:02d}", deso=deso))
            k += 1
    return found


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("polisen-lan")
    write_delivery(root, "Brottsstatistik_Falun_202512.csv", rows("2080", FALUN))
    write_delivery(root, "Brottsstatistik_Borlange_202512.csv", rows("2081", BORLANGE), encoding="utf-8", delimiter=",")
    result = run(["run", "--workspace", str(root), "--period", "2025"])
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return root / "reports" / "2025"


def text(path) -> str:
    return " ".join(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


def test_the_yearly_totals_are_a_recount_of_the_files(reports):
    assert "Polisen registrerade 56 brott med brottsplats i Falun under 2025" in text(reports / "kommun" / "2080.html")
    assert "Polisen registrerade 28 brott med brottsplats i Borlänge under 2025" in text(reports / "kommun" / "2081.html")
    # the county pools its two reporting members: 56 + 28
    assert "Polisen registrerade 84 brott med brottsplats i Dalarnas län under 2025" in text(reports / "region" / "lan-20.html")


def test_var_och_nar_names_the_areas_with_the_most_crimes(reports):
    html = BeautifulSoup((reports / "kommun" / "2080.html").read_text(encoding="utf-8"), "html.parser")
    table = next(t for t in html.find_all("table") if "Områden (RegSO) med flest registrerade brott" in t.caption.get_text())
    ranked = [[c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])][:2] for tr in table.find_all("tr")[1:]]
    # Vika 30, Bjursås 12 + 8 = 20, no DeSO 6: largest first
    assert ranked == [["Vika", "30"], ["Bjursås", "20"], ["Okänt område", "6"]]
    county = text(reports / "region" / "lan-20.html")
    assert re.search(r"Vika \(Falun\) 30 – – Bjursås \(Falun\) 20 – – Okänt område \(Falun\) 6", county)
    # Torsång's 3 crimes are hidden, and Tolsbo's 25 with them (Borlänge's 28 minus 25 would give the 3 away):
    # neither is ranked, both are named apart
    assert ("Antalet är dolt av sekretesskäl för Tolsbo-Strandbo-Sörbo-Repbäcken-Idkerberget-Halvarsgårdarna (Borlänge) och "
            "Torsång-Sunnanö-Uvberget-Fågelmyra-Oberget-Ornäs (Borlänge)") in county
    assert "(Borlänge) 3" not in county and "(Borlänge) 25" not in county


def test_the_year_report_places_them_under_var_och_nar(reports):
    found = text(reports / "kommun" / "2080.html")
    assert "Var och när problemen i Falun finns visar polisens registrerade brott efter område, månad och veckodag." in found
    assert "EST-rapporterna ingår inte i underlaget" in found
    assert "Brott och händelser efter plats och tid" in found


def test_the_window_and_the_change_in_words():
    assert window("2025") == "under 2025" and window("2025", earlier=True) == "året 2024"
    assert window("2026-T2") == "under de 12 månaderna till och med augusti 2026"
    assert window("2026-10", earlier=True) == "de 12 månaderna till och med oktober 2025"
    shown = {"suppression": "", "value": 110.0}
    assert change(shown, {"suppression": "", "value": 100.0}) == "+10\u00a0%"
    assert change({"suppression": "", "value": 88.0}, {"suppression": "", "value": 100.0}) == "−12\u00a0%"
    assert change(shown, {"suppression": "dold", "value": None}) == "–"  # a hidden count gives no change
    assert change(shown, {"suppression": "", "value": 0.0}) == "–"


def test_a_ranking_marks_a_hidden_earlier_count_and_gives_no_change_for_it():
    def cell(period: str, category: str, n: float | None) -> dict:
        return {"indicator_id": "est_place_r12", "area_type": "kommun", "area_code": "1766", "period": period, "dimension": "plats",
                "category": category, "category_label": category.capitalize(), "sort_order": 0, "numerator": n, "value": n,
                "suppression": "" if n is not None else "dold"}
    values = pd.DataFrame([cell("2026-10", "torget", 30.0), cell("2026-10", "parken", 12.0), cell("2026-10", "stranden", None),
                           cell("2025-10", "torget", 20.0), cell("2025-10", "parken", None), cell("2025-10", "stranden", 7.0)])
    found = ranked(Snapshot("2026-10", "1766", values=values), "est_place_r12", "2026-10", "2025-10", "Platser", "Plats")
    body = [row["cells"] for row in found["table"]["rows"]]
    assert body == [["Torget", "30", "20", "+50\u00a0%"], ["Parken", "12", "..", "–"]]
    assert found["hidden"] == "Stranden"
