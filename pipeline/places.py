"""Reference data: municipalities, regions, DeSO areas and population, and municipality name resolution."""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import astuple, dataclass
from functools import lru_cache

import pandas as pd

from pipeline.config import REFERENCE_DIR, Workspace

# SCB's DeSO code: the municipality code, A (rural), B (densely populated) or C (urban centre), four digits.
DESO_CODE = re.compile(r"^(\d{4})[ABC]\d{4}$")
DESO_COLUMNS = ["deso_code", "deso_name", "regso_name", "municipality_code", "municipality_name", "year", "population"]
# A workspace's own DeSO table (SCB's national one, in DESO_COLUMNS): its rows add to the project's
# data/reference/deso_dalarna.csv and replace the project's rows of the same DeSO and year.
WORKSPACE_DESO = "data/reference/deso.csv"

# Words that say "not known" or "not a Swedish municipality" in a home-municipality cell.
UNKNOWN_MUNICIPALITY = {
    "okänd", "okänt", "okand", "uppgift saknas", "saknas", "vet ej", "utomlands", "utländsk",
    "utanför sverige", "utanför regionen", "annan", "övrig", "-", "?",
}
# Genitives that are not simply name + "s".
IRREGULAR_GENITIVE = {"falu": "Falun", "region gotland": "Gotland"}
_SUFFIX = re.compile(r"\s+(kommun|stad|kommuns|municipality)$")
# The whole country, as sources write it (Kolada: "0000").
RIKET_WORDS = {"riket", "hela riket", "hela landet", "sverige", "hela sverige", "riket totalt", "0000", "00"}
_CODE_AND_NAME = re.compile(r"^(\d{2,4})\s+(\D.*)$")


def fold(text: object) -> str:
    """Lower case, punctuation to spaces, single spaces; å, ä and ö stay letters of their own.

    Text is composed first (NFC): a Mac may write "å" as "a" plus a combining ring.
    """
    return re.sub(r"[\W_]+", " ", unicodedata.normalize("NFC", str(text)).casefold()).strip()


def map_distinct(values: pd.Series, one, columns: dict[str, object] | None = None) -> pd.Series | pd.DataFrame:
    """`values.map(one)`, calling `one` once per distinct value: columns repeat few values many times,
    and a Python call per cell is what made a national ingest slow. With `columns` (name -> dtype, None
    to infer it), `one` returns a tuple and the result is a frame with one column per item."""
    if not len(values):
        if columns is None:
            return values.map(one)
        return pd.DataFrame({name: pd.Series([], index=values.index, dtype=dtype) for name, dtype in columns.items()})
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    results = [one(value) for value in distinct]

    def spread(items: list, dtype=None) -> pd.Series:
        return pd.Series(items, dtype=dtype).take(codes).set_axis(values.index)

    if columns is None:
        return spread(results)
    return pd.DataFrame(
        {name: spread([result[i] for result in results], dtype) for i, (name, dtype) in enumerate(columns.items())}, index=values.index
    )


def _fold(text: str) -> str:
    """Case and spacing fold that keeps å, ä, ö apart from a, o (Habo is not Håbo); composed first (NFC)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip().casefold()


@lru_cache(maxsize=1)
def municipalities() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "municipalities.csv", dtype=str)


@lru_cache(maxsize=1)
def population() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "population.csv", dtype={"municipality_code": str})


def deso_areas(workspace: Workspace | None = None) -> pd.DataFrame:
    """DeSO areas per year (DESO_COLUMNS): the project's table, with a workspace's WORKSPACE_DESO
    added (its rows win for the same DeSO and year). Codes are text, years and population integers."""
    tables = [_deso_table(REFERENCE_DIR / "deso_dalarna.csv")]
    own = workspace.root / WORKSPACE_DESO if workspace is not None else None
    if own is not None and own.exists():
        tables.append(_deso_table(own))
    table = pd.concat(tables, ignore_index=True).drop_duplicates(["deso_code", "year"], keep="last")
    return table.sort_values(["deso_code", "year"], ignore_index=True)


def _deso_table(path) -> pd.DataFrame:
    """One DeSO table, checked: its columns, its codes' format and that each lies in its municipality."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in DESO_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: DeSO-tabellen saknar kolumnerna {', '.join(missing)} "
                         f"(kolumner som krävs: {', '.join(DESO_COLUMNS)}).")
    table = table[DESO_COLUMNS].apply(lambda column: column.str.strip())
    table["deso_code"] = table["deso_code"].str.upper()
    table["municipality_code"] = table["municipality_code"].str.zfill(4)
    prefix = table["deso_code"].str.extract(DESO_CODE)[0]
    wrong = table[prefix.ne(table["municipality_code"])]
    if len(wrong):
        row = wrong.index[0] + 2  # the header is line 1
        raise ValueError(f"{path.name}, rad {row}: '{wrong.iloc[0]['deso_code']}' är ingen DeSO-kod i kommunen "
                         f"{wrong.iloc[0]['municipality_code']} (fyra siffror för kommunen, A, B eller C och fyra siffror).")
    numbers = table[["year", "population"]].apply(pd.to_numeric, errors="coerce")
    if numbers.isna().any().any():
        row = numbers.index[numbers.isna().any(axis=1)][0] + 2
        raise ValueError(f"{path.name}, rad {row}: år och folkmängd ska vara heltal.")
    table[["year", "population"]] = numbers.astype(int)
    return table


def deso_names(workspace: Workspace | None = None) -> pd.DataFrame:
    """One row per DeSO: its name, RegSO and municipality as the latest year of the table gives them."""
    return deso_areas(workspace).drop_duplicates("deso_code", keep="last").drop(columns=["year", "population"]).reset_index(drop=True)


@dataclass(frozen=True)
class Resolution:
    code: str | None  # 4-digit code; None when unknown or unresolvable
    known_unknown: bool = False  # the cell says "okänd" or similar: a valid answer
    suggestions: tuple[str, ...] = ()


class MunicipalityResolver:
    """Turns a code, an SCB name or "X kommun" (genitive forms included) into a 4-digit code."""

    def __init__(self) -> None:
        table = municipalities()
        self.names = dict(zip(table.municipality_code, table.municipality_name))
        self._by_name = {_fold(name): code for code, name in self.names.items()}
        for stem, name in IRREGULAR_GENITIVE.items():
            self._by_name[stem] = self._by_name[_fold(name)]

    def resolve(self, value: object) -> Resolution:
        text = _fold(value)
        if text in UNKNOWN_MUNICIPALITY:
            return Resolution(None, known_unknown=True)
        digits = re.sub(r"\.0$", "", text)  # 1737.0 from a numeric spreadsheet cell
        if digits.isdigit() and len(digits) in (3, 4):
            code = digits.zfill(4)  # Excel drops the leading zero of 0114
            return Resolution(code if code in self.names else None)
        code = self._by_name.get(text)
        if code is None:
            stem = _SUFFIX.sub("", text)
            code = self._by_name.get(stem)
            if code is None and stem.endswith("s"):
                code = self._by_name.get(stem[:-1])
        if code is not None:
            return Resolution(code)
        close = difflib.get_close_matches(_SUFFIX.sub("", text), list(self._by_name), n=3, cutoff=0.6)
        return Resolution(None, suggestions=tuple(dict.fromkeys(self.names[self._by_name[c]] for c in close)))

    def resolve_series(self, values: pd.Series) -> pd.DataFrame:
        """Resolve a column, each distinct value once: columns code, known_unknown, suggestions."""
        return map_distinct(values, lambda value: astuple(self.resolve(value)), dict.fromkeys(["code", "known_unknown", "suggestions"]))


@lru_cache(maxsize=1)
def resolver() -> MunicipalityResolver:
    return MunicipalityResolver()


def region_members(workspace: Workspace) -> pd.DataFrame:
    """Every region with its member municipalities: counties, the country and configured cooperations."""
    table = municipalities()
    counties = pd.DataFrame(
        {
            "area_type": "lan",
            "area_code": "lan-" + table.county_code,
            "area_name": table.county_name,
            "municipality_code": table.municipality_code,
        }
    )
    country = pd.DataFrame(
        {"area_type": "riket", "area_code": "riket", "area_name": "Riket", "municipality_code": table.municipality_code}
    )
    configured = [
        {"area_type": "region", "area_code": region_id, "area_name": spec["name"], "municipality_code": str(code).zfill(4)}
        for region_id, spec in (workspace.load_yaml("regions.yaml").get("regions") or {}).items()
        for code in spec["municipalities"]
    ]
    members = pd.concat([counties, country, pd.DataFrame(configured)], ignore_index=True)
    unknown = set(members.municipality_code) - set(table.municipality_code)
    if unknown:
        raise ValueError(f"regions.yaml: okända kommunkoder {sorted(unknown)}")
    return members


def area_names(workspace: Workspace) -> pd.DataFrame:
    table = municipalities()
    kommun = pd.DataFrame({"area_type": "kommun", "area_code": table.municipality_code, "area_name": table.municipality_name})
    regions = region_members(workspace)[["area_type", "area_code", "area_name"]].drop_duplicates()
    return pd.concat([kommun, regions], ignore_index=True)


def mean_population(first_year: int, last_year: int) -> pd.DataFrame:
    """Mean population per municipality and year, (31 Dec previous year + 31 Dec this year) / 2.

    Years missing from SCB's table are estimated: linearly between the nearest known years, or
    carried from the latest (earliest) known year outside them. `basis` says in Swedish which
    population was used, so a report can state it.
    """
    wide = population().pivot(index="municipality_code", columns="year", values="population").astype(float)
    known = sorted(int(year) for year in wide.columns)
    year_end = {year: _year_end(wide, known, year) for year in range(first_year - 1, last_year + 1)}
    frames = []
    for year in range(first_year, last_year + 1):
        (previous, previous_note), (current, current_note) = year_end[year - 1], year_end[year]
        if previous_note is None and current_note is None:
            basis = f"medelfolkmängd {year}"
        elif previous_note and current_note and " = " in previous_note and previous_note.split(" = ")[1] == current_note.split(" = ")[-1]:
            # both year-ends carried from the same known year: say so plainly
            basis = f"{current_note.split(' = ')[1]} ({year - 1} och {year} saknas)"
        else:
            basis = f"skattad medelfolkmängd {year} ({'; '.join(n for n in (previous_note, current_note) if n)})"
        frames.append(
            pd.DataFrame(
                {
                    "municipality_code": wide.index,
                    "year": year,
                    "population": ((previous + current) / 2).round(1).to_numpy(),
                    "basis": basis,
                    "estimated": not (previous_note is None and current_note is None),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _year_end(wide: pd.DataFrame, known: list[int], year: int) -> tuple[pd.Series, str | None]:
    """Population on 31 December of `year`, and a note when it is an estimate."""
    if year in known:
        return wide[year], None
    before = [y for y in known if y < year]
    after = [y for y in known if y > year]
    if before and after:
        low, high = before[-1], after[0]
        weight = (year - low) / (high - low)
        return wide[low] + (wide[high] - wide[low]) * weight, f"31 december {year} interpolerad mellan {low} och {high}"
    nearest = before[-1] if before else after[0]
    latest = ", senast tillgängliga" if before else ", tidigast tillgängliga"
    return wide[nearest], f"31 december {year} saknas = folkmängd 31 december {nearest}{latest}"


# --- areas: a municipality, a county, the country or a cooperation ------------------------------


@lru_cache(maxsize=1)
def _county_lookup() -> dict[str, str]:
    """Folded county names and codes -> 'lan-XX' ("Dalarnas län", "Dalarna", "lan-20", "20", "0020")."""
    table = municipalities()
    municipality_names = {fold(name) for name in table.municipality_name}
    lookup = {}
    for code, name in table[["county_code", "county_name"]].drop_duplicates().itertuples(index=False):
        area = f"lan-{code}"
        stem = re.sub(r"s? län$", "", name)
        texts = [name, f"{stem} län", f"lan-{code}", f"län {code}", f"län-{code}", f"{code} {name}", code, f"00{code}", f"region {stem}"]
        if fold(stem) not in municipality_names:  # "Dalarna", but "Uppsala" is the municipality
            texts.append(stem)
        for text in texts:
            lookup[fold(text)] = area
    return lookup


def region_lookup(workspace: Workspace | None) -> dict[str, tuple[str, str]]:
    """Folded id or name of every region -> (area type, area code): the counties ("lan-17",
    "län 17", "17", "Värmlands län", "Värmland"), the country ("riket", "Sverige", "Hela landet")
    and, with a workspace, the cooperations of its regions.yaml ("sutohamu", "SuToHaMu")."""
    lookup = {fold(word): ("riket", "riket") for word in RIKET_WORDS}
    lookup |= {text: ("lan", code) for text, code in _county_lookup().items()}
    configured = (workspace.load_yaml("regions.yaml").get("regions") or {}) if workspace is not None else {}
    for region_id, spec in configured.items():
        for text in (region_id, spec.get("name", region_id)):
            lookup.setdefault(fold(text), ("region", region_id))
    return lookup


def resolve_area(text: object, regions: dict[str, tuple[str, str]] | None = None) -> tuple[str | None, str | None, tuple[str, ...]]:
    """A cell naming an area -> (area type, area code, suggestions).

    A municipality by code or name ("1766", "766", "Sunne", "Sunne kommun", "1766 Sunne") comes
    first (no municipality code starts 00); then, from `regions` (region_lookup), a county (also as
    Kolada's "0020"), the country or a cooperation. Unknown: (None, None, the municipalities it may have meant).
    """
    regions = region_lookup(None) if regions is None else regions
    folded = fold(text)
    if not folded:
        return None, None, ()
    found = resolver().resolve(text)
    if found.code:
        return "kommun", found.code, ()
    if folded in regions:
        return (*regions[folded], ())
    if match := _CODE_AND_NAME.match(str(text).strip()):  # "1766 Sunne", "20 Dalarnas län"
        kind, code, _ = resolve_area(match.group(1), regions)
        if code:
            return kind, code, ()
    return None, None, found.suggestions
