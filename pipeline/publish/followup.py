"""Indicator follow-up (uppföljning): baseline, target, latest value, trend and status per plan × indicator.

The plans live in `schemas/uppfoljning.yaml` (format in its header). Every number comes from a
published snapshot folder `data/processed/<P>/` — `indicators.parquet` + `catalogue.json` (INTOX),
`statistik.parquet` (official statistics), `enkat_values.parquet` / `enkat_region.parquet`
(questionnaire presence index) — never from staging data. A suppressed cell (suppression != '')
is missing, never a number.

Values per source
  intox      `value` of the indicator (and category) for the area, months YYYY-MM. An indicator the
             catalogue publishes `latest_only` (the breakdowns) is in each snapshot for its own month
             only: its series is the earlier monthly snapshots' own months beside this one's.
  statistik  `rate_per_100k` (counted, pooled for regions); where it is missing, the rate the source
             gave (`value_given`). Years YYYY.
  enkat      `presence_index` (0–3) of the question: per municipality from enkat_values, per region
             from enkat_region. Rounds YYYY-H1 / YYYY-H2.

Trend
  The least-squares slope over the last N periods of the series, ending at its latest published
  period: N = 12 months for INTOX (on the rolling-12 series that is a year of rolling years),
  3 years for statistik, 3 rounds for enkat. Suppressed or missing periods are left out of the fit;
  the slope is per period (per månad / per år / per omgång). Direction in words: "oförändrad" when
  the change the slope implies over the window (|slope| × (N − 1)) is within the tolerance —
  3 % of the window's mean for INTOX and statistik, 0.15 index points for enkat — otherwise
  "minskar" or "ökar". A trend needs at least 3 published points.

Status (exactly as implemented in `judge`)
  "Better" means lower for "lägre är bättre" and higher for "högre är bättre"; "at or beyond the
  target" means latest ≤ target (lower is better) or latest ≥ target (higher is better).
  1. underlag saknas  ?   the latest value, the baseline or the target is missing or suppressed, the
                          trend has fewer than 3 points, or the indicator has no polarity.
  2. uppnått          ✔   the latest value is at or beyond the target AND the trend is not moving
                          away from it (not rising for lower-is-better, not falling for higher-is-better).
  3. på väg mot målet ↘/↗ the latest value is not yet at the target, the trend moves toward it
                          (↘ falling for lower-is-better, ↗ rising for higher-is-better), and the
                          straight line from the latest value with the trend's slope reaches the
                          target by the target's date (`by`, in the source's periods).
  4. inte på väg      ✖   everything else: a flat trend, a trend moving away from the target, a
                          trend too slow to reach it in time, or a latest value at the target with a trend moving away.
  One noisy month cannot decide a status: steps 2–4 all need the trend's direction.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.config import Workspace
from pipeline.periods import round_begun

SOURCES = ("intox", "statistik", "enkat")
POLARITIES = ("lägre är bättre", "högre är bättre")
TREND_POINTS = {"intox": 12, "statistik": 3, "enkat": 3}
MIN_POINTS = 3
# a trend is "oförändrad" when |slope| × (N − 1) ≤ max(relative × |mean of the window|, absolute)
TOLERANCE = {"intox": (0.03, 0.0), "statistik": (0.03, 0.0), "enkat": (0.0, 0.15)}
SLOPE_UNIT = {"intox": "per månad", "statistik": "per år", "enkat": "per omgång"}

UPPNATT, PA_VAG, INTE_PA_VAG, SAKNAS = "uppnått", "på väg mot målet", "inte på väg", "underlag saknas"
STATUSES = (UPPNATT, PA_VAG, INTE_PA_VAG, SAKNAS)
MINSKAR, OKAR, OFORANDRAD = "minskar", "ökar", "oförändrad"

PERIOD_FORMATS = {
    "intox": (re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"), "ÅÅÅÅ-MM, t.ex. 2024-12"),
    "statistik": (re.compile(r"^\d{4}$"), "ÅÅÅÅ, t.ex. 2024"),
    "enkat": (re.compile(r"^\d{4}-H[12]$"), "ÅÅÅÅ-H1 eller ÅÅÅÅ-H2, t.ex. 2025-H1"),
}
MONTH = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
ENKAT_DEFAULTS = {"unit": "index 0–3", "decimals": 1, "kind": "lång sikt", "polarity": "lägre är bättre"}

COLUMNS = [
    "plan_id", "plan_title", "plan_from", "plan_to", "area_type", "area_code", "indicator", "source",
    "indicator_id", "category", "title", "kind", "polarity", "unit", "decimals",
    "baseline_value", "baseline_period", "baseline_note", "target_value", "target_text", "target_by",
    "latest_value", "latest_period", "trend_slope", "trend_unit", "trend_points", "trend_from",
    "trend_direction", "status", "status_symbol", "status_text", "status_reason", "note",
]


class PlanError(ValueError):
    """A follow-up plan that cannot be used; `problems` lists every problem, in Swedish."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("uppfoljning.yaml: " + "; ".join(problems))


# ---------------------------------------------------------------------------------------------
# plans


def known_indicators(workspace: Workspace) -> dict[str, dict[str, dict]]:
    """The ids a plan may follow, per source, with their catalogue entries."""
    from pipeline.build import indicators as counted
    from pipeline.build import statistik as statistik_build

    table = counted.catalogue(workspace)
    intox = {row["indicator_id"]: row for row in table[table.source_name == "intox"].to_dict(orient="records")}
    stat = dict(statistik_build.catalogue(workspace))
    questions = {}
    for area in (workspace.load_yaml("enkat.yaml").get("areas") or {}).values():
        for question_id, spec in (area.get("questions") or {}).items():
            questions[question_id] = {"title": spec.get("text", question_id), **ENKAT_DEFAULTS}
    return {"intox": intox, "statistik": stat, "enkat": questions}


def load_plans(workspace: Workspace) -> list[dict]:
    """schemas/uppfoljning.yaml (the workspace's own copy if it has one), validated: one dict per
    plan × indicator. Raises PlanError with every problem found, in Swedish."""
    raw = workspace.load_yaml("uppfoljning.yaml") or {}
    return validate_plans(raw, known_indicators(workspace))


def _source_of(indicator: str, given: str | None, known: dict[str, dict[str, dict]]) -> tuple[str | None, str]:
    if indicator.startswith("enkat:"):
        return "enkat", indicator.split(":", 1)[1]
    if given:
        return given, indicator
    found = [source for source in ("intox", "statistik") if indicator in known[source]]
    return (found[0] if found else None), indicator


def validate_plans(raw: dict, known: dict[str, dict[str, dict]]) -> list[dict]:
    problems: list[str] = []
    items: list[dict] = []
    plans = raw.get("plans") if isinstance(raw, dict) else None
    if not isinstance(plans, dict) or not plans:
        raise PlanError(["filen saknar 'plans' (en eller flera uppföljningsplaner)"])
    for plan_id, plan in plans.items():
        where = f"plan '{plan_id}'"
        if not isinstance(plan, dict):
            problems.append(f"{where}: ska vara en tabell med title, area, period och indicators")
            continue
        for key in ("title", "area"):
            if not plan.get(key):
                problems.append(f"{where}: '{key}' saknas")
        area = str(plan.get("area", "")).strip()
        if area.isdigit() and len(area) != 4:
            problems.append(f"{where}: kommunkoden '{area}' ska ha fyra siffror (skriv den inom citattecken, t.ex. \"0114\")")
        period = plan.get("period") or {}
        start, end = str(period.get("from", "")), str(period.get("to", ""))
        for label, value in (("from", start), ("to", end)):
            if value and not MONTH.match(value):
                problems.append(f"{where}: period.{label} '{value}' ska skrivas ÅÅÅÅ-MM")
        if start and end and MONTH.match(start) and MONTH.match(end) and end < start:
            problems.append(f"{where}: avtalsperioden slutar ({end}) före den börjar ({start})")
        entries = plan.get("indicators")
        if not isinstance(entries, list) or not entries:
            problems.append(f"{where}: inga indikatorer att följa upp ('indicators' saknas eller är tom)")
            continue
        for number, entry in enumerate(entries, start=1):
            item, found = _validate_entry(entry, f"{where}, indikator {number}", known)
            problems += found
            if item is not None:
                items.append(
                    {"plan_id": str(plan_id), "plan_title": str(plan.get("title", "")), "area": area,
                     "plan_from": start, "plan_to": end} | item
                )
    if problems:
        raise PlanError(problems)
    return items


def _validate_entry(entry, where: str, known: dict[str, dict[str, dict]]) -> tuple[dict | None, list[str]]:
    problems: list[str] = []
    if not isinstance(entry, dict) or not entry.get("indicator"):
        return None, [f"{where}: 'indicator' saknas"]
    indicator = str(entry["indicator"]).strip()
    where = f"{where} ({indicator})"
    given = entry.get("source")
    if given is not None and given not in SOURCES:
        problems.append(f"{where}: okänd källa '{given}' (välj intox, statistik eller enkat)")
        given = None
    source, indicator_id = _source_of(indicator, given, known)
    if source is None or indicator_id not in known.get(source, {}):
        hint = "frågans id i schemas/enkat.yaml" if source == "enkat" else "ett id i INTOX-katalogen eller schemas/statistik.yaml, eller enkat:<fråga>"
        problems.append(f"{where}: okänd indikator '{indicator}' ({hint})")
        spec = {}
    else:
        spec = known[source][indicator_id]
    category = str(entry.get("category", "") or "")
    if category and source != "intox":
        problems.append(f"{where}: 'category' gäller bara INTOX-indikatorer med uppdelning")
    polarity = entry.get("polarity") or spec.get("polarity") or ("lägre är bättre" if source == "enkat" else "ingen")
    if entry.get("polarity") and entry["polarity"] not in POLARITIES:
        problems.append(f"{where}: polarity ska vara 'lägre är bättre' eller 'högre är bättre'")
    elif entry.get("polarity") and spec.get("polarity") in POLARITIES and entry["polarity"] != spec["polarity"]:
        problems.append(f"{where}: polarity '{entry['polarity']}' strider mot katalogens '{spec['polarity']}'")
    elif spec and polarity not in POLARITIES:
        problems.append(f"{where}: indikatorn har ingen riktning (polaritet 'ingen'); ange polarity för att kunna följa den mot ett mål")

    baseline = entry.get("baseline")
    base_period = base_value = None
    base_note = ""
    if not isinstance(baseline, dict) or not baseline:
        problems.append(f"{where}: basvärde saknas (baseline: {{period: …}} eller {{value: …, note: …}})")
    elif "period" in baseline and "value" in baseline:
        problems.append(f"{where}: basvärdet har både period och value; ange det ena")
    elif "period" in baseline:
        base_period = str(baseline["period"])
        pattern, example = PERIOD_FORMATS.get(source or "", (None, ""))
        if pattern is not None and not pattern.match(base_period):
            problems.append(f"{where}: basvärdets period '{base_period}' ska skrivas {example}")
    elif "value" in baseline:
        base_value = _number(baseline["value"])
        base_note = str(baseline.get("note") or "").strip()
        if base_value is None:
            problems.append(f"{where}: basvärdet '{baseline['value']}' är inte ett tal")
        if not base_note:
            problems.append(f"{where}: ett givet basvärde behöver en note som säger var det kommer ifrån")
    else:
        problems.append(f"{where}: basvärdet behöver period eller value")

    target = entry.get("target")
    level = change = None
    unit = ""
    by = ""
    if not isinstance(target, dict) or not target:
        problems.append(f"{where}: mål saknas (target: {{level: …, by: …}} eller {{change: …, unit: procent|enheter, by: …}})")
    else:
        if "level" in target and "change" in target:
            problems.append(f"{where}: målet har både level och change; ange det ena")
        elif "level" in target:
            level = _number(target["level"])
            if level is None:
                problems.append(f"{where}: målnivån '{target['level']}' är inte ett tal")
        elif "change" in target:
            change = _number(target["change"])
            unit = str(target.get("unit", "") or "")
            if change is None:
                problems.append(f"{where}: målets förändring '{target['change']}' är inte ett tal")
            if unit not in ("procent", "enheter"):
                problems.append(f"{where}: ett relativt mål behöver unit: procent eller unit: enheter")
        else:
            problems.append(f"{where}: målet behöver level eller change")
        by = str(target.get("by", "") or "")
        if not by:
            problems.append(f"{where}: målet saknar 'by' (när det ska vara nått, ÅÅÅÅ-MM)")
        elif not MONTH.match(by):
            problems.append(f"{where}: målets datum '{by}' ska skrivas ÅÅÅÅ-MM")
        elif len(by) == 4:
            by = f"{by}-12"
    if problems:
        return None, problems
    return {
        "indicator": indicator, "source": source, "indicator_id": indicator_id, "category": category,
        "polarity": polarity, "baseline_period": base_period, "baseline_value": base_value,
        "baseline_note": base_note, "target_level": level, "target_change": change, "target_unit": unit,
        "target_by": by, "note": str(entry.get("note", "") or ""),
    }, []


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(str(value).replace(",", ".").replace("\u2212", "-")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# ---------------------------------------------------------------------------------------------
# periods, trend, status


def period_index(period: str, source: str) -> int:
    """A period as a number of the source's periods (months, years, half-year rounds)."""
    if source == "intox":
        return int(period[:4]) * 12 + int(period[5:7]) - 1
    if source == "statistik":
        return int(period[:4])
    return int(period[:4]) * 2 + (1 if period.endswith("H2") else 0)


def deadline_period(by: str, source: str) -> str:
    """The last period of the source that is complete (or, for a round, begun) by month `by`."""
    year, month = int(by[:4]), int(by[5:7])
    if source == "intox":
        return by
    if source == "statistik":
        return str(year if month == 12 else year - 1)
    return f"{year}-H{2 if month >= 7 else 1}"


def slope(periods: list[int], values: list[float]) -> float:
    """Least-squares slope of values on periods."""
    x = np.asarray(periods, dtype=float)
    y = np.asarray(values, dtype=float)
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())


def direction(trend_slope: float, points: int, mean: float, source: str) -> str:
    relative, absolute = TOLERANCE[source]
    if abs(trend_slope) * (points - 1) <= max(relative * abs(mean), absolute):
        return OFORANDRAD
    return MINSKAR if trend_slope < 0 else OKAR


@dataclass
class Judgement:
    status: str
    symbol: str
    reason: str


def judge(
    polarity: str, latest: float | None, baseline: float | None, target: float | None,
    trend_slope: float | None, trend_direction: str | None, periods_left: int | None,
) -> Judgement:
    """The status rule of the module docstring."""
    missing = [
        label for label, value in (("senaste värde", latest), ("basvärde", baseline), ("målvärde", target))
        if value is None or (isinstance(value, float) and math.isnan(value))
    ]
    if polarity not in POLARITIES:
        return Judgement(SAKNAS, "?", "Indikatorn har ingen riktning (lägre eller högre är bättre).")
    if missing:
        return Judgement(SAKNAS, "?", "Saknas eller skyddat: " + ", ".join(missing) + ".")
    if trend_direction is None:
        return Judgement(SAKNAS, "?", f"För få publicerade värden för en trend (minst {MIN_POINTS}).")
    lower = polarity == POLARITIES[0]
    better, worse = (MINSKAR, OKAR) if lower else (OKAR, MINSKAR)
    reached = latest <= target if lower else latest >= target
    arrow = "↘" if lower else "↗"
    trend = {MINSKAR: "trenden minskar", OKAR: "trenden ökar", OFORANDRAD: "trenden är oförändrad"}[trend_direction]
    if reached and trend_direction != worse:
        return Judgement(UPPNATT, "✔", f"Senaste värdet når målet och {trend}.")
    if reached:
        return Judgement(INTE_PA_VAG, "✖", f"Senaste värdet når målet men trenden {worse} och går bort från det.")
    if trend_direction != better:
        return Judgement(INTE_PA_VAG, "✖", f"Målet är inte nått och {trend}.")
    left = max(periods_left or 0, 0)
    projected = latest + trend_slope * left
    if projected <= target if lower else projected >= target:
        return Judgement(PA_VAG, arrow, f"Trenden {better}; med samma takt nås målet i tid.")
    return Judgement(INTE_PA_VAG, "✖", f"Trenden {better} men för långsamt för att nå målet i tid.")


def target_value(item: dict, baseline: float | None) -> float | None:
    if item["target_level"] is not None:
        return item["target_level"]
    if baseline is None:
        return None
    if item["target_unit"] == "procent":
        return baseline * (1 + item["target_change"] / 100)
    return baseline + item["target_change"]


def _target_text(item: dict) -> str:
    if item["target_level"] is not None:
        return f"nivå {_sv(item['target_level'])}"
    change = item["target_change"]
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    unit = " %" if item["target_unit"] == "procent" else " enheter"
    return f"{sign}{_sv(abs(change))}{unit} mot basvärdet"


def _sv(number: float) -> str:
    text = f"{number:g}".replace(".", ",").replace("-", "−")
    return text


# ---------------------------------------------------------------------------------------------
# the published series


class Snapshot:
    """The published tables of one snapshot folder, read once."""

    def __init__(self, snapshot_dir: Path, period: str):
        self.dir = Path(snapshot_dir)
        self.period = period
        self._tables: dict[str, pd.DataFrame | None] = {}
        self._catalogue: dict[str, dict] | None = None

    def table(self, name: str) -> pd.DataFrame | None:
        if name not in self._tables:
            path = self.dir / f"{name}.parquet"
            self._tables[name] = pd.read_parquet(path) if path.exists() else None
        return self._tables[name]

    def catalogue(self) -> dict[str, dict]:
        if self._catalogue is None:
            path = self.dir / "catalogue.json"
            entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
            self._catalogue = {entry["indicator_id"]: entry for entry in entries}
        return self._catalogue

    def earlier(self, indicator_id: str) -> list[pd.DataFrame]:
        """The rows of an indicator at the own month of each earlier monthly snapshot beside this one."""
        folders = sorted(self.dir.parent.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]"))
        return [pd.read_parquet(folder / "indicators.parquet", filters=[("indicator_id", "==", indicator_id), ("period", "==", folder.name)])
                for folder in folders if folder.name < self.period and (folder / "indicators.parquet").exists()]

    def series(self, item: dict) -> tuple[pd.DataFrame, dict, str]:
        """(period, value) with NaN for a suppressed or missing value, metadata, and area type."""
        source, area = item["source"], item["area"]
        empty = pd.DataFrame({"period": pd.Series(dtype=str), "value": pd.Series(dtype=float)})
        if source == "intox":
            table = self.table("indicators")
            meta = dict(self.catalogue().get(item["indicator_id"], {}))
            if table is None:
                return empty, meta, ""
            if meta.get("latest_only"):  # each snapshot holds its own month: the series is theirs side by side
                table = pd.concat([table[table.indicator_id == item["indicator_id"]], *self.earlier(item["indicator_id"])])
            rows = table[
                (table.indicator_id == item["indicator_id"]) & (table.area_code == area)
                & (table.category.fillna("") == item["category"]) & (table.period <= self.period)
            ]
            if len(rows):
                meta.setdefault("title", rows.title.iloc[0])
                meta.setdefault("unit", rows.unit.iloc[0])
                meta.setdefault("decimals", int(rows.decimals.iloc[0]))
            values = rows.value.where(rows.suppression.fillna("") == "")
            return _frame(rows.period, values), meta, (rows.area_type.iloc[0] if len(rows) else "")
        if source == "statistik":
            table = self.table("statistik")
            if table is None:
                return empty, {}, ""
            rows = table[(table.indicator_id == item["indicator_id"]) & (table.area_code == area) & (table.period <= self.period[:4])]
            meta = {k: rows[k].iloc[0] for k in ("title", "unit", "decimals", "kind", "polarity") if len(rows) and k in rows}
            values = rows.rate_per_100k.astype("Float64").fillna(rows.value_given.astype("Float64")).astype(float)
            if "suppression" in rows:  # official statistics are public; honour a mark if ever published
                values = values.where(rows.suppression.fillna("") == "")
            return _frame(rows.period, values), meta, (rows.area_type.iloc[0] if len(rows) else "")
        # enkat: a municipality's own index, or a region's
        if re.fullmatch(r"\d{4}", area):
            table, key, area_type = self.table("enkat_values"), "municipality_code", "kommun"
        else:
            table, key, area_type = self.table("enkat_region"), "area_code", ""
        meta = dict(ENKAT_DEFAULTS)
        if table is None:
            return empty, meta, area_type
        rows = table[(table.question_id == item["indicator_id"]) & (table[key] == area)]
        rows = rows[np.array([round_begun(round_, self.period) for round_ in rows["round"]], dtype=bool)]
        if len(rows):
            meta["title"] = rows.question_text.iloc[0]
            area_type = area_type or rows.area_type.iloc[0]
        return _frame(rows["round"], rows.presence_index), meta, area_type


def _frame(periods: pd.Series, values: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"period": periods.astype(str).to_numpy(), "value": pd.to_numeric(values, errors="coerce").astype(float).to_numpy()})
    return frame.drop_duplicates("period", keep="last").sort_values("period").reset_index(drop=True)


def _value_at(series: pd.DataFrame, period: str) -> float | None:
    hit = series.value[series.period == period]
    if hit.empty or pd.isna(hit.iloc[0]):
        return None
    return float(hit.iloc[0])


def follow_up(snapshot_dir: Path | str, period: str, plans: list[dict]) -> pd.DataFrame:
    """One row per plan × indicator (columns: COLUMNS), from the snapshot's published data only."""
    snapshot = Snapshot(Path(snapshot_dir), period)
    rows = [_follow_one(snapshot, item) for item in plans]
    return pd.DataFrame(rows, columns=COLUMNS)


def _follow_one(snapshot: Snapshot, item: dict) -> dict:
    source = item["source"]
    series, meta, area_type = snapshot.series(item)
    polarity = item["polarity"] if item["polarity"] in POLARITIES else meta.get("polarity", item["polarity"])

    if item["baseline_period"] is not None:
        baseline = _value_at(series, item["baseline_period"])
        baseline_period, baseline_note = item["baseline_period"], ""
    else:
        baseline, baseline_period, baseline_note = item["baseline_value"], "", item["baseline_note"]
    target = target_value(item, baseline)

    latest = latest_period = None
    trend_slope = trend_dir = None
    trend_from = ""
    points = 0
    if len(series):
        latest_period = series.period.iloc[-1]
        latest = None if pd.isna(series.value.iloc[-1]) else float(series.value.iloc[-1])
        end = period_index(latest_period, source)
        index = series.period.map(lambda p: period_index(p, source))
        window = series[(index > end - TREND_POINTS[source]) & series.value.notna()]
        points = len(window)
        if points:
            trend_from = window.period.iloc[0]
        if points >= MIN_POINTS:
            x = [period_index(p, source) for p in window.period]
            trend_slope = slope(x, window.value.tolist())
            trend_dir = direction(trend_slope, TREND_POINTS[source], float(window.value.mean()), source)
    periods_left = None
    if latest_period is not None:
        periods_left = period_index(deadline_period(item["target_by"], source), source) - period_index(latest_period, source)
    verdict = judge(polarity, latest, baseline, target, trend_slope, trend_dir, periods_left)
    if verdict.status == SAKNAS and latest is None and latest_period is not None:
        verdict.reason = f"Senaste värdet ({latest_period}) är skyddat eller saknas."
    elif verdict.status == SAKNAS and latest_period is None:
        verdict.reason = "Inga publicerade värden för området."
    elif verdict.status == SAKNAS and item["baseline_period"] is not None and baseline is None:
        verdict.reason = f"Basvärdet för {item['baseline_period']} är inte publicerat (saknas eller skyddat)."
    return {
        "plan_id": item["plan_id"], "plan_title": item["plan_title"], "plan_from": item["plan_from"],
        "plan_to": item["plan_to"], "area_type": area_type, "area_code": item["area"],
        "indicator": item["indicator"], "source": source, "indicator_id": item["indicator_id"],
        "category": item["category"], "title": meta.get("title", item["indicator"]),
        "kind": meta.get("kind", ""), "polarity": polarity, "unit": meta.get("unit", ""),
        "decimals": int(meta.get("decimals", 1) if pd.notna(meta.get("decimals", 1)) else 1),
        "baseline_value": baseline, "baseline_period": baseline_period, "baseline_note": baseline_note,
        "target_value": target, "target_text": _target_text(item), "target_by": item["target_by"],
        "latest_value": latest, "latest_period": latest_period or "",
        "trend_slope": trend_slope, "trend_unit": SLOPE_UNIT[source], "trend_points": points,
        "trend_from": trend_from, "trend_direction": trend_dir or "",
        "status": verdict.status, "status_symbol": verdict.symbol,
        "status_text": f"{verdict.symbol} {verdict.status}", "status_reason": verdict.reason,
        "note": item["note"],
    }
