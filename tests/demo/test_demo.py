"""The demo generator writes three realistic, deterministic INTOX export layouts."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from pipeline.config import PROJECT_SCHEMAS, REFERENCE_DIR
from pipeline.demo import write_demo_data

END = "2026-10"
OTHER_SOURCES = ("data/raw/enkat/", "data/raw/statistik/", "data/raw/avtal/", "data/raw/polisen/", "data/raw/est/",
                 "data/reference/")  # window 2024-11 .. 2026-10; Arvika from 2025-05
VARMLAND = {"1715", "1730", "1737", "1760", "1761", "1762", "1763", "1764", "1765", "1766",
            "1780", "1781", "1782", "1783", "1784", "1785"}
CSK_HEADER = ["Formulär-id", "Besöksdatum", "Ålder", "Kön", "Hemkommun", "Alkohol", "Cannabis",
              "Bensodiazepiner", "Opioider", "GHB/GBL", "Amfetamin", "Kokain", "MDMA",
              "Nya psykoaktiva substanser", "Lustgas", "Receptfria läkemedel", "Andra läkemedel",
              "Okänt", "Annat", "Avsikt", "Vårdnivå", "Enhet", "PSS"]
ARVIKA_HEADER = ["Ärendenummer", "Datum", "Åldersgrupp", "Kön", "Kommun", "Substanser",
                 "Avsikt", "Vårdnivå", "Orosanmälan"]
TORSBY_HEADER = ["id", "Besöksdatum", "Ålder", "Kön", "Kommunkod", "Preparat", "Avsikt",
                 "Vårdnivå", "Enhet"]
SWEDISH_MONTHS = {name: i + 1 for i, names in enumerate(zip(
    ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
     "oktober", "november", "december"))) for name in names}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo")
    write_demo_data(root, END)
    return root


@pytest.fixture(scope="module")
def forms(workspace) -> pd.DataFrame:
    return all_forms(workspace)


@pytest.fixture(scope="module")
def contract() -> dict:
    return yaml.safe_load((PROJECT_SCHEMAS / "intox.yaml").read_text(encoding="utf-8"))


def intox(workspace: Path, folder: str) -> list[Path]:
    return sorted((workspace / "data" / "raw" / "intox" / folder).iterdir())


def read_csv(path: Path, encoding: str, delimiter: str) -> list[list[str]]:
    text = path.read_bytes().decode(encoding)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_xlsx(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))


def blank(row) -> bool:
    return all(cell in (None, "") for cell in row)


def records(rows: list, header: list[str]) -> list[dict]:
    return [dict(zip(header, row)) for row in rows if not blank(row)]


def iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def swedish_date(text: str) -> dt.date | None:
    day, month, year = text.split()
    try:
        return dt.date(int(year), SWEDISH_MONTHS[month], int(day))
    except ValueError:
        return None


def municipality_codes() -> dict[str, str]:
    table = pd.read_csv(REFERENCE_DIR / "municipalities.csv", dtype=str)
    return dict(zip(table.municipality_name, table.municipality_code))


def home_code(text: str, by_name: dict[str, str]) -> str | None:
    """'Karlstad', 'Årjängs kommun', '1737' -> the code; None when not recognised."""
    if re.fullmatch(r"\d{4}", text):
        return text
    name = text.removesuffix(" kommun")
    return by_name.get(name) or by_name.get(name.removesuffix("s"))


def all_forms(workspace: Path) -> pd.DataFrame:
    """Every non-blank row of the three layouts as unit, file, date, home, sex, intent."""
    by_name = municipality_codes()
    rows = []
    for path in intox(workspace, "csk-karlstad"):
        for r in records(read_xlsx(path)[3:], CSK_HEADER):
            rows.append(("csk", path.name, r["Besöksdatum"].date(), home_code(r["Hemkommun"], by_name),
                         {"M": "man", "K": "kvinna"}.get(r["Kön"]), r["Avsikt"], r["Formulär-id"]))
    for path in intox(workspace, "arvika-sjukhus"):
        for r in records(read_csv(path, "cp1252", ";")[1:], ARVIKA_HEADER):
            rows.append(("arvika", path.name, swedish_date(r["Datum"]), home_code(r["Kommun"], by_name),
                         r["Kön"].lower(), r["Avsikt"], r["Ärendenummer"]))
    for path in intox(workspace, "torsby"):
        for r in records(read_csv(path, "utf-8-sig", ",")[1:], TORSBY_HEADER):
            rows.append(("torsby", path.name, iso_date(r["Besöksdatum"]), home_code(r["Kommunkod"], by_name),
                         r["Kön"], r["Avsikt"], r["id"]))
    forms = pd.DataFrame(rows, columns=["unit", "file", "date", "home", "sex", "intent", "case_id"])
    forms["date"] = pd.to_datetime(forms["date"])
    return forms


def normalise(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def sha256_tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --- determinism and files ------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    write_demo_data(tmp_path / "a", END, seed=11)
    write_demo_data(tmp_path / "b", END, seed=11)
    write_demo_data(tmp_path / "c", END, seed=12)
    first, second, other = (sha256_tree(tmp_path / x) for x in "abc")
    assert len({p for p in first if not p.startswith(OTHER_SOURCES)}) == 35  # the others: test_demo_*.py
    assert first == second
    assert first.keys() == other.keys()
    assert first["data/raw/intox/torsby/intox_torsby_2026-10.csv"] != \
        other["data/raw/intox/torsby/intox_torsby_2026-10.csv"]


def test_written_paths_for_october_2026(tmp_path):
    paths = write_demo_data(tmp_path, END)
    relative = {str(p.relative_to(tmp_path)) for p in paths}
    assert len(paths) == len(relative)
    assert len({r for r in relative if not r.startswith(OTHER_SOURCES)}) == 35  # the others: test_demo_*.py
    assert all(p.is_file() for p in paths)
    assert "schemas/intox_coverage.yaml" in relative
    raw = "data/raw/intox/"
    assert {r for r in relative if "csk" in r} == {
        f"{raw}csk-karlstad/intox_csk_{y}.xlsx" for y in (2024, 2025, 2026)}
    assert {r for r in relative if "arvika" in r} == {
        f"{raw}arvika-sjukhus/intox_arvika_{q}.csv"
        for q in ("2025_Q2", "2025_Q3", "2025_Q4", "2026_Q1", "2026_Q2", "2026_Q3", "2026_Q4")}
    months = pd.period_range("2024-11", "2026-10", freq="M")
    assert {r for r in relative if "/torsby/" in r} == {  # not the enkat sunne_torsby form
        f"{raw}torsby/intox_torsby_{m}.csv" for m in months}
    assert sha256_tree(tmp_path).keys() == relative  # nothing else written


def test_bad_end_period_is_refused(tmp_path):
    with pytest.raises(ValueError):
        write_demo_data(tmp_path, "2026-13")
    assert not (tmp_path / "data").exists()


# --- layouts --------------------------------------------------------------------------------

def test_torsby_is_utf8_with_bom_and_commas(workspace):
    for path in intox(workspace, "torsby"):
        data = path.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")
        assert data.count(b"\r") == 0
        rows = read_csv(path, "utf-8-sig", ",")
        assert rows[0] == TORSBY_HEADER
        assert all(len(row) == len(TORSBY_HEADER) for row in rows)
    rows = [r for p in intox(workspace, "torsby") for r in records(read_csv(p, "utf-8-sig", ",")[1:], TORSBY_HEADER)]
    assert {r["Enhet"] for r in rows} == {"Torsby sjukhus"}
    assert {r["Kön"] for r in rows} == {"man", "kvinna"}
    codes = {r["Kommunkod"] for r in rows}
    assert {"1737", "1766", "1783", "1762"} <= codes
    assert all(re.fullmatch(r"\d{4}", c) or c in ("okänd", "Tosby") for c in codes)
    assert any(c.startswith("0") for c in codes)  # outside the county, leading zero kept
    assert sum(bool(re.fullmatch(r"\d{4}-\d\d-\d\d", r["Besöksdatum"])) for r in rows) == len(rows)
    assert any("; " in r["Preparat"] for r in rows)


def test_arvika_is_excel_semicolon_csv_in_cp1252(workspace):
    for path in intox(workspace, "arvika-sjukhus"):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        assert data.count(b"\n") == data.count(b"\r\n") > 1
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the header alone has Ä, Å, ö, å and ä
        rows = read_csv(path, "cp1252", ";")
        assert rows[0] == ARVIKA_HEADER
        assert all(len(row) == len(ARVIKA_HEADER) for row in rows)
    rows = [r for p in intox(workspace, "arvika-sjukhus")
            for r in records(read_csv(p, "cp1252", ";")[1:], ARVIKA_HEADER)]
    assert {r["Åldersgrupp"] for r in rows} == {"0-17", "18-24", "25-44", "45-64", "65+"}
    assert {r["Kön"] for r in rows} == {"Kvinna", "Man"}
    assert {"Arvika kommun", "Eda kommun", "Årjängs kommun"} <= {r["Kommun"] for r in rows}
    assert {r["Orosanmälan"] for r in rows if r["Åldersgrupp"] != "0-17"} == {"Nej"}
    assert "Ja" in {r["Orosanmälan"] for r in rows if r["Åldersgrupp"] == "0-17"}
    assert any(re.fullmatch(r"\d{1,2} [a-z]{3} \d{4}", r["Datum"]) for r in rows)
    assert any(re.fullmatch(r"\d{1,2} (oktober|november|december|januari) \d{4}", r["Datum"]) for r in rows)
    assert any(", " in r["Substanser"] for r in rows)


def test_csk_workbook_has_title_rows_and_real_dates(workspace):
    path = workspace / "data/raw/intox/csk-karlstad/intox_csk_2025.xlsx"
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "INTOX-registrering Centralsjukhuset Karlstad"
    assert all(cell.value is None for cell in sheet[2])
    assert [cell.value for cell in sheet[3]] == CSK_HEADER
    assert sheet["B4"].is_date and isinstance(sheet["B4"].value, dt.datetime)
    rows = records(list(sheet.iter_rows(min_row=4, values_only=True)), CSK_HEADER)
    assert len(rows) > 300
    assert all(isinstance(r["Besöksdatum"], dt.datetime) and r["Besöksdatum"].year == 2025 for r in rows)
    assert all(isinstance(r["Ålder"], int) for r in rows)
    assert {r["Enhet"] for r in rows} == {"Centralsjukhuset Karlstad"}
    assert {r["PSS"] for r in rows} <= {0, 1, 2, 3, 4}
    for label in CSK_HEADER[5:19]:
        assert {r[label] for r in rows} <= {"X", None}
    assert all(any(r[label] == "X" for label in CSK_HEADER[5:19]) for r in rows)
    assert "Karlstad" in {r["Hemkommun"] for r in rows}


def test_csk_workbook_carries_fixed_timestamps(workspace):
    path = workspace / "data/raw/intox/csk-karlstad/intox_csk_2026.xlsx"
    properties = openpyxl.load_workbook(path).properties
    assert properties.created == properties.modified == dt.datetime(2026, 11, 1, 7, 0)
    with zipfile.ZipFile(path) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 1, 7, 0, 0)}


def test_headers_and_answers_are_spelled_as_in_the_contract(forms, contract):
    fields = contract["fields"]
    field_names = {normalise(n) for f in fields.values() for n in [f["label"], *f["aliases"]]}
    substance_names = {normalise(n) for s in contract["codelists"]["substance"].values()
                       for n in [s["label"], *s.get("aliases", [])]}
    for header in (CSK_HEADER, ARVIKA_HEADER, TORSBY_HEADER):
        unknown = [h for h in header if normalise(h) not in field_names | substance_names]
        assert unknown == []
    assert normalise("Ketamin") not in substance_names  # the planted fault must stay unknown

    def answers(codelist: str) -> set[str]:
        return {normalise(n) for c in contract["codelists"][codelist].values()
                for n in [c["label"], *c.get("aliases", [])]}

    intents = set(forms["intent"].dropna().map(normalise))
    assert intents - answers("intent") == {normalise("Okänt syfte")}


# --- content --------------------------------------------------------------------------------

def test_yearly_volume_per_municipality_is_about_30_per_10000(forms):
    population = pd.read_csv(REFERENCE_DIR / "population.csv", dtype={"municipality_code": str})
    population = population[population.year == 2024].set_index("municipality_code")["population"]
    covered_months = {code: 18 if code in ("1784", "1730", "1765") else 24 for code in VARMLAND}
    counts = forms["home"].value_counts()
    rates = {code: counts.get(code, 0) / population[code] * 10_000 * 12 / months
             for code, months in covered_months.items()}
    assert all(10 <= rate <= 60 for rate in rates.values()), rates
    person_years = sum(population[code] * months / 12 for code, months in covered_months.items())
    assert 20 <= sum(counts.get(c, 0) for c in VARMLAND) / person_years * 10_000 <= 40
    assert 15 <= counts["1780"] / 24 <= 30  # Karlstad about 20-25 a month
    outside = forms["home"].notna() & ~forms["home"].isin(VARMLAND)
    assert 0.003 <= outside.mean() <= 0.03


def test_weekends_summer_and_mix_are_realistic(forms):
    forms = forms.dropna(subset=["date"])
    days = pd.date_range("2024-11-01", "2026-10-31")
    per_weekday = forms["date"].dt.day_of_week.value_counts() / days.day_of_week.value_counts()
    assert 1.3 <= per_weekday[[4, 5, 6]].mean() / per_weekday[[0, 1, 2, 3]].mean() <= 2.0
    all_months = forms[forms["unit"] != "arvika"]  # Arvika misses the first February
    per_month = all_months["date"].dt.month.value_counts()
    assert per_month[[6, 7, 8]].mean() > 1.1 * per_month[2]
    assert 0.5 <= (forms["sex"] == "man").mean() <= 0.7
    assert 0.45 <= forms["intent"].isin(["Rus"]).mean() <= 0.65
    self_harm = forms["intent"] == "Självskada"
    assert self_harm[forms["sex"] == "kvinna"].mean() > self_harm[forms["sex"] == "man"].mean()


def test_arvika_reports_only_from_the_seventh_month(forms):
    forms = forms.dropna(subset=["date"])
    arvika = forms[forms["unit"] == "arvika"]
    assert arvika["date"].min() >= pd.Timestamp("2025-05-01")
    assert arvika["date"].min() < pd.Timestamp("2025-06-01")
    for unit in ("csk", "torsby"):
        assert forms.loc[forms["unit"] == unit, "date"].min() < pd.Timestamp("2024-12-01")
    early = forms[forms["date"] < pd.Timestamp("2025-05-01")]
    assert not early["home"].isin(["1784", "1730", "1765"]).any()


def test_case_ids_are_unique_and_rows_sorted_by_date(forms):
    assert not forms.duplicated(["unit", "case_id"]).any()
    assert forms["case_id"].str.fullmatch(r"(CSK-\d{4}-\d{5}|ARV-\d{4}-\d{4}|TOR-\d{4}-\d{4})").all()
    for _, rows in forms.dropna(subset=["date"]).groupby("file"):
        assert rows["date"].is_monotonic_increasing


def test_planted_faults_are_present_once_each(workspace):
    torsby = {p.name: records(read_csv(p, "utf-8-sig", ",")[1:], TORSBY_HEADER)
              for p in intox(workspace, "torsby")}
    arvika = {p.name: records(read_csv(p, "cp1252", ";")[1:], ARVIKA_HEADER)
              for p in intox(workspace, "arvika-sjukhus")}
    csk = {p.name: records(read_xlsx(p)[3:], CSK_HEADER) for p in intox(workspace, "csk-karlstad")}

    def where(files: dict, column: str, match) -> list[str]:
        return [name for name, rows in files.items() for r in rows if match(r[column])]

    assert where(torsby, "Besöksdatum", lambda v: v == "2025-02-30") == ["intox_torsby_2025-02.csv"]
    assert len(where(torsby, "Kommunkod", lambda v: v == "Tosby")) == 1
    assert len(where(torsby, "Preparat", lambda v: "Ketamin" in v)) == 1
    assert where(arvika, "Datum", lambda v: v == "30 februari 2026") == ["intox_arvika_2026_Q1.csv"]
    assert len(where(arvika, "Kommun", lambda v: v == "Arvka kommun")) == 1
    assert len(where(arvika, "Avsikt", lambda v: v == "Okänt syfte")) == 1
    assert len(where(csk, "Ålder", lambda v: v == 130)) == 1
    assert len(where(csk, "Kön", lambda v: v == "X")) == 1
    # Every other cell of those rows is ordinary: e.g. the Tosby row has a real date.
    tosby = [r for rows in torsby.values() for r in rows if r["Kommunkod"] == "Tosby"][0]
    assert iso_date(tosby["Besöksdatum"]) is not None and tosby["Enhet"] == "Torsby sjukhus"


def test_one_blank_row_in_one_csv_and_one_workbook(workspace):
    def blank_rows(rows: list) -> int:
        return sum(blank(row) for row in rows)

    csv_blanks = {p.name: blank_rows(read_csv(p, "cp1252", ";")) for p in intox(workspace, "arvika-sjukhus")}
    csv_blanks |= {p.name: blank_rows(read_csv(p, "utf-8-sig", ",")) for p in intox(workspace, "torsby")}
    xlsx_blanks = {p.name: blank_rows(read_xlsx(p)[3:]) for p in intox(workspace, "csk-karlstad")}
    assert sorted(n for n in csv_blanks.values() if n) == [1]
    assert sorted(n for n in xlsx_blanks.values() if n) == [1]
    raw = (workspace / "data/raw/intox/arvika-sjukhus" / max(csv_blanks, key=csv_blanks.get)).read_bytes()
    assert b"\r\n;;;;;;;;\r\n" in raw  # as Excel saves an empty row


def test_coverage_config_declares_the_three_units(workspace):
    coverage = yaml.safe_load((workspace / "schemas/intox_coverage.yaml").read_text(encoding="utf-8"))
    units = {u["unit"]: u for u in coverage["units"]}
    assert list(units) == ["Centralsjukhuset Karlstad", "Arvika sjukhus", "Torsby sjukhus"]
    assert "csk-karlstad" in units["Centralsjukhuset Karlstad"]["aliases"]
    assert "arvika-sjukhus" in units["Arvika sjukhus"]["aliases"]
    assert "torsby" in units["Torsby sjukhus"]["aliases"]
    assert [u["from"] for u in units.values()] == ["2024-11", "2025-05", "2024-11"]
    codes = [c for u in units.values() for c in u["municipalities"]]
    assert all(isinstance(c, str) for c in codes)
    assert sorted(codes) == sorted(VARMLAND)
    assert units["Arvika sjukhus"]["municipalities"] == ["1784", "1730", "1765"]
