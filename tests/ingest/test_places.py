"""Reference data: municipality name resolution, regions and mean population."""
from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from pipeline.config import REFERENCE_DIR, Workspace
from pipeline.places import mean_population, region_members, resolver


def read_reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


MUNICIPALITIES = read_reference("municipalities.csv")
NAME_TO_CODE = {row["municipality_name"]: row["municipality_code"] for row in MUNICIPALITIES}
POPULATION = {(row["municipality_code"], int(row["year"])): int(row["population"]) for row in read_reference("population.csv")}


def code_of(value):
    return resolver().resolve(value).code


# --- resolution --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,code",
    [
        ("1737", "1737"),
        ("0114", "0114"),
        ("114", "0114"),  # Excel dropped the leading zero
        ("180", "0180"),
        ("1737.0", "1737"),
        ("Torsby", "1737"),
        ("Torsby kommun", "1737"),
        ("  torsby KOMMUN ", "1737"),
        ("TORSBY", "1737"),
        ("Falu kommun", "2080"),
        ("Falun", "2080"),
        ("Malung-Sälens kommun", "2023"),
        ("Malung-Sälen", "2023"),
        ("Årjängs kommun", "1765"),
        ("årjäng", "1765"),
        ("Stockholms stad", "0180"),
        ("Stockholm", "0180"),
        ("Upplands Väsby kommun", "0114"),
        ("Region Gotland", "0980"),
        ("Sunne kommun", "1766"),
        ("Hagfors kommun", "1783"),
        ("Munkfors kommun", "1762"),
    ],
)
def test_resolves_codes_names_and_genitives(value, code):
    result = resolver().resolve(value)
    assert result.code == code
    assert not result.known_unknown


@pytest.mark.parametrize(
    "value,code",
    [
        ("Habo", "0643"), ("HABO", "0643"), ("habo kommun", "0643"), ("Habo kommun", "0643"), (" Habo ", "0643"),
        ("Håbo", "0305"), ("HÅBO", "0305"), ("håbo kommun", "0305"), ("Håbo kommun", "0305"), ("håbo", "0305"),
    ],
)
def test_habo_and_habo_with_ring_are_never_confused(value, code):
    assert NAME_TO_CODE["Habo"] == "0643" and NAME_TO_CODE["Håbo"] == "0305"
    assert code_of(value) == code


def test_every_reference_name_resolves_in_its_plain_and_kommun_forms():
    assert len(NAME_TO_CODE) == 290
    for name, code in NAME_TO_CODE.items():
        assert code_of(name) == code, name
        assert code_of(name.upper()) == code, name
        assert code_of(f"{name} kommun") == code, name
        assert code_of(code) == code, name


def test_every_name_resolves_in_a_regular_genitive():
    names = {name.casefold() for name in NAME_TO_CODE}
    for name, code in NAME_TO_CODE.items():
        if name.endswith(("s", "x", "z")) or f"{name}s".casefold() in names:
            continue
        assert code_of(f"{name}s kommun") == code, name


@pytest.mark.parametrize("value", ["9999", "0000", "999", "12345", "17370"])
def test_codes_that_are_not_municipalities(value):
    result = resolver().resolve(value)
    assert result.code is None
    assert not result.known_unknown


@pytest.mark.parametrize(
    "value,suggestion",
    [("Tosby", "Torsby"), ("Torsbyy kommun", "Torsby"), ("Sunnne", "Sunne"), ("Hagfor", "Hagfors"), ("Arjäng", "Årjäng")],
)
def test_unknown_names_get_close_suggestions(value, suggestion):
    result = resolver().resolve(value)
    assert result.code is None
    assert not result.known_unknown
    assert suggestion in result.suggestions
    assert len(result.suggestions) <= 3


def test_nonsense_gets_no_code_and_no_suggestion():
    result = resolver().resolve("Qwxyzpq")
    assert result.code is None
    assert result.suggestions == ()


@pytest.mark.parametrize("value", ["okänd", "Okänd", " OKÄND ", "uppgift saknas", "utomlands"])
def test_okand_is_a_known_unknown(value):
    result = resolver().resolve(value)
    assert result.code is None
    assert result.known_unknown


# --- regions -----------------------------------------------------------------------------------------


def members(tmp_path):
    table = region_members(Workspace(tmp_path))
    grouped = defaultdict(set)
    for row in table.itertuples(index=False):
        grouped[(row.area_type, row.area_code)].add(row.municipality_code)
    return table, grouped


def test_all_21_counties_with_their_municipalities(tmp_path):
    table, grouped = members(tmp_path)
    expected = defaultdict(set)
    for row in MUNICIPALITIES:
        expected[f"lan-{row['county_code']}"].add(row["municipality_code"])
    counties = {code: codes for (kind, code), codes in grouped.items() if kind == "lan"}
    assert len(counties) == 21
    assert counties == dict(expected)
    # independently known sizes
    assert len(counties["lan-17"]) == 16  # Värmland
    assert len(counties["lan-01"]) == 26  # Stockholm
    assert len(counties["lan-14"]) == 49  # Västra Götaland
    assert len(counties["lan-12"]) == 33  # Skåne
    assert counties["lan-09"] == {"0980"}  # Gotland
    names = dict(zip(table.area_code, table.area_name))
    assert names["lan-17"] == "Värmlands län"


def test_riket_has_all_290(tmp_path):
    _, grouped = members(tmp_path)
    assert grouped[("riket", "riket")] == set(NAME_TO_CODE.values())
    assert len(grouped[("riket", "riket")]) == 290


def test_sutohamu_has_exactly_its_four_municipalities(tmp_path):
    table, grouped = members(tmp_path)
    assert grouped[("region", "sutohamu")] == {"1766", "1737", "1783", "1762"}
    rows = table[table.area_code == "sutohamu"]
    assert len(rows) == 4
    assert set(rows.area_name) == {"SuToHaMu"}


def test_codes_are_text_with_leading_zeros(tmp_path):
    table, _ = members(tmp_path)
    assert table.municipality_code.map(lambda c: isinstance(c, str) and len(c) == 4 and c.isdigit()).all()
    assert "0114" in set(table.municipality_code)


def test_workspace_regions_override(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "regions.yaml").write_text(
        "regions:\n  norr:\n    name: Norra Värmland\n    municipalities: [1737, 1765, '0114']\n", encoding="utf-8"
    )
    _, grouped = members(tmp_path)
    assert grouped[("region", "norr")] == {"1737", "1765", "0114"}
    assert ("region", "sutohamu") not in grouped


def test_unknown_code_in_regions_is_an_error(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "regions.yaml").write_text(
        "regions:\n  fel:\n    name: Fel\n    municipalities: ['1737', '9999']\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="9999"):
        region_members(Workspace(tmp_path))


# --- population --------------------------------------------------------------------------------------


def row_for(frame, code: str, year: int) -> dict:
    found = frame[(frame.municipality_code == code) & (frame.year == year)]
    assert len(found) == 1
    return found.iloc[0].to_dict()


@pytest.mark.parametrize("code", ["1737", "0114", "0180", "2080"])
def test_mean_population_of_a_known_year(code):
    result = mean_population(2017, 2017)
    assert len(result) == 290
    row = row_for(result, code, 2017)
    expected = (POPULATION[(code, 2016)] + POPULATION[(code, 2017)]) / 2
    assert row["population"] == pytest.approx(expected, abs=0.051)
    assert not row["estimated"]
    assert "2017" in row["basis"]
    assert "skatt" not in row["basis"]


def test_several_years_at_once():
    result = mean_population(2016, 2019)
    assert len(result) == 4 * 290
    for year in (2016, 2017, 2018, 2019):
        expected = (POPULATION[("1737", year - 1)] + POPULATION[("1737", year)]) / 2
        assert row_for(result, "1737", year)["population"] == pytest.approx(expected, abs=0.051)


def test_missing_year_is_interpolated_and_marked():
    assert ("1737", 2020) not in POPULATION
    result = mean_population(2020, 2020)
    row = row_for(result, "1737", 2020)
    end_2019, end_2021 = POPULATION[("1737", 2019)], POPULATION[("1737", 2021)]
    end_2020 = end_2019 + (end_2021 - end_2019) / 2
    assert row["population"] == pytest.approx((end_2019 + end_2020) / 2, abs=0.051)
    assert row["estimated"]
    assert "interpolerad" in row["basis"]
    assert "2019" in row["basis"] and "2021" in row["basis"]


def test_year_after_an_interpolated_year():
    row = row_for(mean_population(2021, 2021), "0114", 2021)
    end_2019, end_2021 = POPULATION[("0114", 2019)], POPULATION[("0114", 2021)]
    assert row["population"] == pytest.approx(((end_2019 + end_2021) / 2 + end_2021) / 2, abs=0.051)
    assert row["estimated"]
    assert "interpolerad" in row["basis"]


def test_year_after_the_last_known_uses_the_last_known_value():
    last = max(year for (_, year) in POPULATION)
    assert last == 2024
    result = mean_population(2026, 2026)
    for code in ("1737", "0114", "0180"):
        row = row_for(result, code, 2026)
        assert row["population"] == pytest.approx(POPULATION[(code, 2024)], abs=0.051)
        assert row["estimated"]
        assert "2024" in row["basis"]
        assert "2026" in row["basis"]


def test_year_with_one_known_end():
    # 2025: 31 Dec 2024 is known, 31 Dec 2025 is not and takes the 2024 value.
    row = row_for(mean_population(2025, 2025), "1737", 2025)
    assert row["population"] == pytest.approx(POPULATION[("1737", 2024)], abs=0.051)
    assert row["estimated"]
    assert "2024" in row["basis"]


def test_population_of_all_municipalities_sums_to_the_country():
    result = mean_population(2017, 2017)
    expected = sum((POPULATION[(code, 2016)] + POPULATION[(code, 2017)]) / 2 for code in NAME_TO_CODE.values())
    assert result.population.sum() == pytest.approx(expected, abs=290 * 0.051)
    assert 10_000_000 < expected < 10_200_000  # Sweden's population 2017
