"""`lagesbild report --pdf`: a PDF beside each report, printed by Chromium; without Chromium a Swedish message and exit 4."""
from __future__ import annotations

import re
from pathlib import Path

from browser import needs_chromium
from cli_helpers import LAGESBILD, run
from conftest import DEMO_PERIOD

PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")  # a page object, not the page tree (/Pages)


def report_pdf(workspace: Path, *areas: str, env: dict[str, str] | None = None):
    picked = [arg for area in areas for arg in ("--area", area)]
    return run(["report", "--period", DEMO_PERIOD, *picked, "--pdf", "--workspace", str(workspace)], env=env)


@needs_chromium
def test_report_pdf_writes_a_pdf_beside_each_report_and_a_rerun_leaves_it(demo_copy):
    first = report_pdf(demo_copy, "1737", "sutohamu")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "PDF: 2 skapade, 0 oförändrade, 0 misslyckades." in first.stdout
    folder = demo_copy / "reports" / DEMO_PERIOD
    for pdf in (folder / "kommun" / "1737.pdf", folder / "region" / "sutohamu.pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-"), pdf
        assert len(PAGE.findall(data)) >= 2, pdf  # a report is more than one A4 page
    assert not list(folder.rglob("*.tmp"))
    again = report_pdf(demo_copy, "1737", "sutohamu")
    assert again.returncode == 0 and "PDF: 0 skapade, 2 oförändrade, 0 misslyckades." in again.stdout


def test_without_chromium_the_html_is_written_and_a_swedish_message_says_what_to_install(demo_copy, tmp_path):
    # PATH holds only the venv's programs, and the browser the module is told to use does not exist
    result = report_pdf(demo_copy, "1737", env={"PATH": str(LAGESBILD.parent), "LAGESBILD_CHROMIUM": str(tmp_path / "ingen-chromium")})
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Chromium saknas" in result.stderr and "sudo apt-get install chromium" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Rapporter: 0 skapade, 1 oförändrade, 0 misslyckades." in result.stdout
    assert (demo_copy / "reports" / DEMO_PERIOD / "kommun" / "1737.html").exists()
    assert not (demo_copy / "reports" / DEMO_PERIOD / "kommun" / "1737.pdf").exists()


def test_the_printed_pages_carry_the_area_and_period_as_an_escaped_css_string(demo):
    html = (demo / "reports" / DEMO_PERIOD / "kommun" / "1737.html").read_text(encoding="utf-8")
    assert '@page { @top-left { content: "Lägesbild Torsby\\2c  oktober 2026"; } }' in html
    assert 'content: "Sida " counter(page) " av " counter(pages)' in html


def test_a_css_string_cannot_be_ended_by_the_text_it_holds():
    from pipeline.report.templates import css_string

    quoted = css_string('Å "x" \\ </style>\n– 2026')
    inner = quoted[1:-1]
    assert quoted.startswith('"') and quoted.endswith('"')
    assert not set('"<>\n') & set(inner) and "\\5c " in inner and "Å" in inner
