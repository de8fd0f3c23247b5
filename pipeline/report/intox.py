"""The sections of the INTOX reports, each an HTML string built from the published snapshot."""
from __future__ import annotations

import pandas as pd

from pipeline.report.lib import (
    LEGEND, Snapshot, breakdown, cell, data_table, esc, is_round, month, number, shift, short_round, table, trend_chart,
)

BREAKDOWNS = [
    ("intox_substance_r12", "Substanser", "Ett formulär kan ange flera substanser; andelarna summerar därför inte till 100 procent."),
    ("intox_age_r12", "Ålder", ""),
    ("intox_sex_r12", "Kön", ""),
    ("intox_intent_r12", "Avsikt", ""),
]


def title(snap: Snapshot, area_type: str, area: str) -> str:
    kind = "kommun" if area_type == "kommun" else "region"
    name = snap.area_name(area)
    heading = municipality_title(name) if kind == "kommun" else name
    return (
        f"<header><p class='kicker'>Lägesbild – INTOX och lägesbildsenkät</p><h1>{esc(heading)}, {month(snap.period)}</h1>"
        f"<p>Rapporten bygger på INTOX-formulär från akutmottagningarna, sammanställda per invånarnas hemkommun, och på "
        f"lägesbildsenkäten som kommunernas verksamheter besvarar varje halvår. INTOX-siffrorna är publicerade uppgifter: "
        f"antal från 1 till 4 visas inte. <a href='../index.html'>Alla rapporter för {month(snap.period)}</a>.</p></header>"
    )


def municipality_title(name: str) -> str:
    """'Karlstad' -> 'Karlstads kommun', 'Sunne' -> 'Sunne kommun', 'Falun' -> 'Falu kommun'."""
    irregular = {"Falun": "Falu kommun", "Gotland": "Region Gotland"}
    if name in irregular:
        return irregular[name]
    return f"{name} kommun" if name[-1].lower() in "aeiouyåäösxz" else f"{name}s kommun"


def key_figures(snap: Snapshot, area: str) -> str:
    period, last_year = snap.period, shift(snap.period, -12)
    lines = [  # label, count, rate, the period the figures are read at
        (month(period).capitalize(), "intox_cases", "intox_rate", period),
        (f"{month(last_year).capitalize()} (samma månad året innan)", "intox_cases_ly", "intox_rate_ly", period),
        ("Rullande 12 månader", "intox_cases_r12", "intox_rate_r12", period),
        (f"12 månader till och med {month(last_year)}", "intox_cases_r12", "intox_rate_r12", last_year),
    ]
    rows = []
    for label, count_id, rate_id, at in lines:
        count, rate = snap.get(count_id, area, at), snap.get(rate_id, area, at)
        row = [label, cell(count), cell(rate)]
        if count is not None and count["area_type"] != "kommun":
            # a region's comparisons may rest on other members than now: say on how many
            row.append(f"{int(count['areas_covered'])} av {int(count['areas_total'])}")
        rows.append(row)
    columns = ["Period", "Antal formulär", "Per 10 000 invånare", "Kommuner som ingår"]
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([r + ["–"] * (width - len(r)) for r in rows], columns=columns[:width])
    previous = snap.get("intox_rate_r12", area, last_year)
    change = _change_text(snap.get("intox_rate_r12", area, period), previous)
    coverage = _coverage_text(snap.get("intox_cases", area, period))
    basis = snap.get("intox_rate", area, period)
    population = f"<p class='note'>Befolkning: {esc(basis['population_basis'])} (SCB).</p>" if basis is not None and basis["population_basis"] else ""
    return (
        "<section><h2>Nyckeltal</h2>"
        + table(frame, f"INTOX-formulär för invånare i {snap.area_name(area)}")
        + f"<p>{change}</p>{coverage}{population}{LEGEND}</section>"
    )


def _change_text(now: pd.Series | None, before: pd.Series | None) -> str:
    if now is None or before is None or now["suppression"] or before["suppression"] or pd.isna(now["value"]) or pd.isna(before["value"]):
        return "Förändringen mot året innan kan inte visas (uppgift saknas eller är dold)."
    difference = round(now["value"] - before["value"], 1)
    level = f"De senaste 12 månaderna: {number(now['value'], 1)} formulär per 10 000 invånare"
    if difference == 0:
        return f"{level}, lika många som under 12-månadersperioden ett år tidigare."
    direction = "fler" if difference > 0 else "färre"
    return f"{level}, {number(abs(difference), 1)} {direction} än under 12-månadersperioden ett år tidigare ({number(before['value'], 1)})."


def _coverage_text(row: pd.Series | None) -> str:
    if row is None:
        return "<p class='note'>Området ingår inte i registreringen denna månad.</p>"
    if row["area_type"] == "kommun":
        return ""
    return (
        f"<p class='note'>Regionens siffror omfattar {int(row['areas_covered'])} av dess {int(row['areas_total'])} kommuner: "
        "de som ingår i INTOX-registreringen denna månad. Befolkningen räknas bara för dem.</p>"
    )


def trend(snap: Snapshot, area_type: str, area: str) -> str:
    periods = [shift(snap.period, -i) for i in range(23, -1, -1)]
    areas = [area] + snap.comparison_areas(area_type, area)
    return (
        "<section><h2>Utveckling de senaste 24 månaderna</h2>"
        "<p>Formulär per 10 000 invånare, rullande 12 månader: varje punkt är de tolv månader som slutar den månaden. "
        "Det jämnar ut slumpmässiga svängningar, som är stora i små kommuner.</p>"
        + trend_chart(snap, "intox_rate_r12", areas, periods, f"trend-{area}", "Formulär per 10 000 invånare, rullande 12 månader")
        + "<h3>Antal formulär per månad</h3>"
        + trend_chart(snap, "intox_cases", [area], periods, f"manad-{area}", "Antal formulär per månad")
        + "</section>"
    )


def breakdowns(snap: Snapshot, area: str) -> str:
    parts = ["<section><h2>Vilka substanser, vilka personer, vilken avsikt</h2>"
             f"<p>Andel av formulären under de 12 månaderna till och med {month(snap.period)}.</p>"]
    for indicator, heading, note in BREAKDOWNS:
        parts.append(f"<h3>{heading}</h3>" + (f"<p>{note}</p>" if note else ""))
        parts.append(breakdown(snap, indicator, area, snap.period, f"{indicator}-{area}"))
    return "".join(parts) + "</section>"


def members(snap: Snapshot, area: str) -> str:
    """For a region: each member municipality's key figures side by side."""
    codes = set(snap.values.loc[snap.values.area_type == "kommun", "area_code"])
    wanted = snap.member_codes(area)
    rows = []
    for code in [c for c in wanted if c in codes]:
        rows.append([
            f"<a href='../kommun/{code}.html'>{esc(snap.area_name(code))}</a>",
            cell(snap.get("intox_cases", code, snap.period)),
            cell(snap.get("intox_cases_r12", code, snap.period)),
            cell(snap.get("intox_rate_r12", code, snap.period)),
        ])
    frame = pd.DataFrame(rows, columns=["Kommun", f"Antal {month(snap.period)}", "Antal, 12 månader", "Per 10 000, 12 månader"])
    missing = len(wanted) - len(rows)
    note = f"<p class='note'>{missing} av regionens kommuner ingår inte i INTOX-registreringen och saknas här.</p>" if missing else ""
    return "<section><h2>Kommunerna i regionen</h2>" + table(frame, f"Kommunerna i {snap.area_name(area)}") + note + "</section>"


def data_quality(snap: Snapshot, area_type: str, area: str) -> str:
    periods = [shift(snap.period, -i) for i in range(23, -1, -1)]
    monthly = snap.series("intox_cases", area, periods)
    zero = [month(p) for p, row in monthly.iterrows() if row["suppression"] == "" and row["value"] == 0]
    uncovered = [month(p) for p, row in monthly.iterrows() if pd.isna(row["indicator_id"])]
    files, folders, issues_ = intox_files(snap)
    summary_rows = [
        [f"<code>{esc(r.folder)}/</code>", number(r.files), _small(r.rows_read), _small(r.rows_loaded), _small(r.rows_quarantined),
         esc(_span(r.first_period, r.last_period))]
        for r in folders.itertuples()
    ]
    file_rows = [
        [f"<code>{esc(r.path)}</code>", esc(r.status), esc(_span(r.first_period, r.last_period)), f"<code>{esc(r.sha256)}</code>"]
        for r in files.itertuples()
    ]
    file_table = table(
        pd.DataFrame(summary_rows, columns=["Mapp (enhet)", "Filer", "Rader lästa", "Inlästa", "I karantän", "Månader"]),
        "Filer som rapporten bygger på, per mapp",
    ) + data_table(table(
        pd.DataFrame(file_rows, columns=["Fil", "Status", "Månader", "Kontrollsumma (sha256)"]),
        "Varje fil med kontrollsumma",
    ), summary="Visa varje fil med kontrollsumma", kind="files")
    issue_rows = [[f"<code>{esc(r.path)}</code>", esc(r.column_name), esc(RULES.get(r.rule, r.rule)), _small(r.rows)] for r in issues_.itertuples()]
    issues = (
        table(pd.DataFrame(issue_rows, columns=["Fil", "Kolumn", "Fel", "Rader"]), "Rader i karantän, per fil, kolumn och fel")
        if issue_rows else "<p>Inga rader i karantän.</p>"
    )
    refused = files[files.status == "avvisad"]
    refused_text = (
        "<p><strong>Avvisade filer:</strong> " + "; ".join(esc(r.description) for r in refused.itertuples()) + "</p>" if len(refused) else ""
    )
    left = "".join(f"<li>{esc(r.reason)}: {_small(r.forms)} formulär</li>" for r in snap.left_out.itertuples() if pd.isna(r.forms) or r.forms)
    return (
        "<section><h2>Dataunderlag och datakvalitet</h2>"
        f"<p>Underlaget är INTOX-formulär fram till och med {month(snap.period)}. Rader i karantän har fel som måste rättas i "
        "källfilen; de ingår inte i siffrorna. Varje fil identifieras med sin kontrollsumma, så varje siffra kan spåras till filerna.</p>"
        + ("<h3>Månader utan formulär</h3><p>Månader där registreringen täcker området men inga formulär kom in: "
           + (esc(", ".join(zero)) if zero else "inga") + ". Många sådana månader i rad kan betyda att formulär inte skickats.</p>")
        + (f"<p>Månader då området inte ingick i registreringen: {esc(', '.join(uncovered))}.</p>" if uncovered else "")
        + "<h3>Filer</h3>" + file_table + refused_text
        + "<h3>Karantän</h3>" + issues
        + (f"<h3>Formulär som inte räknas till någon kommun</h3><ul>{left}</ul>" if left else "")
        + "</section>"
    )


def intox_files(snap: Snapshot) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The INTOX part of the file tables: files, unit folders and quarantine. The questionnaire's own
    files (under enkat/) are reported in its section; a refused file whose source is unknown stays here."""
    files = snap.files
    under_enkat = files.path.str.startswith("enkat/")
    files = files[files.source.eq("intox") | (files.source.isna() & ~under_enkat)]
    folders = snap.folders[snap.folders.folder.eq("intox") | snap.folders.folder.str.startswith("intox/")]
    issues = snap.issues[snap.issues.path.isin(set(files.path))]
    return files, folders, issues


RULES = {
    "obligatorisk": "värde saknas", "datum": "ogiltigt datum", "datum_intervall": "datum utanför rimligt intervall",
    "alder": "ogiltig ålder", "heltal": "ogiltigt heltal", "ja_nej": "varken ja eller nej", "kod": "okänt svar",
    "kodlista": "okänd substans", "kommun": "okänd kommun", "unik": "formulär-id förekommer två gånger",
}


def definitions(snap: Snapshot) -> str:
    monthly = snap.catalogue[snap.catalogue.window_name == "month"]
    items = "".join(
        f"<dt>{esc(r.title)}</dt><dd>{esc(r.description)} Enhet: {esc(r.unit)}. {esc(_kind_text(r))} Källa: {esc(getattr(r, 'source', ''))}.</dd>"
        for r in monthly.itertuples()
    )
    return (
        "<section><h2>Definitioner</h2><dl>" + items + "</dl>"
        "<p>Rullande 12 månader: summan av de tolv månader som slutar med den angivna månaden; visas bara när "
        "registreringen täckt alla tolv. Regioner räknas som summan av kommunernas formulär genom summan av deras "
        "befolkning, aldrig som ett medelvärde av kommunernas tal.</p></section>"
    )


def _kind_text(entry) -> str:
    """'Lång sikt (utfall), lägre är bättre.' from the catalogue; older snapshots lack the fields."""
    kind = getattr(entry, "kind", "")
    if not isinstance(kind, str) or not kind:
        return ""
    meaning = {"kort sikt": "process: blev arbetet gjort", "lång sikt": "utfall: förändrades problemet"}[kind]
    polarity = getattr(entry, "polarity", "ingen")
    return f"{kind.capitalize()} ({meaning})" + (f", {polarity}." if polarity and polarity != "ingen" else ".")


def _small(value) -> str:
    """A published count of the quality tables: missing there means fewer than the threshold."""
    return "&lt;5" if pd.isna(value) else number(value)


def _span(first, last) -> str:
    """A file's months ('oktober 2026 – november 2026') or, for a questionnaire file, its rounds ('2025 H2 – 2026 H1')."""
    if first is None or pd.isna(first):
        return "–"
    text = lambda period: short_round(period) if is_round(period) else month(period)  # noqa: E731
    return text(first) if first == last else f"{text(first)} – {text(last)}"
