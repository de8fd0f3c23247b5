"""From demo data to HTML through the real CLI (the session's demo, conftest.py), then the reports opened in headless Chromium."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pytest
from browser import chromium, needs_chromium
from cli_helpers import run

PERIOD = "2026-10"


def lagesbild(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run(list(args), cwd=cwd)


def tree_digest(root: Path) -> dict[str, tuple[str, int]]:
    return {
        str(path.relative_to(root)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*")) if path.is_file()
    }


class LinkCollector(HTMLParser):
    """src and href attributes of real elements (script bodies are not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.links += [value for name, value in attrs if name in ("src", "href") and value]


def links_in(text: str) -> list[str]:
    collector = LinkCollector()
    collector.feed(text)
    return collector.links


def reports(demo: Path) -> list[Path]:
    return sorted((demo / "reports" / PERIOD).rglob("*.html"))


def test_demo_writes_a_report_for_every_covered_municipality_and_region(demo):
    folder = demo / "reports" / PERIOD
    kommun = sorted(p.stem for p in (folder / "kommun").glob("*.html"))
    region = sorted(p.stem for p in (folder / "region").glob("*.html"))
    assert len(kommun) == 16 and all(code.startswith("17") for code in kommun)
    assert region == ["lan-17", "riket", "sutohamu"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    for code in kommun:
        assert f"kommun/{code}.html" in index
    for code in region:
        assert f"region/{code}.html" in index


def test_reports_are_self_contained_swedish_and_have_their_charts(demo):
    for path in reports(demo):
        text = path.read_text(encoding="utf-8")
        assert '<html lang="sv">' in text or "<html lang='sv'>" in text
        assert "oktober 2026" in text
        # every src/href stays inside the file or the report folder
        for link in links_in(text):
            assert not urlparse(link).scheme and not link.startswith("//"), f"{path.name}: {link}"
        if path.name == "index.html":
            continue
        assert text.count("plotly.js (basic - minified) v") == 1, f"{path.name}: plotly.js must be embedded exactly once"
        # six figures: a chart, or the one sentence that says why nothing of it can be shown
        assert text.count('class="plotly-graph-div"') + text.count("kan inte visas:") + text.count("kan inte visas i någon") >= 6, path.name
        # no notebook code: neither input cells nor the code's text
        assert "jp-InputArea" not in text and "display(HTML(" not in text and "Snapshot.load" not in text


def test_chart_data_holds_no_count_below_five(demo):
    """The count bars (INTOX's months, the police's and EST's months, weekdays, categories) are the raw
    counts; none of 1-4 may be in the embedded data."""
    charts = 0
    for path in (demo / "reports" / PERIOD).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for div_id, payload in re.findall(r'Plotly\.newPlot\(\s*"((?:manad|brott|est)-[^"]+)",\s*(\[.*?\]),\s*\{', text, flags=re.S):
            charts += 1
            for trace in json.loads(payload):
                axis = "x" if trace.get("orientation") == "h" else "y"
                values = [v for v in trace.get(axis, []) if v is not None]
                assert not [v for v in values if 0 < v < 5], f"{path.name} {div_id}: {values}"
                assert all(t in ("..", "–", "") or t.replace("\u00a0", "").isdigit() for t in trace["text"]), trace["text"]
    assert charts > 50  # the police's and EST's charts are among them


def test_the_sutohamu_report_shows_var_och_nar_with_est_events(demo):
    text = (demo / "reports" / PERIOD / "region" / "sutohamu.html").read_text(encoding="utf-8")
    for heading in ("Var och när", "Polisens registrerade brott", "Områden med flest brott", "EST-rapporterna",
                    "Platser med flest händelser", "Händelser per kategori"):
        assert f">{heading}</h" in text, heading
    assert re.search(r"Polisen registrerade \d[\d\u00a0]* brott med brottsplats i SuToHaMu", text)
    assert re.search(r"\d[\d\u00a0]* händelser rapporterades under de 12 månaderna till och med oktober 2026", text)


@needs_chromium
def test_reports_open_offline_in_chromium_with_working_charts(demo):
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for path in [demo / "reports" / PERIOD / "region" / "sutohamu.html", demo / "reports" / PERIOD / "kommun" / "1762.html"]:
            page.goto(path.as_uri())
            page.wait_for_selector(".plotly-graph-div .main-svg", timeout=30_000)
            charts = page.locator(".plotly-graph-div").count()
            drawn = page.locator(".plotly-graph-div .main-svg").count()
            assert charts >= 6 and drawn >= charts, (charts, drawn)
            assert page.locator("h1").count() == 1
            assert "Munkfors" in page.title() or "SuToHaMu" in page.title()
            # every chart has a text alternative and a data table beside it
            assert page.locator("figure.chart[aria-label]").count() == charts
            assert page.locator("details.data table").count() == charts
        index = demo / "reports" / PERIOD / "index.html"
        page.goto(index.as_uri())
        page.click("text=SuToHaMu")
        assert page.url.endswith("region/sutohamu.html")
    assert not errors, errors
    external = [url for url in requests if urlparse(url).scheme not in ("file", "data", "about", "blob")]
    assert external == []


def test_the_snapshot_follows_up_the_sutohamu_agreement_from_published_values(demo):
    snapshot = demo / "data" / "processed" / PERIOD
    follow = pd.read_parquet(snapshot / "uppfoljning.parquet")
    region = follow[follow.area_code == "sutohamu"]
    assert len(region) == 4 and set(follow.status) <= {"uppnått", "på väg mot målet", "inte på väg", "underlag saknas"}
    intox = region[region.indicator == "intox_rate_r12"].iloc[0]
    published = pd.read_parquet(snapshot / "indicators.parquet")
    rate = published[(published.indicator_id == "intox_rate_r12") & (published.area_code == "sutohamu")].set_index("period").value
    assert intox.latest_value == pytest.approx(rate[PERIOD]) and intox.baseline_value == pytest.approx(rate["2025-10"])
    assert intox.target_value == pytest.approx(rate["2025-10"] * 0.9)  # −10 % mot basvärdet
    process = pd.read_parquet(snapshot / "process.parquet")
    assert set(process.indicator_id) == {"insatser_genomforda", "insatser_forsenade", "enkat_svarsfrekvens", "intox_manader_utan_formular"}
    assert (pd.read_parquet(snapshot / "statistik.parquet").area_code == "sutohamu").any()


def test_rerunning_the_monthly_job_changes_nothing(demo):
    watched = [demo / "reports" / PERIOD, demo / "data" / "processed" / PERIOD]
    before = {str(root): tree_digest(root) for root in watched}
    result = lagesbild("run", "--period", PERIOD, "--workspace", str(demo), cwd=demo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 skapade" in result.stdout and "oförändrade" in result.stdout
    assert {str(root): tree_digest(root) for root in watched} == before


def test_report_for_a_month_without_data_fails_with_a_swedish_message(demo):
    result = lagesbild("report", "--period", "2030-01", "--workspace", str(demo), cwd=demo)
    assert result.returncode == 4
    assert "lagesbild build --period 2030-01" in result.stderr
