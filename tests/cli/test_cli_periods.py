"""`--period` takes a month, a quarter, a tertial, a half-year or a year, and run, build, report, the
snapshot and the reports all follow it; snapshots of different kinds held side by side still pass the
proof that no hidden count can be worked out."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run
from intox_helpers import form, write_coverage, write_forms


def lagesbild(root: Path, *args: str):
    return run([*args, "--workspace", str(root)])


def text_of(path: Path) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))).split())


@pytest.fixture(scope="module")
def torsby(tmp_path_factory) -> Path:
    """Torsby's forms, January 2025 – September 2026: six a month, twelve in March of each year."""
    root = tmp_path_factory.mktemp("perioder")
    write_coverage(root, {"torsby": (["1737"], "2025-01")})
    rows, n = [], 0
    for year in (2025, 2026):
        for number in range(1, 13 if year == 2025 else 10):
            for day in range(1, 13 if number == 3 else 7):
                n += 1
                rows.append(form(str(n), f"{year}-{number:02d}-{day:02d}"))
    write_forms(root, "torsby", "intox.csv", rows)
    assert lagesbild(root, "ingest").returncode == 0
    return root


def test_a_quarter_written_with_k_gives_kommun_and_region_reports(torsby):
    result = lagesbild(torsby, "run", "--period", "2026-K1")
    assert result.returncode == 0, result.stdout + result.stderr
    folder = torsby / "reports" / "2026-Q1"
    assert (folder / "kommun" / "1737.html").exists() and (folder / "region" / "lan-17.html").exists()
    snapshot = pd.read_parquet(torsby / "data" / "processed" / "2026-Q1" / "indicators.parquet")
    quarters = snapshot[(snapshot.indicator_id == "intox_cases_quarter") & (snapshot.area_code == "1737")].set_index("period")
    # 6 + 6 + 12 forms in January–March of each year; no quarter after the snapshot's last month
    assert quarters.numerator.to_dict() == {"2025-Q1": 24, "2025-Q2": 18, "2025-Q3": 18, "2025-Q4": 18, "2026-Q1": 24}
    assert snapshot[snapshot.indicator_id == "intox_cases"].period.max() == "2026-03"
    text = text_of(folder / "kommun" / "1737.html")
    assert "Torsby kommun, första kvartalet 2026" in text
    assert "Första kvartalet 2026 24" in text and "Första kvartalet 2025 (samma period året innan) 24" in text
    assert "Alla rapporter för första kvartalet 2026" in text


def test_a_tertial_a_half_year_and_a_year_side_by_side_pass_the_proof(torsby):
    for period in ("2026-T2", "2026-H1", "2025", "2026-06"):
        # reports only for the year; each build publishes and proves its snapshot beside the others
        result = lagesbild(torsby, "run" if period == "2025" else "build", "--period", period)
        assert result.returncode == 0, period + result.stdout + result.stderr
        assert "Röjandeskyddet håller" in result.stdout
    processed = torsby / "data" / "processed"
    tertials = pd.read_parquet(processed / "2026-T2" / "indicators.parquet")
    tertials = tertials[(tertials.indicator_id == "intox_cases_tertial") & (tertials.area_code == "1737")].set_index("period")
    assert tertials.numerator.to_dict() == {"2025-T1": 30, "2025-T2": 24, "2025-T3": 24, "2026-T1": 30, "2026-T2": 24}
    year = pd.read_parquet(processed / "2025" / "indicators.parquet")
    assert year[(year.indicator_id == "intox_cases_year") & (year.area_code == "1737")].numerator.tolist() == [78]
    # a month's snapshot climbs by tertials to the year; quarters and half-years come only with their own reports
    month = pd.read_parquet(processed / "2026-06" / "indicators.parquet")
    assert not month.indicator_id.str.endswith(("_quarter", "_half")).any() and month.indicator_id.str.endswith("_tertial").any()
    audit = lagesbild(torsby, "audit")
    assert audit.returncode == 0, audit.stdout
    assert re.search(r"Granskat 5 publicerade ögonblicksbilder \(2025, 2026-06, 2026-H1, 2026-Q1 och 2026-T2\)", audit.stdout), audit.stdout
    # the front page lists every period, newest first; at the same last month the longer period first
    assert lagesbild(torsby, "report", "--period", "2026-T2").returncode == 0
    front = text_of(torsby / "reports" / "index.html")
    assert front.index("Andra tertialet 2026") < front.index("Första kvartalet 2026") < front.index("2025 (år)")
    year_report = text_of(torsby / "reports" / "2025" / "kommun" / "1737.html")
    for heading in ("Kartläggning", "Källor och begränsningar", "Analys", "Åtgärdsplan", "Uppföljning"):
        assert heading in year_report
    assert "lag (2023:196) om kommuners ansvar för brottsförebyggande arbete" in year_report


@pytest.mark.parametrize("period", ["2026-T4", "2026-Q5", "2026-H3", "26", "2026-13"])
def test_a_wrong_period_is_refused_in_swedish(tmp_path, period):
    result = lagesbild(tmp_path, "build", "--period", period)
    assert result.returncode == 2
    assert "ange perioden som ÅÅÅÅ-MM (månad), ÅÅÅÅ-Q1–Q4 eller ÅÅÅÅ-K1–K4 (kvartal)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_period_that_has_not_ended_cannot_be_published(torsby):
    result = lagesbild(torsby, "build", "--period", "2099-T1")
    assert result.returncode == 4
    assert "Det finns inga uppgifter för första tertialet 2099" in result.stderr
    assert "en period kan publiceras när dess sista månad har kommit" in result.stderr
