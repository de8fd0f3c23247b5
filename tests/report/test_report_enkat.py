"""The lägesbild questionnaire in the rendered reports, on a small hand-checked example.

Real files through the real CLI (ingest, build, report): a Google Forms csv with four SuToHaMu
municipalities' sectors over two rounds, a comment and an e-mail column that must never reach a
report, one misspelt answer, and a Karlstad answer from a later round. Munkfors never answers.
INTOX forms for the four municipalities make the reports render. Every expected figure is worked
out by hand in the comments.
"""
from __future__ import annotations

import csv
import re
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from intox_helpers import form, write_coverage, write_forms

PERIOD = "2026-10"
LAGESBILD = str(Path(sys.executable).with_name("lagesbild"))
PRESENCE = "Hur förekommer följande i kommunen? [{}]"
TREND = "Hur har följande utvecklats det senaste året? [{}]"
QUESTIONS = {"hoger": "Högerextrem miljö", "natverk": "Kriminella nätverk finns i kommunen", "handel": "Öppen narkotikahandel"}
LABELS = {0: "Förekommer inte", 1: "I liten utsträckning", 2: "I viss utsträckning", 3: "I stor utsträckning", None: "Vet ej",
          "typo": "I viss utsträkning"}
TRENDS = {"-": "Minskat", "=": "Oförändrat", "+": "Ökat", "?": "Vet ej"}
COMMENT = "Hemlig kommentar om gänget vid busstationen"
EMAIL = "anna.svensson@example.se"


def answers(hoger, natverk, handel) -> list[str]:
    trio = (hoger, natverk, handel)
    return [LABELS[p] for p, _ in trio] + [TRENDS[t] for _, t in trio]


ROWS = [
    # Tidstämpel, Kommun, Sektor, presence and trend of hoger, natverk, handel
    # 2025-H2 (Sunne only)
    ["2025-10-02 09:00:00", "Sunne", "Polis", *answers((1, "="), (2, "="), (1, "="))],
    ["2025-10-03 09:00:00", "Sunne", "Skola", *answers((0, "="), (0, "="), (0, "="))],
    # 2026-H1
    ["2026-03-01 09:00:00", "Sunne", "Polis", *answers((1, "="), (3, "+"), (2, "+"))],
    ["2026-03-02 09:00:00", "Sunne", "Skola", *answers((0, "?"), (1, "="), (None, "?"))],
    ["2026-03-03 09:00:00", "Sunne", "Socialtjänst", *answers((0, "-"), (0, "-"), (0, "-"))],  # replaced by the next
    ["2026-03-10 09:00:00", "Sunne", "Socialtjänsten", *answers((1, "="), (2, "+"), (2, "="))],
    ["2026-02-01 09:00:00", "Torsby", "Polis", *answers((3, "+"), (2, "+"), (3, "+"))],
    ["2026-02-02 09:00:00", "Torsby", "Fritid", *answers((0, "="), (2, "+"), (1, "="))],
    ["2026-04-01 09:00:00", "Hagfors", "Polis", *answers((1, "="), (3, "+"), (1, "+"))],
    ["2026-04-02 09:00:00", "Hagfors", "Skola", *answers((1, "="), ("typo", "+"), (0, "="))],  # misspelt: that answer quarantined
    # 2026-H2: Karlstad, outside SuToHaMu; the SuToHaMu reports keep showing 2026-H1
    ["2026-08-01 09:00:00", "Karlstad", "Polis", *answers((2, "="), (2, "="), (2, "="))],
]


def write_questionnaire(root: Path) -> None:
    folder = root / "data" / "raw" / "enkat"
    folder.mkdir(parents=True, exist_ok=True)
    header = ["Tidstämpel", "E-postadress", "Kommun", "Sektor"]
    header += [PRESENCE.format(t) for t in QUESTIONS.values()] + [TREND.format(t) for t in QUESTIONS.values()]
    header += ["Kommentar om kriminella nätverk"]
    rows = [[r[0], EMAIL, *r[1:], COMMENT if r[2] == "Polis" else ""] for r in ROWS]
    with open(folder / "lagesbild_google.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])


def lagesbild(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LAGESBILD, *args, "--workspace", str(root)], capture_output=True, text=True, timeout=600)


def make_workspace(root: Path, areas: tuple[str, ...] = ("1766", "1762", "sutohamu", "1780")) -> Path:
    write_coverage(root, {"torsby": (["1766", "1737", "1783", "1762"], "2026-09")})
    homes = ["Sunne", "Torsby", "Hagfors", "Munkfors"]
    write_forms(root, "torsby", "intox.csv", [form(str(i), f"2026-{9 + i % 2:02d}-{1 + i % 27:02d}", home=homes[i % 4]) for i in range(40)])
    write_questionnaire(root)
    ingest = lagesbild(root, "ingest")
    assert ingest.returncode == 1, ingest.stdout + ingest.stderr  # 1: the misspelt answer is in quarantine
    build = lagesbild(root, "build", "--period", PERIOD)
    assert build.returncode == 0, build.stdout + build.stderr
    report = lagesbild(root, "report", "--period", PERIOD, *[a for area in areas for a in ("--area", area)])
    assert report.returncode == 0, report.stdout + report.stderr
    return root / "reports" / PERIOD


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("enkat-report"))


# --- reading the HTML ----------------------------------------------------------------------------


class Tables(HTMLParser):
    """Every table of a page: its caption and rows of (tag, class, text) cells; headings in order.

    Cell text is what a sighted reader sees: words only for screen readers (class visually-hidden) are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.headings: list[int] = []
        self._cell: list | None = None
        self._caption: list | None = None
        self._stack: list[dict] = []
        self._spans: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span":
            self._spans.append("visually-hidden" in (attrs.get("class") or ""))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "table":
            self._stack.append({"caption": "", "rows": [], "class": attrs.get("class") or ""})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._stack:
            self._stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = [tag, attrs.get("class") or "", []]

    def handle_endtag(self, tag):
        if tag == "span" and self._spans:
            self._spans.pop()
        if tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag == "caption" and self._caption is not None:
            self._stack[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            tag_, css, text = self._cell
            self._stack[-1]["rows"][-1].append((tag_, css, " ".join("".join(text).split())))
            self._cell = None

    def handle_data(self, data):
        if any(self._spans):
            return
        if self._cell is not None:
            self._cell[2].append(data)
        elif self._caption is not None:
            self._caption.append(data)


def page(reports: Path, path: str) -> tuple[str, Tables]:
    text = (reports / path).read_text(encoding="utf-8")
    parsed = Tables()
    parsed.feed(text)
    return text, parsed


def find_table(parsed: Tables, caption_start: str) -> dict:
    found = [t for t in parsed.tables if t["caption"].startswith(caption_start)]
    assert len(found) == 1, [t["caption"] for t in parsed.tables]
    return found[0]


def row(found: dict, header: str) -> list[tuple[str, str, str]]:
    rows = [r for r in found["rows"] if any(cell[0] == "th" and cell[2] == header for cell in r)]
    assert len(rows) == 1, header
    return rows[0]


def section(text: str, heading: str) -> str:
    """The HTML from a heading to the end of its section."""
    start = text.index(heading)
    return text[start:text.index("</section>", start)]


def plain(html_: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html_)).split())


# --- the kommun report ----------------------------------------------------------------------------


def test_heat_table_has_the_sectors_as_columns_and_the_answers_written_in_their_cells(reports):
    text, parsed = page(reports, "kommun/1766.html")
    # Sunne's latest round with answers is 2026-H1 (the report month's round, 2026-H2, has none for Sunne)
    assert "<h2>Lägesbildsenkät första halvåret 2026</h2>" in text
    heat = find_table(parsed, "Kriminella nätverk: sektorernas svar")
    assert [cell[2] for cell in heat["rows"][0]] == ["Fråga", "Polis", "Socialtjänst", "Skola"]
    networks = row(heat, "Kriminella nätverk finns i kommunen")
    # Socialtjänst's later answer (I viss, Ökat) counts, not the first one (Förekommer inte, Minskat)
    assert [cell[2] for cell in networks[1:]] == ["I stor utsträckning ↑ Ökat", "I viss utsträckning ↑ Ökat", "I liten utsträckning → Oförändrat"]
    assert [cell[1] for cell in networks[1:]] == ["heat heat-3", "heat heat-2", "heat heat-1"]
    dealing = row(heat, "Öppen narkotikahandel")
    assert dealing[3] == ("td", "heat heat-vetej", "Vet ej Vet ej")  # Skola: Vet ej on both scales, hatched
    # a screen reader hears the trend named instead of the arrow
    assert '<span class="visually-hidden">utveckling: </span><span aria-hidden="true">↑</span> Ökat' in text
    assert [cell[2] for cell in dealing[1:3]] == ["I viss utsträckning ↑ Ökat", "I viss utsträckning → Oförändrat"]
    extremism = find_table(parsed, "Våldsbejakande extremism: sektorernas svar")
    assert [cell[2] for cell in row(extremism, "Våldsbejakande högerextrem miljö (vit makt-miljö)")[1:]] == [
        "I liten utsträckning → Oförändrat", "I liten utsträckning → Oförändrat", "Förekommer inte Vet ej"]


def test_distribution_index_shares_and_change_since_the_previous_round(reports):
    _, parsed = page(reports, "kommun/1766.html")
    networks = find_table(parsed, "Kriminella nätverk: svarsfördelning")
    cells = lambda question: [c[2] for c in row(networks, question)[1:]]  # noqa: E731
    # 2026-H1: Polis 3, Skola 1, Socialtjänst 2 -> index 2,0; viss+ 2 of 3; Ökat 2 of 3; 2025-H2: (2 + 0) / 2 = 1,0
    assert cells("Kriminella nätverk finns i kommunen") == ["0", "1", "1", "1", "0", "2,0", "67 %", "67 %", "0 %", "+1,0 (sedan 2025 H2)"]
    # Polis 2, Socialtjänst 2, Skola Vet ej (no 0): index 2,0 of two; Vet ej 1 of 3; 2025-H2: (1 + 0) / 2 = 0,5 -> +1,5
    assert cells("Öppen narkotikahandel") == ["0", "0", "2", "0", "1", "2,0", "67 %", "33 %", "33 %", "+1,5 (sedan 2025 H2)"]
    # the whole area: 3, 1, 2, 2, 2 and one Vet ej -> 10 / 5 = 2,0
    assert cells("Hela området (alla frågor)")[:6] == ["0", "1", "3", "1", "1", "2,0"]
    extremism = find_table(parsed, "Våldsbejakande extremism: svarsfördelning")
    # (1 + 0 + 1) / 3 = 0,67 now, (1 + 0) / 2 = 0,5 before: +0,17 -> "+0,2"
    assert [c[2] for c in row(extremism, "Våldsbejakande högerextrem miljö (vit makt-miljö)")[1:]] == [
        "1", "2", "0", "0", "0", "0,7", "0 %", "0 %", "0 %", "+0,2 (sedan 2025 H2)"]


def test_samsyn_lists_the_planted_pair_and_coverage_says_who_is_missing_and_what_was_replaced(reports):
    text, _ = page(reports, "kommun/1766.html")
    samsyn_html = section(text, "<h3>Samsyn")
    samsyn = plain(samsyn_html)
    assert "Kriminella nätverk finns i kommunen (Kriminella nätverk): Skola: I liten utsträckning – Polis: I stor utsträckning" in samsyn
    # only that pair: right-wing 0 vs 1 and drug dealing 2 vs 2 (Vet ej takes no part) are less than two steps apart
    assert samsyn_html.count("<li>") == 1
    coverage = plain(section(text, "<h3>Vilka sektorer har svarat"))
    assert "Tre sektorer har svarat: Polis, Socialtjänst och Skola." in coverage
    assert "Förväntade sektorer som inte har svarat: Fritid, Bostadsbolag och Säkerhetssamordnare." in coverage
    assert "Ett svar har ersatts av ett senare svar från samma sektor (Socialtjänst)" in coverage


def test_questionnaire_data_quality_is_its_own_and_the_intox_part_lists_only_intox(reports):
    text, parsed = page(reports, "kommun/1766.html")
    files = find_table(parsed, "Enkätfiler")
    assert [c[2] for c in files["rows"][1]][:3] == ["enkat/lagesbild_google.csv", "inläst med karantän", "2025 H2 – 2026 H2"]
    quarantine = find_table(parsed, "Enkätsvar i karantän")
    assert [c[2] for c in quarantine["rows"][1]][1:3] == ["Hur förekommer följande i kommunen? [Kriminella nätverk finns i kommunen]", "okänt svar"]
    replaced = find_table(parsed, "Ersatta svar")
    assert [c[2] for c in replaced["rows"][1]][:3] == ["2026 H1", "Sunne", "Socialtjänst"]
    intox = section(text, "<h2>Dataunderlag och datakvalitet</h2>")
    assert "intox/torsby/intox.csv" in intox and "enkat/" not in intox and "lagesbild_google" not in intox


def test_a_kommun_without_answers_says_so_in_its_header_and_has_no_questionnaire_section(reports):
    # The questionnaire is a source of its own: without answers from Munkfors it has no section there, and the
    # header names it among the missing sources (the section's own "no answers" paragraph is for an older snapshot).
    text, _ = page(reports, "kommun/1762.html")
    header = plain(text[text.index("<header>"):text.index("</header>")])
    assert ("Rapporten bygger på INTOX. Lägesbildsenkäten, registret över medborgarlöften och insatser, den officiella "
            "statistiken, polisens brottsstatistik och EST-rapporterna ingår inte i underlaget för Munkfors.") in header
    assert "<h2>Lägesbildsenkät" not in text and 'id="lagesbildsenkat"' not in text
    assert "<h2>Nyckeltal</h2>" in text


def test_a_kommun_with_only_questionnaire_answers_gets_a_report_without_intox(reports):
    # Karlstad answers in 2026-H2 but is outside the INTOX coverage: its report rests on the questionnaire alone
    text, parsed = page(reports, "kommun/1780.html")
    words = plain(text)
    assert "Rapporten bygger på lägesbildsenkäten." in words
    assert ("INTOX, registret över medborgarlöften och insatser, den officiella statistiken, polisens brottsstatistik och "
            "EST-rapporterna ingår inte i underlaget för Karlstad.") in words
    assert "Rapporten bygger på INTOX" not in words and "röjandeskyddade" not in words
    assert "Nyckeltal" not in words and "Dataunderlag och datakvalitet" not in words and "Definitioner" not in words
    assert 'class="plotly-graph-div"' not in text
    assert "<h2>Lägesbildsenkät andra halvåret 2026</h2>" in text
    assert [c[2] for c in find_table(parsed, "Kriminella nätverk: sektorernas svar")["rows"][0]] == ["Fråga", "Polis"]
    assert parsed.headings[0] == 1 and all(b <= a + 1 for a, b in zip(parsed.headings, parsed.headings[1:]))
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert 'href="kommun/1780.html"' in index


# --- the region report ----------------------------------------------------------------------------


def test_regional_picture_ranks_the_recurring_problem_first_and_names_who_did_not_answer(reports):
    text, parsed = page(reports, "region/sutohamu.html")
    picture = plain(section(text, "<h2>Regional lägesbild första halvåret 2026</h2>"))
    assert "3 av 4 kommuner har svarat" in picture
    assert "Kommuner som inte har svarat första halvåret 2026: Munkfors." in picture
    ranked = find_table(parsed, "Alla frågor rangordnade")
    # networks: Sunne 2 of 3 at viss+, Torsby 2 of 2, Hagfors 1 of 1 (its school's answer is in quarantine) -> 3 of 3;
    #   Ökat in all three; index (3+1+2 + 2+2 + 3) / 6 = 2,17
    # drug dealing: Sunne 2 of 2 positioned, Torsby 1 of 2 (half counts), Hagfors 0 of 2 -> 2; Ökat: Sunne 1 of 2, Torsby 1 of 2,
    #   Hagfors 1 of 2 -> 3; index (2+2 + 3+1 + 1+0) / 6 = 1,5
    # right-wing: Torsby 1 of 2 (polis 3, fritid 0) -> 1; Ökat Torsby 1 of 2 -> 1; index (1+0+1 + 3+0 + 1+1) / 7 = 1,0
    assert [[c[2] for c in r] for r in ranked["rows"][1:]] == [
        ["1", "Kriminella nätverk finns i kommunen", "Kriminella nätverk", "3 av 3", "3", "2,2", "Ja"],
        ["2", "Öppen narkotikahandel", "Kriminella nätverk", "2 av 3", "3", "1,5", "Ja"],
        ["3", "Våldsbejakande högerextrem miljö (vit makt-miljö)", "Våldsbejakande extremism", "1 av 3", "1", "1,0", "Nej"],
    ]
    assert "Kriminella nätverk finns i kommunen (Kriminella nätverk): i viss utsträckning eller mer i 3 av 3 kommuner" in picture
    members = find_table(parsed, "Kommuner som har svarat")
    assert [[c[2] for c in r][:2] for r in members["rows"][1:]] == [
        ["Hagfors", "2: Polis och Skola"], ["Sunne", "3: Polis, Socialtjänst och Skola"], ["Torsby", "2: Polis och Fritid"]]
    # the chart has its fixed id, a text alternative and its numbers beside it
    assert 'id="enkat-region-sutohamu"' in text
    assert find_table(parsed, "De vanligaste problemen")["rows"][1][1][2] == "3"


def test_no_comment_or_e_mail_and_headings_in_order_in_every_report(reports):
    for path in sorted(reports.rglob("*.html")):
        text, parsed = page(reports, str(path.relative_to(reports)))
        assert COMMENT.lower() not in text.lower() and "busstationen" not in text, path.name
        assert EMAIL not in text and "anna.svensson" not in text, path.name
        if path.name != "index.html":
            levels = parsed.headings
            assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), (path.name, levels)


def test_an_older_snapshot_without_questionnaire_tables_still_renders_its_sections(reports, tmp_path):
    from pipeline.report.page import render_section
    from pipeline.report.snapshot import Snapshot

    snapshot = reports.parent.parent / "data" / "processed" / PERIOD
    for file in snapshot.iterdir():
        if not file.name.startswith("enkat_") and file.suffix in (".parquet", ".json"):
            (tmp_path / file.name).write_bytes(file.read_bytes())
    snap = Snapshot.load(tmp_path, PERIOD, "1766")
    assert snap.enkat_round() is None and snap.enkat_table("enkat_values").empty
    assert "Ingen lägesbildsenkät har kommit in" in render_section(snap, "enkat.lagesbild")
    region = Snapshot.load(tmp_path, PERIOD, "sutohamu")
    assert "Ingen av kommunerna i" in render_section(region, "enkat.regional_picture")
    assert "2025 H2 – 2026 H2" not in render_section(snap, "intox.data_quality")
