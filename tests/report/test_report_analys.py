"""The coordinator's analysis (analys/<period>/<area>.md): rendered safely into that area's report only,
redone when the file changes, and started by `lagesbild template analys` from the published snapshot.

Real files through the real CLI and real papermill runs, on a copy of the session's demo (conftest.py).
"""
from __future__ import annotations

import hashlib
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import run

from pipeline.config import Workspace
from pipeline.report.analys import to_html
from pipeline.report.formats import number
from pipeline.report.render import render

PERIOD = "2026-10"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PLANTED = """# Läget i SuToHaMu

Det här är **viktigt** och *kursivt*.

## Slutsatser

- Första slutsatsen
- Andra slutsatsen

<script>window.planted = 1; alert("planterad")</script>

<img src=x onerror="window.planted = 2; alert('bild')">

[Klicka här](javascript:window.planted=3) och [Brå](https://bra.se/statistik) och [mejl](mailto:samordnare@example.se).

#### För djup rubrik

Slut på analysen.
"""
SUNNE = "# Sunne\n\nFörsta versionen av analysen.\n"


class Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


def headings(text: str) -> list[int]:
    parser = Headings()
    parser.feed(text)
    return parser.levels


def plain(html_: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html_)).split()).replace(" ,", ",")


def analysis_section(text: str) -> str:
    start = text.index('<section class="analys"')
    return text[start:text.index("</section>", start)]


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*.html"))}


@pytest.fixture(scope="module")
def analysed(demo, tmp_path_factory) -> dict:
    """A copy of the demo: SuToHaMu's planted analysis, then Sunne's analysis written, edited and removed, a report run after each."""
    workspace = Path(shutil.copytree(demo, tmp_path_factory.mktemp("analys") / "demo", symlinks=True))
    reports = workspace / "reports" / PERIOD
    folder = workspace / "analys" / PERIOD
    folder.mkdir(parents=True)
    (folder / "sutohamu.md").write_text(PLANTED, encoding="utf-8")
    first = run(["report", "--period", PERIOD, "--workspace", str(workspace)], cwd=workspace)
    steps = {}
    for step, text in (("written", SUNNE), ("edited", SUNNE + "\n- En ändring.\n"), ("removed", None)):
        before = digests(reports)
        if text is None:
            (folder / "1766.md").unlink()
        else:
            (folder / "1766.md").write_text(text, encoding="utf-8")
        results = render(Workspace(workspace), PERIOD)
        steps[step] = {"status": {r.area_code: r.status for r in results},
                       "changed": sorted(k for k, v in digests(reports).items() if before.get(k) != v),
                       "sunne": (reports / "kommun" / "1766.html").read_text(encoding="utf-8")}
    return {"workspace": workspace, "reports": reports, "first": first, "steps": steps}


# --- Markdown ---------------------------------------------------------------------------------------


def test_markdown_features_render_and_headings_sit_below_the_section_in_order():
    html = str(to_html("# Analys\n\nText med **fet** och *kursiv*.\n\n## Slutsatser\n\n- ett\n- två\n\n1. först\n\n#### djup\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
    assert "<h3>Analys</h3>" in html and "<h4>Slutsatser</h4>" in html and "<h5>djup</h5>" in html
    assert "<strong>fet</strong>" in html and "<em>kursiv</em>" in html
    assert "<ul>\n<li>ett</li>" in html and "<ol>" in html and "<td>1</td>" in html
    # a file that starts at ## or skips a level still never skips one in the report
    assert headings(str(to_html("### a\n\n# b\n\n###### c\n"))) == [3, 3, 4]


def test_raw_html_is_text_and_only_web_and_mail_links_survive():
    html = str(to_html('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n[a](javascript:alert(1)) [b](JavaScript:alert(1)) '
                       "[c](data:text/html,x) [d](file:///etc/passwd) [e](vbscript:x) [f](../index.html) [g](https://bra.se) "
                       "[h](mailto:a@example.se) ![bild](https://example.se/x.png) <javascript:alert(1)>"))
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert re.findall(r'href="([^"]*)"', html) == ["https://bra.se", "mailto:a@example.se", "https://example.se/x.png"]
    # an image would be a network request from a self-contained report: it stays a link
    assert not re.search(r"<[a-z]+[^>]*\ssrc=", html)


# --- the section in the reports ----------------------------------------------------------------------


def test_every_report_says_no_analysis_is_written_and_how_to_start_one(demo):
    for path in sorted((demo / "reports" / PERIOD).glob("*/*.html")):
        text = path.read_text(encoding="utf-8")
        section = plain(analysis_section(text))
        assert section.startswith("Samordnarens analys"), path.name
        assert (f"Ingen analys är skriven för oktober 2026 – samordnaren börjar en med "
                f"lagesbild template analys --period {PERIOD} --area {path.stem}, som skriver filen analys/{PERIOD}/{path.stem}.md") in section
        # right after the header, before every source's section
        assert text.index("</header>") < text.index('<section class="analys"') < text.index("<section><h2>")


def test_the_planted_analysis_renders_as_text_in_sutohamu_only(analysed):
    first = analysed["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Rapporter: 1 skapade, 18 oförändrade, 0 misslyckades." in first.stdout
    assert re.findall(r"rapport \d+/\d+: (.+) \(\d+,\d s\)", first.stdout) == ["SuToHaMu"]
    text = (analysed["reports"] / "region" / "sutohamu.html").read_text(encoding="utf-8")
    section = analysis_section(text)
    assert f"ur filen <code>analys/{PERIOD}/sutohamu.md</code> (senast ändrad " in section
    assert re.search(r"senast ändrad \d{1,2} (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december) \d{4}\)", section)
    assert "<h3>Läget i SuToHaMu</h3>" in section and "<h4>Slutsatser</h4>" in section and "<h5>För djup rubrik</h5>" in section
    assert "<strong>viktigt</strong>" in section and "<li>Första slutsatsen</li>" in section
    # the planted markup is shown as text and is nowhere markup
    assert "&lt;script&gt;window.planted = 1" in section and "&lt;img src=x onerror=" in section
    assert "<script>window.planted" not in text and not re.search(r"<img[^>]*onerror", text) and 'href="javascript' not in text.lower()
    assert '<a href="https://bra.se/statistik">Brå</a>' in section and '<a href="mailto:samordnare@example.se">mejl</a>' in section
    levels = headings(text)
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    for path in analysed["reports"].rglob("*.html"):
        if path.name != "sutohamu.html":
            other = path.read_text(encoding="utf-8")
            assert "window.planted" not in other and "Läget i SuToHaMu" not in other, path.name


def test_editing_an_analysis_redoes_that_report_only(analysed):
    steps = analysed["steps"]
    for step in ("written", "edited", "removed"):
        status = steps[step]["status"]
        assert status.pop("1766") == "skapad", step
        assert len(status) == 18 and set(status.values()) == {"oförändrad"}, (step, status)
        assert steps[step]["changed"] == ["kommun/1766.html"], step
    assert "Första versionen av analysen." in steps["written"]["sunne"] and "En ändring." not in steps["written"]["sunne"]
    assert "<li>En ändring.</li>" in steps["edited"]["sunne"]
    assert "Ingen analys är skriven för oktober 2026" in steps["removed"]["sunne"]


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is installed by 'make test'")
def test_the_planted_script_does_not_run_in_chromium(analysed):
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto((analysed["reports"] / "region" / "sutohamu.html").as_uri())
        page.wait_for_selector("section.analys h3")
        planted = page.evaluate("window.planted === undefined ? null : window.planted")
        shown = page.locator("section.analys").inner_text()
        browser.close()
    assert planted is None and dialogs == []
    assert '<script>window.planted = 1; alert("planterad")</script>' in shown


# --- lagesbild template analys -------------------------------------------------------------------------


def published(demo: Path) -> pd.DataFrame:
    values = pd.read_parquet(demo / "data" / "processed" / PERIOD / "indicators.parquet")
    return values[values.category == ""]


def figure(values: pd.DataFrame, indicator: str, area: str, period: str) -> str:
    row = values[(values.indicator_id == indicator) & (values.area_code == area) & (values.period == period)].iloc[0]
    return ".." if row.suppression else number(row.value, int(row.decimals))


def test_template_analys_writes_the_headings_and_the_published_figures(demo, tmp_path):
    target = tmp_path / "sutohamu.md"
    result = run(["template", "analys", "--period", PERIOD, "--area", "sutohamu", "--ut", str(target), "--workspace", str(demo)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    text = target.read_text(encoding="utf-8")
    assert [line for line in text.splitlines() if line.startswith("#")] == ["# Analys", "## Slutsatser", "## Förslag till åtgärder", "## Underlag"]
    values = published(demo)
    expected = [("oktober 2026", "intox_cases", "intox_rate", PERIOD), ("oktober 2025", "intox_cases", "intox_rate", "2025-10"),
                ("12 månader till och med oktober 2026", "intox_cases_r12", "intox_rate_r12", PERIOD),
                ("12 månader till och med oktober 2025", "intox_cases_r12", "intox_rate_r12", "2025-10")]
    for label, count, rate, at in expected:
        assert f"| {label} | {figure(values, count, 'sutohamu', at)} | {figure(values, rate, 'sutohamu', at)} |" in text
    assert "Rapporten för SuToHaMu bygger på INTOX, lägesbildsenkäten" in text
    # the file renders in a report as the analyst wrote it: a table, headings in order
    assert "<table>" in str(to_html(text)) and headings(str(to_html(text))) == [3, 4, 4, 4]


def test_template_analys_writes_a_hidden_value_as_two_dots(demo, tmp_path):
    values = published(demo)
    hidden = values[(values.indicator_id == "intox_cases") & (values.period == PERIOD) & values.suppression.astype(bool)
                    & (values.area_type == "kommun")]
    assert not hidden.empty, "the demo has a municipality whose month is hidden"
    area = hidden.area_code.iloc[0]
    target = tmp_path / f"{area}.md"
    result = run(["template", "analys", "-p", PERIOD, "-a", area, "--ut", str(target), "--workspace", str(demo)], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in target.read_text(encoding="utf-8").splitlines() if line.startswith("| oktober 2026 |"))
    assert line == "| oktober 2026 | .. | .. |"


def test_template_analys_writes_into_the_workspace_and_never_overwrites(demo, tmp_path):
    (tmp_path / "data").symlink_to(demo / "data")  # the demo's snapshot, read only; the file lands in tmp_path/analys/
    args = ["template", "analys", "--period", PERIOD, "--area", "1766", "--workspace", str(tmp_path)]
    first = run(args, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    target = tmp_path / "analys" / PERIOD / "1766.md"
    assert target.read_text(encoding="utf-8").startswith("# Analys\n")
    assert f"lagesbild report --period {PERIOD} --area 1766" in first.stdout
    target.write_text("# Min analys\n", encoding="utf-8")
    again = run(args, cwd=tmp_path)
    assert again.returncode == 2 and "finns redan och skrivs inte över" in again.stderr and "--skriv-over" in again.stderr
    assert target.read_text(encoding="utf-8") == "# Min analys\n"
    forced = run([*args, "--skriv-over"], cwd=tmp_path)
    assert forced.returncode == 0 and target.read_text(encoding="utf-8").startswith("# Analys\n")


def test_template_analys_without_a_snapshot_or_with_an_unknown_area_exits_2(demo, tmp_path):
    none = run(["template", "analys", "--period", "2030-01", "--area", "1766", "--workspace", str(demo), "--ut", str(tmp_path / "a.md")], cwd=tmp_path)
    assert none.returncode == 2 and "Det finns ingen publicerad ögonblicksbild för januari 2030" in none.stderr
    assert "lagesbild build --period 2030-01" in none.stderr and not (tmp_path / "a.md").exists()
    unknown = run(["template", "analys", "--period", PERIOD, "--area", "9999", "--workspace", str(demo), "--ut", str(tmp_path / "b.md")], cwd=tmp_path)
    assert unknown.returncode == 2 and "Området 9999 har ingen rapport för oktober 2026" in unknown.stderr


def test_the_notebooks_default_the_analysis_parameter():
    for name in ("kommun", "region"):
        notebook = (Path(__file__).resolve().parents[2] / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "analysis_file = " in notebook and "report.analysis()" in notebook

