"""Brå's indicators in the reports: NTU values with their intervals, the rule for a real change, and a
workspace that holds nothing but one municipality's workbook, run through the real CLI.

The interval rule: a change between two years is real (säkerställd) only when the two 95 % intervals do
not overlap. Every value below is hand-checked against the cells the test writes.
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from cli_helpers import run

from pipeline.config import Workspace
from pipeline.publish import publish
from pipeline.report import bra
from pipeline.report.page import Report, render_section

NBSP = "\u00a0"


def ntu(value, low, high):
    return SimpleNamespace(value_given=value, ci_low=low, ci_high=high)


@pytest.mark.parametrize("earlier, later, expected", [
    (ntu(18, 14, 22), ntu(12, 9, 16), "ingen säkerställd förändring"),  # 14–22 and 9–16 share 14–16
    (ntu(27, 23, 31), ntu(18, 14, 22), "säkerställd minskning"),  # 23–31 lies wholly above 14–22
    (ntu(12, 9, 16), ntu(21, 17, 25), "säkerställd ökning"),  # 17 > 16
    (ntu(18, 14, 22), ntu(26, 22, 30), "ingen säkerställd förändring"),  # touching at 22 is overlapping
    (ntu(18, 14, 22), ntu(25, float("nan"), float("nan")), bra.NO_INTERVAL),  # no interval: no verdict
])
def test_a_change_is_real_only_when_the_intervals_do_not_overlap(earlier, later, expected):
    assert bra.change(earlier, later) == expected


def test_an_ntu_value_is_shown_with_its_interval_in_swedish():
    assert bra.with_interval(ntu(18, 14, 22), "Andel (%)", 0) == f"18{NBSP}% (14–22)"
    assert bra.with_interval(ntu(12.5, 9.25, 16), "procent", 1) == f"12,5{NBSP}% (9,2–16,0)"  # 9,25 rounds half to even
    assert bra.with_interval(ntu(1325, 1290, 1360), "antal svarande", 0) == f"1{NBSP}325 (1{NBSP}290–1{NBSP}360)"
    assert bra.with_interval(ntu(14.9, float("nan"), float("nan")), "Andel (%)", 1) == f"14,9{NBSP}%"
    assert bra.with_interval(None, "Andel (%)", 0) == "–"


# --- a workspace with only Brå's workbook -------------------------------------------------------------

OTRYGGHET = "Otrygghet vid utevistelse sen kväll i det egna bostadsområdet, enligt NTU 2022–2024."


def sunne_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    years = ["Område", "2022", "2023", "2024"]
    for name, title, headers, rows in [
        ("Otrygghet (NTU)", f"{OTRYGGHET} Andel (%)", years,
         [["Sunne", 27, 18, 12], ["Värmlands län", 17, 16, 15], ["Hela landet", 16, 15, 15]]),
        ("Otrygghet KI undre", f"{OTRYGGHET} KI (95 %) undre gräns", years,
         [["Sunne", 23, 14, 9], ["Värmlands län", 16, 15, 14], ["Hela landet", 15, 14, 14]]),
        ("Otrygghet KI övre", f"{OTRYGGHET} KI (95 %) övre gräns", years,
         [["Sunne", 31, 22, 16], ["Värmlands län", 18, 17, 16], ["Hela landet", 17, 16, 16]]),
        ("Misshandel (anmälda)", "Misshandel (anmälda brott) i kommunen, länet och hela landet 2023–2024",
         ["Område", "Antal 2023", "Antal 2024", "Antal per 100 000 inv 2023", "Antal per 100 000 inv 2024"],
         [["Sunne", 40, 52, 301, 390], ["Värmlands län", 2100, 2200, 741, 776], ["Hela landet", 90000, 91000, 857, 862]]),
    ]:
        sheet = book.create_sheet(name)
        sheet.append([title])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def text(markup: str) -> str:
    """A report's text with the tags as separators: '<td>18 % (14–22)</td>' -> '| 18 % (14–22) |'."""
    return html.unescape(re.sub(r"\s*\|(\s*\|)+\s*", " | ", re.sub(r"<[^>]+>", " | ", markup)))


@pytest.fixture(scope="module")
def only_bra(tmp_path_factory) -> Path:
    """The real CLI on a workspace with Sunne's workbook alone: ingest, build and the year's lägesbild for Sunne."""
    root = tmp_path_factory.mktemp("bra")
    sunne_workbook(root / "data" / "raw" / "statistik" / "Sunne.xlsx")
    for args in (["ingest"], ["build", "--period", "2024"], ["report", "--period", "2024", "--area", "1766"]):
        result = run([*args, "--workspace", str(root)])
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    return root


@pytest.fixture(scope="module")
def month(only_bra) -> Path:
    """The snapshot of December 2024, published beside the year's (a month report is rendered from it below)."""
    return publish(Workspace(only_bra), "2024-12")


def rendered(snapshot: Path, area: str, section: str) -> str:
    report = Report.load(snapshot, snapshot.name, area)
    assert section in report.sections  # the registry puts the section in the area's report
    return str(render_section(report.snap, section))


def test_a_workspace_with_only_bras_workbook_shows_the_municipalitys_ntu_values_with_intervals(month):
    markup = rendered(month, "1766", "bra.indicators")
    ntu = text(markup)
    assert "En förändring mellan två år kallas säkerställd bara när de två årens 95-procentiga konfidensintervall inte överlappar." in ntu
    # the latest year beside the county and the country, and the change from the year before (9–16 overlaps 14–22)
    assert (f"| Indikator | Sunne | Värmlands län | Hela landet | Förändring i Sunne från året före | Otrygghet vid utevistelse sen "
            f"kväll i bostadsområdet | 2024 | 12{NBSP}% (9–16) | 15{NBSP}% (14–16) | 15{NBSP}% (14–16) | 2023–2024: ingen säkerställd "
            "förändring |") in ntu
    # year by year: 2022 (23–31) to 2023 (14–22) does not overlap, so it is real
    assert f"| 2022 | 27{NBSP}% (23–31) | 17{NBSP}% (16–18) | 16{NBSP}% (15–17) | – |" in ntu
    assert f"| 2023 | 18{NBSP}% (14–22) | 16{NBSP}% (15–17) | 15{NBSP}% (14–16) | säkerställd minskning |" in ntu
    assert "Från 2022 till 2024: säkerställd minskning i Sunne." in ntu
    # Brå's reported crimes from the same workbook: Sunne's count and the rates per 100 000, counted on SCB's mean
    # population, within rounding of the rates Brå gives in the sheet (390, 776, 862)
    [rates] = re.findall(r"\| Misshandel \| 2024 \| 52 \| (\d+) \| (\d+) \| (\d+) \|", ntu)
    assert all(abs(int(rate) - given) <= 1 for rate, given in zip(rates, (390, 776, 862))), rates
    # accessible: every table has a caption, column headers and row headers
    assert markup.count("<table") == 3 and markup.count("<caption>") == 3
    assert markup.count('<th scope="row"') == 1 + 3 + 1  # overview, year by year, reported crimes
    assert '<th scope="col">Hela landet</th>' in markup


def test_the_follow_up_leaves_ntu_to_its_own_section(month):
    follow_up = text(rendered(month, "1766", "followup.follow_up"))
    assert "Misshandel, Sunne, 2023–2024" in follow_up
    assert "Otrygghet vid utevistelse sen kväll i bostadsområdet, Sunne" not in follow_up


def test_a_region_lists_its_members_values_and_pools_none(month):
    members = text(rendered(month, "sutohamu", "bra.members"))
    assert "Trygghet och utsatthet enligt NTU: kommunerna i SuToHaMu" in members
    assert "Kommunernas värden slås inte ihop till ett värde för SuToHaMu" in members
    assert f"| Sunne | 12{NBSP}% (9–16) | ingen säkerställd förändring |" in members
    assert f"| Värmlands län (som jämförelse) | 15{NBSP}% (14–16) | ingen säkerställd förändring |" in members
    assert "NTU-värden saknas för Hagfors, Munkfors och Torsby." in members


def test_the_years_lagesbild_shows_them_under_what_and_how_much(only_bra):
    page = text((only_bra / "reports" / "2024" / "kommun" / "1766.html").read_text(encoding="utf-8"))
    amount = page[page.index("Vilka problem och hur mycket"):page.index("Utveckling över tid")]
    assert "Trygghet och utsatthet enligt NTU" in amount
    assert f"| 2023 | 18{NBSP}% (14–22) | 16{NBSP}% (15–17) | 15{NBSP}% (14–16) | säkerställd minskning |" in amount
    # the year's table per 100 000 has Brå's reported crimes and not NTU
    assert "| Misshandel | 2024 | 52 | 389 |" in amount and "| Otrygghet vid utevistelse sen kväll i bostadsområdet | 2024 | – |" not in amount
    # NTU is part of the official statistics now, no longer a source still to come (schemas/lagesbild_lag.yaml)
    assert "Invånarnas egen utsatthet och otrygghet, också för brott som aldrig anmäls, ingår inte i kartläggningen." not in page
