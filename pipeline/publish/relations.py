"""The linear relations a reader knows between the published counts of INTOX's indicators.

A count cell is one count of the indicator table: (count_id, area, period, dimension, category).
A rate or a share is not a cell of its own: it rests on its count (and a share on its total).
A relation is a set of signed cells whose sum is zero, and a reader knows every one of them:

    uppdelning      a breakdown's categories add up to its total
    delar           a finer breakdown's categories add up to their parent category of a coarser one
                    (DeSO areas to their RegSO, crime categories to their main category)
    region          a region is the sum of its covered members (the members with a row); the country
                    is the sum of its counties
    överlapp        two overlapping regions differ by their members outside the overlap
    rullande        rolling 12 months is the sum of its twelve months
    period          a quarter, tertial, half-year or year is the sum of its months
    inbäddad        a period minus the one it holds is the month or two between them: T1 - Q1 = April,
                    T3 - Q4 = September, H1 - T1 = May + June, H2 - T3 = July + August
    perioder i rullande
                    the rolling 12 months ending in a period's last month are the periods of those months:
                    a year is the window ending in December, three tertials the one ending in April
    föregående år   the same month last year is that month
    differens       two consecutive rolling windows differ by month(P) - month(P - 12)

överlapp, differens, inbäddad and perioder i rullande follow from the others; they are listed because a check of one
relation at a time (the first pass of the suppression) needs them. Suppression uses the relations to pick
partners, the audit to bound every hidden count.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

PERIOD_MONTHS = {"quarter": 3, "tertial": 4, "half": 6, "year": 12}  # the calendar periods of pipeline/periods.py
# (outer period, the period it holds, the months between them as months after January): the nested
# pairs that differ by one or two months, which a reader subtracts first
NESTED = [("tertial", "T1", "quarter", "Q1", (3,)), ("tertial", "T3", "quarter", "Q4", (8,)),
          ("half", "H1", "tertial", "T1", (4, 5)), ("half", "H2", "tertial", "T3", (6, 7))]
CELL_KEY = ["count_id", "area_type", "area_code", "period", "dimension", "category"]
KINDS = {
    "uppdelning": "uppdelningen summerar till totalen",
    "delar": "delarna summerar till sin överordnade kategori eller sitt överordnade område",
    "region": "regionen är summan av sina kommuner",
    "överlapp": "två överlappande regioner skiljer sig med kommunerna utanför överlappet",
    "rullande": "rullande 12 månader är summan av sina månader",
    "period": "kvartalet, tertialet, halvåret eller året är summan av sina månader",
    "inbäddad": "en period minus en kortare period inom den är månaderna mellan dem",
    "perioder i rullande": "rullande 12 månader till och med en periods sista månad är periodens och de föregående periodernas summa",
    "föregående år": "samma månad föregående år är den månaden",
    "differens": "två på varandra följande rullande 12-månadersfönster",
}


def count_cells(rows: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """The count cells among indicator rows (a row whose indicator is its own count), one row each."""
    own = set(catalogue.loc[catalogue.indicator_id == catalogue.count_id, "indicator_id"])
    cells = rows[rows.indicator_id.isin(own)].rename(columns={"indicator_id": "count_id"})
    return cells.reset_index(drop=True)


def relations(cells: pd.DataFrame, catalogue: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Every relation between the cells, as rows (relation, cell, sign, kind); cell = row of `cells`."""
    parent = cells["category_parent"].astype(object).fillna("") if "category_parent" in cells else ""
    cells = cells[CELL_KEY + ["areas_covered"]].assign(cell=np.arange(len(cells)), month=_month_index(cells.period), parent=parent)
    parts: list[pd.DataFrame] = []

    def add(kind: str, name: str, frame: pd.DataFrame, owner: str = "owner") -> None:
        """frame: (owner, cell, sign); one relation per kind, name and owner (a total owns one relation per
        breakdown, named by the breakdown), so a relation's number does not depend on the other sources' cells."""
        if not frame.empty:
            parts.append(pd.DataFrame({"kind": kind, "name": name, "owner": frame[owner].to_numpy(np.int64),
                                       "cell": frame.cell.to_numpy(), "sign": frame.sign.to_numpy()}))

    place = ["area_type", "area_code", "period"]
    for row in catalogue[catalogue.partition_of.ne("")].itertuples():
        categories = cells[cells.count_id == row.count_id]
        totals = cells[(cells.count_id == row.partition_of) & cells.dimension.eq("")][place + ["cell"]]
        linked = categories[place + ["cell"]].merge(totals.rename(columns={"cell": "owner"}), on=place)
        add("uppdelning", row.count_id, pd.concat([linked.assign(sign=-1), _owners(linked)]))
    rolls_up = catalogue.get("rolls_up_to", pd.Series("", index=catalogue.index)).fillna("")
    for row in catalogue[rolls_up.ne("") & catalogue.indicator_id.eq(catalogue.count_id)].itertuples():
        children = cells[(cells.count_id == row.count_id) & cells.parent.ne("")][place + ["parent", "cell"]]
        parents = cells[cells.count_id == row.rolls_up_to][place + ["category", "cell"]]
        linked = children.merge(parents.rename(columns={"category": "parent", "cell": "owner"}), on=place + ["parent"])
        add("delar", row.count_id, pd.concat([linked.assign(sign=-1), _owners(linked)]))

    kommun = cells[cells.area_type == "kommun"]
    regional = cells[cells.area_type != "kommun"]
    same = ["count_id", "period", "dimension", "category"]
    sets = members.groupby("area_code").municipality_code.agg(frozenset)
    sums = _parts(sets)
    owners = regional[same + ["area_code", "cell"]].rename(columns={"cell": "owner"}).merge(sums, on="area_code")
    linked = pd.concat([
        owners.merge(kommun[same + ["area_code", "cell"]].rename(columns={"area_code": "part"}), on=same + ["part"]),
        owners.merge(regional[same + ["area_code", "cell"]].rename(columns={"area_code": "part"}), on=same + ["part"]),
    ])
    add("region", "", pd.concat([linked.assign(sign=-1), _owners(linked)]))

    # A - B = members(A - B) - members(B - A) for two regions that share members (not for a region that is
    # the sum of others: its overlaps follow from theirs, and the country's would list every municipality)
    present = sorted(set(regional.area_code) & set(sets.index))
    for i, first in enumerate(present):
        for second in present[i + 1:]:
            if not sets[first] & sets[second] or sums[sums.area_code.isin([first, second])].part.isin(sets.index).any():
                continue
            a = regional[regional.area_code == first][same + ["cell"]]
            b = regional[regional.area_code == second][same + ["cell"]].rename(columns={"cell": "other"})
            pair = a.merge(b, on=same).rename(columns={"cell": "owner"})
            if pair.empty:
                continue
            only_a = kommun[kommun.area_code.isin(sets[first] - sets[second])][same + ["cell"]].merge(pair[same + ["owner"]])
            only_b = kommun[kommun.area_code.isin(sets[second] - sets[first])][same + ["cell"]].merge(pair[same + ["owner"]])
            add("överlapp", f"{first}|{second}", pd.concat([
                pair.assign(cell=pair.owner, sign=1), pair.assign(cell=pair.other, sign=-1),
                only_a.assign(sign=-1), only_b.assign(sign=1),
            ]), owner="owner")

    series = ["area_type", "area_code", "dimension", "category", "areas_covered"]
    for row in catalogue[catalogue.window_name.isin(["r12", "ly"]) & catalogue.indicator_id.eq(catalogue.count_id)].itertuples():
        base = cells[cells.count_id == row.base_id][series + ["month", "cell"]]
        window = cells[cells.count_id == row.count_id][series + ["month", "cell"]].rename(columns={"cell": "owner"})
        offsets = list(range(12)) if row.window_name == "r12" else [12]
        wanted = window.merge(pd.DataFrame({"offset": offsets}), how="cross")
        wanted["month"] -= wanted.offset
        linked = wanted.merge(base, on=series + ["month"])
        complete = linked.groupby("owner").cell.transform("size").eq(len(offsets))  # every month of the window is published
        linked = linked[complete]
        add("rullande" if row.window_name == "r12" else "föregående år", row.count_id, pd.concat([linked.assign(sign=-1), _owners(linked)]))
        if row.window_name == "r12":
            add("differens", row.count_id, _differences(window, base, series))
    for row in catalogue[catalogue.window_name.isin(PERIOD_MONTHS) & catalogue.indicator_id.eq(catalogue.count_id)].itertuples():
        length = PERIOD_MONTHS[row.window_name]
        base = cells[cells.count_id == row.base_id][series + ["month", "cell"]]
        window = cells[cells.count_id == row.count_id]
        window = window[series].assign(owner=window.cell, month=_first_month_index(window.period, length))
        wanted = window.merge(pd.DataFrame({"offset": range(length)}), how="cross")
        wanted["month"] += wanted.offset
        linked = wanted.merge(base, on=series + ["month"])
        linked = linked[linked.groupby("owner").cell.transform("size").eq(length)]  # every month of the period is published
        add("period", row.count_id, pd.concat([linked.assign(sign=-1), _owners(linked)]))
    own = set(catalogue.loc[catalogue.indicator_id.eq(catalogue.count_id), "indicator_id"])
    for base in catalogue.loc[catalogue.window_name.eq("month"), "indicator_id"]:
        for outer, outer_no, inner, inner_no, between in NESTED:
            if not {f"{base}_{outer}", f"{base}_{inner}", base} <= own:
                continue
            outside = cells[(cells.count_id == f"{base}_{outer}") & cells.period.str.endswith(outer_no)]
            outside = outside[series].assign(owner=outside.cell, year=outside.period.str[:4])
            inside = cells[(cells.count_id == f"{base}_{inner}") & cells.period.str.endswith(inner_no)]
            pairs = outside.merge(inside[series + ["cell"]].assign(year=inside.period.str[:4]), on=series + ["year"])
            months = cells[cells.count_id == base][series + ["month", "cell"]]
            wanted = pairs[series + ["owner", "year"]].merge(pd.DataFrame({"offset": between}), how="cross")
            wanted["month"] = wanted.year.astype(int) * 12 + wanted.offset
            gaps = wanted.merge(months, on=series + ["month"])
            gaps = gaps[gaps.groupby("owner").cell.transform("size").eq(len(between))]
            pairs = pairs[pairs.owner.isin(gaps.owner)]
            add("inbäddad", f"{base}|{outer_no}", pd.concat([pairs.assign(sign=-1), gaps.assign(sign=-1), _owners(pairs)]))
        if f"{base}_r12" not in own:
            continue
        rolling = cells[cells.count_id == f"{base}_r12"]
        rolling = rolling[series + ["month"]].assign(owner=rolling.cell)
        for name, length in PERIOD_MONTHS.items():
            periods = cells[cells.count_id == f"{base}_{name}"]
            ends = periods[series + ["cell"]].assign(month=_first_month_index(periods.period, length) + length - 1)
            # the window ending in a period's last month holds that period and the ones before it in the 12 months
            wanted = rolling.merge(pd.DataFrame({"offset": range(0, 12, length)}), how="cross")
            wanted["month"] -= wanted.offset
            linked = wanted.merge(ends, on=series + ["month"])
            linked = linked[linked.groupby("owner").cell.transform("size").eq(12 // length)]
            add("perioder i rullande", f"{base}|{name}", pd.concat([linked.assign(sign=-1), _owners(linked)]))
    if not parts:
        return pd.DataFrame({"relation": pd.Series(dtype=np.int64), "cell": pd.Series(dtype=np.int64),
                             "sign": pd.Series(dtype=np.int64), "kind": pd.Series(dtype=str)})
    frame = pd.concat(parts, ignore_index=True)
    frame["relation"] = frame.groupby(["kind", "name", "owner"], sort=True).ngroup().astype(np.int64)
    return frame[["relation", "cell", "sign", "kind"]]


def _parts(sets: pd.Series) -> pd.DataFrame:
    """(area_code, part): what each region is the sum of. A region whose members other regions split
    exactly (the country: its counties) is the sum of those regions, any other the sum of its
    municipalities. Both say the same, since each of those regions is the sum of its own municipalities,
    but a country's row over all 290 municipalities would tie every county's hidden counts into one
    system for the proof, where the counties' rows keep them apart."""
    frames = []
    for area, own in sets.items():
        smaller = sorted((code for code in sets.index if sets[code] < own), key=lambda code: (-len(sets[code]), code))
        chosen, covered = [], frozenset()
        for code in smaller:
            if not sets[code] & covered:
                chosen.append(code)
                covered |= sets[code]
        frames.append(pd.DataFrame({"area_code": area, "part": chosen if covered == own else sorted(own)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["area_code", "part"])


def _owners(linked: pd.DataFrame) -> pd.DataFrame:
    """The owner of each relation as a cell of it, with sign +1."""
    owners = linked[["owner"]].drop_duplicates()
    return owners.assign(cell=owners.owner, sign=1)


def _differences(window: pd.DataFrame, base: pd.DataFrame, series: list[str]) -> pd.DataFrame:
    """r12(P) - r12(P-1) - month(P) + month(P-12) = 0."""
    joined = window
    for name, frame, shift in (("previous", window.rename(columns={"owner": "cell"}), 1), ("now", base, 0), ("year_before", base, 12)):
        other = frame.rename(columns={"cell": name})
        joined = joined.merge(other.assign(month=other.month + shift), on=series + ["month"])
    signs = {"owner": 1, "previous": -1, "now": -1, "year_before": 1}
    return pd.concat([joined[["owner"]].assign(cell=joined[column].to_numpy(), sign=sign) for column, sign in signs.items()])


def _month_index(period: pd.Series) -> pd.Series:
    """Months since year 0 of a month's cells; NaN for the cells of a quarter, tertial, half-year or year."""
    return period.str[:4].astype(int) * 12 + pd.to_numeric(period.str[5:7], errors="coerce") - 1


def _first_month_index(period: pd.Series, length: int) -> pd.Series:
    """The first month of each period of `length` months ('2026-T2', '2026'), as _month_index counts."""
    number = pd.to_numeric(period.str[-1].where(period.str.len() > 4, "1"))
    return period.str[:4].astype(int) * 12 + (number - 1) * length
