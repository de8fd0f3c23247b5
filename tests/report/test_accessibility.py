"""Every kind of report of the demo passes axe-core in Chromium: all of axe's default rules (WCAG 2.1 A and AA and best practice).

axe-core comes packaged with axe-playwright-python, so nothing is fetched while the test runs.
"""
from __future__ import annotations

import pytest
from browser import chromium, needs_chromium
from conftest import DEMO_PERIOD

# Every kind of page, with every combination of sources the demo's municipalities have: the month's
# index and regions, Sunne (every source), Karlstad (no register), Munkfors (small) and two with INTOX,
# the police and the statistics only; the tertial and the year share the month's templates, except the
# year's lägesbild layout. Each period is its own test, so the workers share them.
PAGES = {DEMO_PERIOD: ("../index.html", "index.html", "region/sutohamu.html", "region/lan-17.html", "region/riket.html",
                       "kommun/1766.html", "kommun/1780.html", "kommun/1762.html", "kommun/1715.html", "kommun/1764.html"),
         "2026-T2": ("index.html", "region/sutohamu.html", "kommun/1766.html"),
         "2025": ("index.html", "region/sutohamu.html", "kommun/1766.html", "region/lan-17.html", "kommun/1783.html")}


@needs_chromium
@pytest.mark.parametrize("period", list(PAGES))
def test_every_kind_of_report_has_no_axe_violations(demo, period):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    paths = [demo / "reports" / period / name for name in PAGES[period]]
    assert all(path.exists() for path in paths), [path for path in paths if not path.exists()]
    with chromium() as browser:
        page = browser.new_page()
        for path in paths:
            page.goto(path.as_uri())
            if page.locator(".plotly-graph-div").count():  # the charts drawn, as a reader sees them
                page.wait_for_selector(".plotly-graph-div .main-svg", timeout=30_000)
            # a chart is one labelled image: nothing inside it may take focus (plotly's mode bar did)
            focusable = page.locator("figure.chart :is(a[href], button, input, select, textarea, [tabindex])").count()
            if focusable:
                found.append(f"{path.relative_to(demo)}: {focusable} focusable elements inside charts")
            results = axe.run(page, options={"resultTypes": ["violations"]})
            for violation in results.response["violations"]:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                found.append(f"{path.relative_to(demo)}: {violation['id']} ({violation['impact']}) at {', '.join(targets[:5])}"
                             + (f" and {len(targets) - 5} more" if len(targets) > 5 else ""))
    assert not found, f"{len(found)} axe-core violations:\n" + "\n".join(found)
