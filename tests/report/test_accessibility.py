"""Every report of the demo passes axe-core in Chromium: all of axe's default rules (WCAG 2.1 A and AA and best practice).

axe-core comes packaged with axe-playwright-python, so nothing is fetched while the test runs.
"""
from __future__ import annotations

from pathlib import Path

from browser import chromium, needs_chromium
from conftest import DEMO_PERIOD

# The demo's tertial and year share the month's templates, except the year's lägesbild layout: their
# index, SuToHaMu, Sunne and the county are checked beside every report of the month.
LONGER = {"2026-T2": ("index.html", "region/sutohamu.html", "kommun/1766.html"),
          "2025": ("index.html", "region/sutohamu.html", "kommun/1766.html", "region/lan-17.html", "kommun/1783.html")}


def every_report(demo: Path) -> list[Path]:
    folder = demo / "reports" / DEMO_PERIOD
    month = [folder / "index.html", *sorted(folder.glob("kommun/*.html")), *sorted(folder.glob("region/*.html"))]
    longer = [demo / "reports" / period / name for period, names in LONGER.items() for name in names]
    return [demo / "reports" / "index.html", *month, *longer]


@needs_chromium
def test_every_report_has_no_axe_violations(demo):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: list[str] = []
    paths = every_report(demo)
    assert len(paths) > 10
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
