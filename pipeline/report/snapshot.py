"""The one reader of a published snapshot, data/processed/<period>/, for the reports.

Everything a report shows comes from here: the suppressed, aggregated snapshot, never a staging row.
Snapshot.load narrows the tables to one report's area, the regions that contain it and its members.
The snapshot says which areas have data from which source (areas.parquet) and its suppression
threshold (snapshot.json); a snapshot written before those files existed is read as well.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.periods import round_begun
from pipeline.sources import SOURCES

DEFAULT_THRESHOLD = 5
AREA_COLUMNS = ["area_type", "area_code", "area_name", "source"]
AREA_TYPES = ("kommun", "lan", "region", "riket")

# The questionnaire tables of a snapshot and their columns: a snapshot without them reads as empty tables.
ENKAT_TABLES = {
    "enkat_answers": ["municipality_code", "round", "sector", "sector_label", "sector_order", "area_id", "area_title", "area_order",
                      "question_id", "question_text", "question_order", "presence", "presence_label", "presence_value",
                      "trend", "trend_label", "trend_value"],
    "enkat_values": ["municipality_code", "round", "area_id", "question_id", "answered", "sectors", "positioned", "presence_index",
                     "share_some_or_more", "share_dont_know", "trend_answered", "share_increased", "share_decreased",
                     "share_trend_dont_know", "spread", "samsyn_gap", "previous_round", "previous_index", "index_change",
                     "share_some_or_more_change", "area_title", "area_order", "question_text", "question_order"],
    "enkat_distribution": ["municipality_code", "round", "area_id", "question_id", "scale", "code", "answers", "label", "value", "sort_order"],
    "enkat_samsyn": ["municipality_code", "round", "area_id", "question_id", "sector_low", "answer_low", "sector_high", "answer_high",
                     "difference", "area_title", "question_text", "question_order", "sector_low_label", "answer_low_label",
                     "sector_high_label", "answer_high_label"],
    "enkat_region": ["area_type", "area_code", "round", "area_id", "question_id", "municipalities_answered", "municipalities_some_or_more",
                     "municipalities_increased", "presence_index", "municipalities", "rank", "area_name", "area_title",
                     "question_text", "question_order"],
    "enkat_coverage": ["municipality_code", "round", "sector", "expected", "submissions", "replaced", "submitted_at",
                       "municipality_name", "sector_label", "sector_order"],
    "enkat_replaced": ["round", "municipality_code", "sector", "path", "source_row", "submitted_at", "kept_path", "kept_row",
                       "kept_submitted_at", "sector_label"],
}

# The follow-up tables of a snapshot (plans, the agreements register, official statistics).
FOLLOWUP_TABLES = {
    "uppfoljning": ["plan_id", "plan_title", "plan_from", "plan_to", "area_type", "area_code", "indicator", "source", "indicator_id",
                    "category", "title", "kind", "polarity", "unit", "decimals", "baseline_value", "baseline_period", "baseline_note",
                    "target_value", "target_text", "target_by", "latest_value", "latest_period", "trend_slope", "trend_unit",
                    "trend_points", "trend_from", "trend_direction", "status", "status_symbol", "status_text", "status_reason", "note"],
    "insatser": ["area_type", "area_code", "promise", "activity", "responsible", "start_date", "end_date", "status", "status_label",
                 "overdue", "indicators"],
    "process": ["area_type", "area_code", "indicator_id", "title", "label", "period", "numerator", "denominator", "value", "unit"],
    "statistik": ["area_type", "area_code", "period", "indicator_id", "count", "population", "rate_per_100k", "value_given", "ci_low",
                  "ci_high", "basis", "areas_covered", "areas_total", "files", "title", "unit", "decimals", "kind", "polarity", "source",
                  "survey"],
}


def _empty(columns: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(columns=columns or [])


@dataclass
class Snapshot:
    period: str
    area_code: str = ""
    area_type: str = "kommun"
    threshold: int = DEFAULT_THRESHOLD
    # every area in scope for the period, one row per (area, source with data for it)
    areas: pd.DataFrame = field(default_factory=lambda: _empty(AREA_COLUMNS))
    values: pd.DataFrame = field(default_factory=_empty)
    files: pd.DataFrame = field(default_factory=_empty)
    issues: pd.DataFrame = field(default_factory=_empty)
    left_out: pd.DataFrame = field(default_factory=_empty)
    folders: pd.DataFrame = field(default_factory=_empty)
    members: pd.DataFrame = field(default_factory=lambda: _empty(["area_type", "area_code", "area_name", "municipality_code"]))
    catalogue: pd.DataFrame = field(default_factory=_empty)
    # questionnaire tables, already narrowed to the report's area (see load)
    enkat: dict[str, pd.DataFrame] = field(default_factory=dict)
    # follow-up tables, narrowed to the report's area and (for a region) its members
    followup: dict[str, pd.DataFrame] = field(default_factory=dict)
    # the values sorted by area, and their area codes: the country's report looks up every municipality's figures
    _by_area: tuple[pd.DataFrame, np.ndarray] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def load(cls, directory: str | Path, period: str, area: str) -> Snapshot:
        """The snapshot's rows for `area`, the regions that contain it and its members: what one report shows."""
        directory = Path(directory)
        read = lambda name: pd.read_parquet(directory / f"{name}.parquet")  # noqa: E731
        members = read("members")
        related = {area, "riket"} | set(members.loc[members.municipality_code == area, "area_code"])
        related |= set(members.loc[members.area_code == area, "municipality_code"])
        inside = set(members.loc[members.area_code == area, "municipality_code"])
        related |= {code for code, group in members.groupby("area_code") if inside and inside <= set(group.municipality_code)}
        values = _read_filtered(directory / "indicators.parquet", "area_code", sorted(related))
        catalogue = pd.DataFrame(json.loads((directory / "catalogue.json").read_text(encoding="utf-8")))
        enkat = {name: _enkat_table(directory, name, area, inside or {area}) for name in ENKAT_TABLES}
        # official statistics also for the regions that contain the area and the country: the year's lägesbild compares with them
        followup = {name: _followup_table(directory, name, {area} | inside | (related if name == "statistik" else set()))
                    for name in FOLLOWUP_TABLES}
        areas = read_areas(directory, period)
        own = areas.loc[areas.area_code == area, "area_type"]
        area_type = own.iloc[0] if len(own) else ("kommun" if area.isdigit() else "region")
        return cls(
            period=period, area_code=area, area_type=area_type, threshold=read_threshold(directory), areas=areas,
            values=values, files=read("files"), issues=read("issues"), left_out=read("left_out"), folders=read("folders"),
            members=members, catalogue=catalogue, enkat=enkat, followup=followup,
        )

    # --- what the report rests on -----------------------------------------------------------------

    @property
    def kind(self) -> str:
        """The report kind of the area: kommun or region (a county and the country are regions)."""
        return "kommun" if self.area_type == "kommun" else "region"

    def sources_of(self, area: str) -> list[str]:
        """The sources with data for `area` in this period, in the registry's order."""
        names = set(self.areas.loc[self.areas.area_code == area, "source"])
        return [source.name for source in SOURCES if source.name in names]

    def has_report(self, area: str) -> bool:
        """Every area in the snapshot's areas table gets a report."""
        return bool((self.areas.area_code == area).any())

    # --- tables --------------------------------------------------------------------------------------

    def enkat_table(self, name: str) -> pd.DataFrame:
        """A questionnaire table for the report's area (empty, with its columns, when the snapshot has none)."""
        return self.enkat.get(name, _empty(ENKAT_TABLES[name]))

    def followup_table(self, name: str) -> pd.DataFrame:
        """A follow-up table for the report's area (empty, with its columns, when the snapshot has none)."""
        return self.followup.get(name, _empty(FOLLOWUP_TABLES[name]))

    def enkat_round(self) -> str | None:
        """The round the report shows: the latest begun by the report's month that has answers for the area."""
        answers = self.enkat_table("enkat_answers")
        rounds = sorted(r for r in set(answers["round"].dropna()) if round_begun(r, self.period))
        return rounds[-1] if rounds else None

    def of_area(self, area: str) -> pd.DataFrame:
        """The values of one area (in their order in the snapshot)."""
        if "area_code" not in self.values:
            return self.values
        if self._by_area is None:  # one reordering; an area's rows are then a slice, not a gather per lookup
            ordered = self.values.sort_values("area_code", kind="stable")
            self._by_area = ordered, ordered.area_code.to_numpy(object)
        ordered, codes = self._by_area
        return ordered.iloc[np.searchsorted(codes, area):np.searchsorted(codes, area, "right")]

    def get(self, indicator: str, area: str, period: str, category: str = "") -> pd.Series | None:
        values = self.of_area(area)
        rows = values[(values.indicator_id == indicator) & (values.period == period) & (values.category == category)]
        return None if rows.empty else rows.iloc[0]

    def series(self, indicator: str, area: str, periods: list[str]) -> pd.DataFrame:
        values = self.of_area(area)
        rows = values[(values.indicator_id == indicator) & values.period.isin(periods)]
        return rows.set_index("period").reindex(periods)

    def area_name(self, area: str) -> str:
        for frame in (self.areas, self.values, self.members):
            if "area_name" in frame and len(names := frame.loc[frame.area_code == area, "area_name"]):
                return names.iloc[0]
        return area

    def comparison_areas(self, area_type: str, area: str) -> list[str]:
        """The areas a report compares with: a municipality's cooperations and county; a region's county and the country."""
        present = set(self.values.area_code.unique()) if "area_code" in self.values else set()
        m = self.members
        if area_type == "kommun":
            containing = m.loc[m.municipality_code == area]
            found = list(containing.loc[containing.area_type == "region", "area_code"]) + list(containing.loc[containing.area_type == "lan", "area_code"])
        elif area_type == "region":
            inside = set(m.loc[m.area_code == area, "municipality_code"])
            counties = m[m.area_type == "lan"].groupby("area_code").municipality_code.apply(set)
            found = [code for code, codes in counties.items() if inside <= codes] + ["riket"]
        else:
            found = ["riket"] if area != "riket" else []
        return [code for code in found if code in present]

    def member_codes(self, area: str) -> list[str]:
        return sorted(self.members.loc[self.members.area_code == area, "municipality_code"])


# --- the snapshot's own description --------------------------------------------------------------


def read_threshold(directory: Path) -> int:
    """The suppression threshold the snapshot was published with (snapshot.json)."""
    path = Path(directory) / "snapshot.json"
    if not path.exists():  # a snapshot written before snapshot.json: the default threshold
        return DEFAULT_THRESHOLD
    return int(json.loads(path.read_text(encoding="utf-8")).get("threshold", DEFAULT_THRESHOLD))


def read_areas(directory: Path, period: str) -> pd.DataFrame:
    """The areas in scope for the period and the sources with data for each (areas.parquet), in a stable order."""
    path = Path(directory) / "areas.parquet"
    areas = pd.read_parquet(path) if path.exists() else _derived_areas(Path(directory), period)
    areas = areas[AREA_COLUMNS].drop_duplicates()
    order = {"kommun": 0, "lan": 1, "region": 2, "riket": 3}
    return (areas.assign(_order=areas.area_type.map(order).fillna(9)).sort_values(["_order", "area_code", "source"])
            .drop(columns="_order").reset_index(drop=True))


def _derived_areas(directory: Path, period: str) -> pd.DataFrame:
    """For a snapshot written before areas.parquet: the areas each source's own tables have rows for."""
    members = pd.read_parquet(directory / "members.parquet")
    names = dict(zip(members.area_code, members.area_name)) if "area_name" in members else {}
    found: list[tuple[str, str, str]] = []  # area_type, area_code, source
    values = pd.read_parquet(directory / "indicators.parquet")
    if {"indicator_id", "area_type", "area_code", "area_name", "period"} <= set(values.columns):
        covered = values[(values.indicator_id == "intox_cases") & (values.period == period)]
        names |= dict(zip(covered.area_code, covered.area_name))
        found += [(t, c, "intox") for t, c in zip(covered.area_type, covered.area_code)]
    coverage = _read_or_empty(directory, "enkat_coverage", ENKAT_TABLES["enkat_coverage"])
    answered = coverage[(coverage.submissions > 0) & coverage["round"].map(lambda r: isinstance(r, str) and round_begun(r, period))]
    names |= dict(zip(answered.municipality_code, answered.municipality_name))
    found += [("kommun", c, "enkat") for c in set(answered.municipality_code)]
    for source, table in (("avtal", "insatser"), ("statistik", "statistik")):
        frame = _read_or_empty(directory, table, FOLLOWUP_TABLES[table])
        found += [(t, c, source) for t, c in set(zip(frame.area_type, frame.area_code)) if t in AREA_TYPES]
    # a region is in scope for a source when a member (or the region itself) has data from it
    municipal = {(c, s) for t, c, s in found if t == "kommun"}
    for (area_type, code), group in members.groupby(["area_type", "area_code"]):
        for source in {s for c, s in municipal if c in set(group.municipality_code)}:
            found.append((area_type, code, source))
    frame = pd.DataFrame(sorted(set(found)), columns=["area_type", "area_code", "source"])
    frame["area_name"] = frame.area_code.map(names).fillna(frame.area_code)
    return frame


def _read_or_empty(directory: Path, name: str, columns: list[str]) -> pd.DataFrame:
    path = directory / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else _empty(columns)


def _read_filtered(path: Path, column: str, wanted: list[str]) -> pd.DataFrame:
    try:
        return pd.read_parquet(path, filters=[(column, "in", wanted)])
    except pa.ArrowException:  # a table without rows is written with untyped (null) columns, which cannot be filtered
        frame = pd.read_parquet(path)
        return frame[frame[column].isin(wanted)] if column in frame else frame


def _enkat_table(directory: Path, name: str, area: str, municipalities: set[str]) -> pd.DataFrame:
    """One questionnaire table narrowed to a report: a region's own rows in the regional picture, its members' elsewhere."""
    path = directory / f"{name}.parquet"
    if not path.exists():
        return _empty(ENKAT_TABLES[name])
    column, wanted = ("area_code", [area]) if name == "enkat_region" else ("municipality_code", sorted(municipalities))
    return _read_filtered(path, column, wanted)


def _followup_table(directory: Path, name: str, areas: set[str]) -> pd.DataFrame:
    path = directory / f"{name}.parquet"
    if not path.exists():
        return _empty(FOLLOWUP_TABLES[name])
    frame = pd.read_parquet(path)
    for column in FOLLOWUP_TABLES[name]:  # a snapshot written before the column existed (statistik's ci_low, survey)
        if column not in frame:
            frame[column] = None
    return frame[frame["area_code"].isin(areas)].reset_index(drop=True)


def read_sources(directory: Path, areas: pd.DataFrame) -> list[str]:
    """The sources with data in the snapshot (snapshot.json), in the registry's order."""
    path = Path(directory) / "snapshot.json"
    names = set(json.loads(path.read_text(encoding="utf-8")).get("sources", [])) if path.exists() else set(areas.source)
    return [source.name for source in SOURCES if source.name in names]
