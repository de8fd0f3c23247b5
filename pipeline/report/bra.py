"""Brå's "Indikatorer för kommuners lägesbild" in the reports: NTU values with their intervals, reported crimes.

The view-model of the official statistics' section on safety and crime: `indicators` for a municipality,
`members` for a region; templates notebooks/template/sections/bra/<function>.html.j2. Built from the
snapshot's `statistik` table, which Snapshot.load narrows to the report's area, its members, the regions
that hold it and the country.

An NTU value (Nationella trygghetsundersökningen: `survey` 'NTU') is shown as Brå gives it, with its 95 %
confidence interval: "18 % (14–22)". A change between two years is called real (säkerställd) only when the
two years' intervals do not overlap (RULE, which the report states). A region has an NTU value only where
Brå gives one (a county, the country): its members' values are listed beside each other, never pooled.
"""
from __future__ import annotations

import pandas as pd

from pipeline.periods import kind
from pipeline.places import resolver
from pipeline.report.followup import rate_text
from pipeline.report.formats import MISSING, capitalised, join, number, swedish_order, table
from pipeline.report.snapshot import Snapshot

HEADING = "Trygghet och brott enligt Brå"
NTU_HEADING = "Trygghet och utsatthet enligt NTU"  # where the section shows NTU alone
NTU = "NTU"
RULE = ("En förändring mellan två år kallas säkerställd bara när de två årens 95-procentiga konfidensintervall inte överlappar. "
        "Överlappar de kan skillnaden bero på slumpen i vilka som svarade, och förändringen räknas inte som verklig.")
NO_INTERVAL = "kan inte bedömas, konfidensintervall saknas"
MANY = 10  # a region report names at most this many members without NTU values; more are counted


# --- the interval rule and its formats ------------------------------------------------------------


def overlap(first: tuple[float, float], second: tuple[float, float]) -> bool:
    """Whether two confidence intervals (low, high) share a point; touching intervals overlap."""
    return first[0] <= second[1] and second[0] <= first[1]


def change(earlier, later) -> str:
    """The change between two years' NTU values (rows with value_given, ci_low, ci_high), by RULE."""
    bounds = [earlier.ci_low, earlier.ci_high, later.ci_low, later.ci_high]
    if any(pd.isna(b) for b in bounds) or pd.isna(earlier.value_given) or pd.isna(later.value_given):
        return NO_INTERVAL
    if overlap((earlier.ci_low, earlier.ci_high), (later.ci_low, later.ci_high)):
        return "ingen säkerställd förändring"
    return "säkerställd ökning" if later.value_given > earlier.value_given else "säkerställd minskning"


def is_share(unit) -> bool:
    text = str(unit or "").lower()
    return "%" in text or "procent" in text or text.startswith("andel")


def decimals_of(rows: pd.DataFrame) -> int:
    """The catalogue's decimals, or one when Brå gives a value or bound with decimals (shown as given)."""
    given = pd.concat([rows.value_given, rows.ci_low, rows.ci_high]).dropna()
    catalogue = 0 if rows.decimals.isna().all() else int(rows.decimals.max())
    return max(catalogue, 1 if ((given.round(0) - given).abs() > 1e-9).any() else 0)


def with_interval(row, unit, decimals: int) -> str:
    """'18 % (14–22)' for a share, '412 (390–430)' otherwise; without a known interval the value alone."""
    if row is None or pd.isna(row.value_given):
        return MISSING
    value = number(row.value_given, decimals) + ("\u00a0%" if is_share(unit) else "")
    if pd.isna(row.ci_low) or pd.isna(row.ci_high):
        return value
    return f"{value} ({number(row.ci_low, decimals)}–{number(row.ci_high, decimals)})"


# --- areas ---------------------------------------------------------------------------------------


def _county(snap: Snapshot, area: str) -> str | None:
    """The county a municipality lies in, or that holds every member of a region; None for a county itself."""
    counties = snap.members[snap.members.area_type == "lan"]
    if area in set(counties.area_code) or area == "riket":
        return None
    inside = set(snap.member_codes(area)) or {area}
    found = [code for code, codes in counties.groupby("area_code").municipality_code if inside <= set(codes)]
    return found[0] if found else None


def _statistics(snap: Snapshot) -> pd.DataFrame:
    """The snapshot's official statistics; a table made before Brå's workbooks were read has no NTU columns."""
    statistics = snap.followup_table("statistik")
    return statistics.assign(**{column: None for column in ("survey", "ci_low", "ci_high") if column not in statistics})


def _row(rows: pd.DataFrame, area: str, period: str):
    found = rows[(rows.area_code == area) & (rows.period == period)]
    return None if found.empty else next(found.itertuples(index=False))


def _name(snap: Snapshot, code: str) -> str:
    """An area as Brå names it ("Hela landet"); a member without data of its own by the municipalities' register."""
    if code == "riket":
        return "Hela landet"
    name = snap.area_name(code)
    return resolver().names.get(code, name) if name == code else name


def _names(names: list[str]) -> str:
    """The areas inside a sentence: 'Sunne, Värmlands län och hela landet'."""
    return join("hela landet" if name == "Hela landet" else name for name in names)


def _title(rows: pd.DataFrame) -> str:
    return str(rows.title.iloc[0])


def _unit_text(unit) -> str:
    return "andel i procent" if is_share(unit) else str(unit or "värde").lower()


# --- a municipality ------------------------------------------------------------------------------


def indicators(snap: Snapshot) -> dict:
    """A municipality's NTU values beside its county and the country, latest year first in an overview
    and then year by year; outside the year's lägesbild also Brå's reported crimes beside them."""
    area, name = snap.area_code, snap.area_name(snap.area_code)
    statistics = _statistics(snap)
    county = _county(snap, area)
    areas = [code for code in (area, county, "riket") if code]
    names = [_name(snap, code) for code in areas]
    ntu = statistics[(statistics.survey == NTU) & statistics.area_code.isin(areas)]
    shares, others = [], []  # the indicators the municipality has: shares with intervals, other figures (respondents)
    for _, rows in ntu.groupby("indicator_id", sort=False):
        if (rows.area_code == area).any():
            (shares if is_share(rows.unit.iloc[0]) else others).append(rows)
    # the year's lägesbild shows reported crimes beside the county and the country in its own tables (law.py)
    year_report = kind(snap.period) == "year"
    return {
        "heading": NTU_HEADING if year_report else HEADING, "name": name, "rule": RULE,
        "ntu": bool(shares or others),
        "overview": _overview(shares, areas, names, name) if shares else None,
        "series": [_series(rows, areas, names, name) for rows in shares],
        "others": _others(others, areas, names) if others else None,
        "crimes": None if year_report else _crimes(statistics, areas, names, name),
    }


def _latest(rows: pd.DataFrame, area: str) -> tuple[str | None, str | None]:
    """The area's latest year with a value and the year before it that has one."""
    years = sorted(rows.loc[(rows.area_code == area) & rows.value_given.notna(), "period"])
    return (years[-1] if years else None), (years[-2] if len(years) > 1 else None)


def _overview(shares: list, areas: list[str], names: list[str], name: str) -> dict:
    body, years = [], set()
    for rows in shares:
        latest, before = _latest(rows, areas[0])
        years.add(latest)
        unit, decimals = rows.unit.iloc[0], decimals_of(rows)
        cells = [with_interval(_row(rows, code, latest), unit, decimals) for code in areas]
        changed = f"{before}–{latest}: {change(_row(rows, areas[0], before), _row(rows, areas[0], latest))}" if before else "inget tidigare år"
        body.append([{"text": _title(rows), "note": str(latest)}, *cells, changed])
    year = join(sorted(years))
    columns = ["Indikator", *names, f"Förändring i {name} från året före"]
    return table(f"Trygghet och utsatthet enligt NTU {year}: {_names(names)}, andel i procent med 95 % konfidensintervall",
                 columns, body, numeric=range(1, len(names) + 1))


def _series(rows: pd.DataFrame, areas: list[str], names: list[str], name: str) -> dict:
    """One NTU indicator year by year, with the change from the year before and over the whole span."""
    unit, decimals = rows.unit.iloc[0], decimals_of(rows)
    years = sorted(set(rows.loc[rows.area_code == areas[0], "period"]))
    body, previous = [], None
    for year in years:
        own = _row(rows, areas[0], year)
        body.append([year, *[with_interval(_row(rows, code, year), unit, decimals) for code in areas],
                     change(previous, own) if previous is not None else "–"])
        previous = own
    first, last = years[0], years[-1]
    span = (f"Från {first} till {last}: {change(_row(rows, areas[0], first), _row(rows, areas[0], last))} i {name}."
            if first != last else f"Bara {first} finns för {name}.")
    title = _title(rows)
    return {
        "title": title,
        "table": table(f"{title}, {_names(names)} {first}–{last}: {_unit_text(unit)} med 95 % konfidensintervall",
                       ["År", *names, f"Förändring i {name} från året före"], body, numeric=range(1, len(names) + 1)),
        "span": span,
    }


def _others(others: list, areas: list[str], names: list[str]) -> dict:
    """NTU figures that are no shares (the number of respondents), latest year."""
    body = []
    for rows in others:
        latest, _ = _latest(rows, areas[0])
        decimals = decimals_of(rows)
        body.append([_title(rows), latest, *[with_interval(_row(rows, code, latest), rows.unit.iloc[0], decimals) for code in areas]])
    return table(f"Övriga uppgifter ur NTU för {_names(names)}", ["Uppgift", "År", *names], body, numeric=range(2, len(names) + 2))


def _crimes(statistics: pd.DataFrame, areas: list[str], names: list[str], name: str) -> dict | None:
    """Reported crimes, each indicator's latest year: the municipality's count and rate beside its county and the country."""
    crimes = statistics[(statistics.survey != NTU) & statistics.area_code.isin(areas)]
    own = crimes[(crimes.area_code == areas[0]) & (crimes["count"].notna() | crimes.rate_per_100k.notna() | crimes.value_given.notna())]
    if own.empty:
        return None
    body = []
    for indicator_id, rows in own.groupby("indicator_id", sort=False):
        latest = rows.period.max()
        mine = crimes[(crimes.indicator_id == indicator_id) & (crimes.period == latest)]
        cells = [rate_text(_row(mine, code, latest)) if _row(mine, code, latest) is not None else MISSING for code in areas]
        count = _row(mine, areas[0], latest).count
        body.append([{"text": _title(rows), "note": latest}, number(count) if pd.notna(count) else MISSING, *cells])
    body.sort(key=lambda cells: swedish_order(cells[0]["text"]))
    columns = ["Brottstyp", f"Antal i {name}", *[f"{capitalised(n)}, per 100 000 invånare" for n in names]]
    return table(f"Anmälda brott, senaste år: antal i {name} och per 100 000 invånare i {_names(names)}", columns, body,
                 numeric=range(1, len(columns)))


# --- a region ------------------------------------------------------------------------------------


def members(snap: Snapshot) -> dict:
    """A region's members' NTU values beside each other (never pooled), with the county's and the country's as Brå gives them."""
    area, name = snap.area_code, snap.area_name(snap.area_code)
    codes = sorted(snap.member_codes(area), key=lambda code: swedish_order(_name(snap, code)))
    statistics = _statistics(snap)
    county = _county(snap, area)
    references = list(dict.fromkeys(code for code in (area, county, "riket") if code))  # Brå's own values, where it gives them
    ntu = statistics[(statistics.survey == NTU) & statistics.area_code.isin(codes + references)]
    tables, missing = [], []
    for _, rows in ntu.groupby("indicator_id", sort=False):
        if not is_share(rows.unit.iloc[0]) or rows[rows.area_code.isin(codes)].empty:
            continue
        latest = rows.loc[rows.area_code.isin(codes) & rows.value_given.notna(), "period"].max()
        before = str(int(latest) - 1)
        unit, decimals = rows.unit.iloc[0], decimals_of(rows)
        body = []
        for code in codes + [c for c in references if _row(rows, c, latest) is not None]:
            now, earlier = _row(rows, code, latest), _row(rows, code, before)
            if now is None:
                missing.append(_name(snap, code))
                continue
            body.append([_area_label(snap, code, area, codes), with_interval(now, unit, decimals),
                         MISSING if earlier is None else change(earlier, now)])
        title = _title(rows)
        tables.append({"title": title, "table": table(
            f"{title} {latest}: kommunerna i {name}, {_unit_text(unit)} med 95 % konfidensintervall",
            ["Område", latest, f"Förändring från {before}"], body, numeric={1})})
    missing = sorted(set(missing), key=swedish_order)
    return {"heading": NTU_HEADING, "name": name, "rule": RULE, "tables": tables, "own": area in set(ntu.area_code),
            "missing": join(missing) if len(missing) <= MANY else f"{number(len(missing))} av områdets {number(len(codes))} kommuner"}


def _area_label(snap: Snapshot, code: str, area: str, inside: list[str]) -> str:
    """A member by its name; the region's own value (a county's) and the comparisons marked as such."""
    if code in inside:
        return _name(snap, code)
    return f"{_name(snap, code)} ({'Brås värde för hela området' if code == area else 'som jämförelse'})"
