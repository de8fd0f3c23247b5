"""A national INTOX workspace for the bench, written deterministically.

    .venv/bin/python benchmarks/national.py /tmp/riket [--forms 1000000]

Ten years of forms (the 120 months to END) for all 290 municipalities, exported the way a county's
emergency departments would send them: one cp1252 `;` csv per county and calendar year
(21 counties × 11 years = 231 files), under data/raw/intox/<county>/, with the workspace's
schemas/intox_coverage.yaml naming one unit per county. A municipality's share of the forms follows
its population, with a weekend and a summer peak, so small municipalities have the small monthly
counts that the suppression must hide. The same arguments write byte-identical files.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import places

END = "2026-10"
MONTHS = 120
SEED = 11

SUBSTANCES = np.array(["Alkohol", "Alkohol; Bensodiazepiner", "Cannabis", "Receptfria läkemedel", "GHB/GBL",
                       "Opioider", "Amfetamin", "Alkohol; Kokain"])
SUBSTANCE_P = np.array([0.42, 0.12, 0.08, 0.14, 0.03, 0.06, 0.08, 0.07])
INTENTS = np.array(["Rus", "Självskada", "Oavsiktlig/olyckshändelse", "Okänd"])
INTENT_P = np.array([0.55, 0.28, 0.12, 0.05])
CARE = np.array(["Hemgång", "Vårdavdelning", "IVA", "Psykiatri"])
CARE_P = np.array([0.55, 0.25, 0.08, 0.12])
SEASON = np.array([0.95, 0.80, 0.95, 1.00, 1.05, 1.20, 1.25, 1.15, 0.95, 0.95, 0.90, 1.20])


def write_national(root: Path, forms: int = 1_000_000, end: str = END) -> list[Path]:
    """Write the raw files and the coverage of a national workspace under `root`; returns the files."""
    files = _write_forms(root, forms, end, MONTHS, SEED, "{year}")
    _write_coverage(root, end)
    return files


def write_month(root: Path, month: str, forms: int) -> list[Path]:
    """One more month's forms, one file per county, as the next delivery after write_national's."""
    return _write_forms(root, forms, month, 1, SEED + int(month.replace("-", "")), month)


def _write_forms(root: Path, forms: int, end: str, months: int, seed: int, name: str) -> list[Path]:
    rng = np.random.default_rng(seed)
    municipalities = places.municipalities()
    population = places.population()
    latest = population[population.year == population.year.max()].set_index("municipality_code").population
    weights = municipalities.municipality_code.map(latest).fillna(latest.min()).to_numpy(float)
    last = pd.Period(end, "M")
    days = pd.date_range((last - months + 1).start_time, last.end_time.normalize(), freq="D")
    day_weight = SEASON[days.month - 1] * np.where(days.day_of_week >= 4, 1.6, 1.0)

    municipality = rng.choice(len(municipalities), forms, p=weights / weights.sum())
    frame = pd.DataFrame({
        "Formulär-id": np.char.add(f"F{seed}-", np.char.zfill(np.arange(forms).astype(str), 8)),
        "Besöksdatum": days.strftime("%Y-%m-%d").to_numpy()[rng.choice(len(days), forms, p=day_weight / day_weight.sum())],
        "Ålder": rng.integers(12, 90, forms),
        "Kön": rng.choice(["man", "kvinna"], forms),
        "Kommunkod": municipalities.municipality_code.to_numpy()[municipality],
        "Substanser": rng.choice(SUBSTANCES, forms, p=SUBSTANCE_P),
        "Avsikt": rng.choice(INTENTS, forms, p=INTENT_P),
        "Vårdnivå": rng.choice(CARE, forms, p=CARE_P),
    })
    frame["county"] = municipalities.county_code.to_numpy()[municipality]
    frame["year"] = frame["Besöksdatum"].str[:4]
    frame = frame.sort_values(["county", "Besöksdatum", "Formulär-id"], kind="stable")

    written = []
    for (county, year), part in frame.groupby(["county", "year"], sort=True):
        path = root / "data" / "raw" / "intox" / f"lan-{county}" / f"intox_lan{county}_{name.format(year=year)}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        part.drop(columns=["county", "year"]).to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
        written.append(path)
    return written


def _write_coverage(root: Path, end: str) -> None:
    """One unit per county (its folder), covering its municipalities from the first month."""
    municipalities = places.municipalities()
    first = (pd.Period(end, "M") - MONTHS + 1).strftime("%Y-%m")
    units = []
    for county, members in municipalities.groupby("county_code").municipality_code:
        quoted = ", ".join(f'"{code}"' for code in members)
        units.append(f"  - unit: lan-{county}\n    municipalities: [{quoted}]\n    from: {first}\n")
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "schemas" / "intox_coverage.yaml").write_text("units:\n" + "".join(units), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", type=Path)
    parser.add_argument("--forms", type=int, default=1_000_000)
    args = parser.parse_args()
    files = write_national(args.root, args.forms)
    size = sum(f.stat().st_size for f in files) / 1e6
    print(f"{len(files)} filer, {args.forms:_} formulär, {size:.0f} MB".replace("_", " "))


if __name__ == "__main__":
    main()
