"""The lägesbild questionnaire in the reports: a kommun's answers per sector, a region's picture.

Built from the snapshot's enkat_* tables (pipeline/publish_enkat.py), already narrowed to the
report's area by Snapshot.load. The answers are organisations' assessments, not records about
persons, so they are shown as answered, without small-number suppression. Comments are never shown.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from pipeline.report.lib import MONTHS, Snapshot, chart, data_table, esc, month, number, round_text, short_round, table
from pipeline.report.intox import RULES, _span

# The presence scale by value (None = "Vet ej"): the columns of a distribution, also where nobody gave that answer.
PRESENCE = [(0, "Förekommer inte"), (1, "I liten utsträckning"), (2, "I viss utsträckning"), (3, "I stor utsträckning"), (None, "Vet ej")]
ARROWS = {1: "↑", 0: "→", -1: "↓"}
RECURRING = 2  # a problem "recurs" when at least this many municipalities answer "I viss utsträckning" or more
CHART_QUESTIONS = 10

AS_ANSWERED = (
    "Svaren är verksamheternas bedömningar, inte uppgifter om enskilda personer, och visas därför som de lämnats, "
    "utan att små antal döljs. Fritextkommentarer visas inte i rapporten."
)


# --- the kommun report --------------------------------------------------------------------------


def lagesbild(snap: Snapshot, area: str) -> str:
    """The kommun report's section: coverage, the heat table per area, distributions and index, samsyn."""
    name = snap.area_name(area)
    round_ = snap.enkat_round()
    if round_ is None:
        return (
            "<section id='lagesbildsenkat'><h2>Lägesbildsenkät</h2>"
            f"<p>Ingen lägesbildsenkät har kommit in från verksamheterna i {esc(name)} till och med {month(snap.period)}. "
            "När kommunens sektorer har svarat på enkäten visas deras bedömningar här: hur vanliga problemen är, åt vilket håll "
            "de utvecklas och var sektorerna ser olika på läget.</p></section>"
        )
    answers = _in_round(snap.enkat_table("enkat_answers"), round_)
    parts = [
        f"<section id='lagesbildsenkat'><h2>Lägesbildsenkät {esc(round_text(round_))}</h2>",
        f"<p>I lägesbildsenkäten bedömer kommunens verksamheter – polis, socialtjänst, skola, fritid, bostadsbolag och andra – "
        f"hur mycket olika problem förekommer i {esc(name)} och om de har ökat eller minskat det senaste året. {AS_ANSWERED}</p>",
        _later_round_note(snap, round_),
        "<h3>Vilka sektorer har svarat</h3>",
        _coverage(snap, round_),
        "<h3>Sektorernas svar per område</h3>",
        "<p>Varje ruta visar en sektors svar: hur mycket problemet förekommer och, under det, hur det har utvecklats det senaste "
        "året. Färgen följer svaret och är bara ett stöd; svaret står alltid utskrivet.</p>",
        HEAT_LEGEND,
    ]
    values = _in_round(snap.enkat_table("enkat_values"), round_)
    distribution = _in_round(snap.enkat_table("enkat_distribution"), round_)
    sectors = answers.drop_duplicates("sector").sort_values(["sector_order", "sector"])[["sector", "sector_label"]]
    for (area_id, title), rows in answers.sort_values(["area_order", "question_order"]).groupby(["area_id", "area_title"], sort=False):
        parts.append(f"<h4>{esc(title)}</h4>")
        parts.append(_heat_table(rows, sectors, f"{title}: sektorernas svar, {round_text(round_)}"))
        parts.append(_distribution_table(values[values.area_id == area_id], distribution[distribution.area_id == area_id],
                                         f"{title}: svarsfördelning, index och förändring, {round_text(round_)}"))
    parts += [
        "<h3>Samsyn – där sektorerna ser olika på läget</h3>",
        _samsyn(snap, round_),
        "<h3>Så läser du enkätsiffrorna</h3>",
        EXPLANATION,
        "<h3>Enkätens dataunderlag och datakvalitet</h3>",
        questionnaire_quality(snap, "kommun"),
        "</section>",
    ]
    return "".join(parts)


def _in_round(frame: pd.DataFrame, round_: str) -> pd.DataFrame:
    return frame[frame["round"] == round_]


def _later_round_note(snap: Snapshot, round_: str) -> str:
    current = f"{snap.period[:4]}-{'H1' if snap.period[5:7] <= '06' else 'H2'}"
    if current == round_:
        return ""
    return (f"<p class='note'>För {esc(round_text(current))} har inga svar kommit in ännu; rapporten visar därför den senaste "
            f"omgången med svar, {esc(round_text(round_))}.</p>")


def _coverage(snap: Snapshot, round_: str) -> str:
    coverage = _in_round(snap.enkat_table("enkat_coverage"), round_).sort_values(["sector_order", "sector"])
    answered = coverage[coverage.submissions > 0]
    missing = coverage[(coverage.submissions == 0) & coverage.expected.astype(bool)]
    replaced = int(coverage.replaced.sum())
    text = f"<p>{_count(len(answered), 'sektor har', 'sektorer har')} svarat: {esc(_join(answered.sector_label))}."
    text += (f" Förväntade sektorer som inte har svarat: {esc(_join(missing.sector_label))}." if len(missing)
             else " Alla sektorer som förväntas svara har svarat.")
    if replaced:
        who = _join(coverage.loc[coverage.replaced > 0, "sector_label"])
        text += (f" {_count(replaced, 'svar har', 'svar har', neuter=True)} ersatts av ett senare svar från samma sektor ({esc(who)}); "
                 "bara det senaste svaret från varje sektor räknas.")
    else:
        text += " Inget svar har ersatts av ett senare."
    rows = [
        [esc(r.sector_label), "Har svarat" if r.submissions > 0 else "<strong>Har inte svarat</strong>",
         _date(r.submitted_at) if r.submissions > 0 else "–", number(r.replaced)]
        for r in coverage.itertuples()
    ]
    columns = ["Sektor", "Svar", "Senaste svaret inskickat", "Ersatta tidigare svar"]
    return text + "</p>" + grid(rows, columns, f"Sektorer som har och inte har svarat, {round_text(round_)}", numeric={3})


def _heat_table(rows: pd.DataFrame, sectors: pd.DataFrame, caption: str) -> str:
    head = "<th scope='col'>Fråga</th>" + "".join(f"<th scope='col'>{esc(label)}</th>" for label in sectors.sector_label)
    body = []
    for (_, text), answers in rows.groupby(["question_order", "question_text"], sort=True):
        by_sector = {r.sector: r for r in answers.itertuples()}
        cells = "".join(_heat_cell(by_sector.get(sector)) for sector in sectors.sector)
        body.append(f"<tr><th scope='row'>{esc(text)}</th>{cells}</tr>")
    return _scroll(f"<table class='heat'><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
                   caption)


def _heat_cell(answer) -> str:
    """The presence answer written out, the trend under it; the shade follows the level, 'Vet ej' is hatched."""
    if answer is None or (pd.isna(answer.presence) and pd.isna(answer.trend)):
        return "<td class='heat heat-none'><span class='presence'>–</span><span class='visually-hidden'> inget svar</span></td>"
    if pd.isna(answer.presence):
        shade, presence = "heat-none", "–"
    elif pd.isna(answer.presence_value):
        shade, presence = "heat-vetej", answer.presence_label
    else:
        shade, presence = f"heat-{int(answer.presence_value)}", answer.presence_label
    trend = ""
    if not pd.isna(answer.trend):  # a screen reader hears "utveckling:" instead of the arrow
        said = "<span class='visually-hidden'>utveckling: </span>"
        if pd.isna(answer.trend_value):
            trend = f" <span class='trend dont-know'>{said}{esc(answer.trend_label)}</span>"
        else:
            arrow = ARROWS[int(answer.trend_value)]
            trend = f" <span class='trend'>{said}<span aria-hidden='true'>{arrow}</span> {esc(answer.trend_label)}</span>"
    return f"<td class='heat {shade}'><span class='presence'>{esc(presence)}</span>{trend}</td>"


def _distribution_table(values: pd.DataFrame, distribution: pd.DataFrame, caption: str) -> str:
    """Per question (and the whole area): answers per level, the index beside them, shares, change since the previous round."""
    presence = distribution[distribution.scale == "presence"]
    rows = []
    ordered = values.assign(whole=values.question_id.eq("")).sort_values(["whole", "question_order"])
    if (~ordered.whole).sum() == 1:  # an area with one question: its area row says the same again
        ordered = ordered[~ordered.whole]
    for v in ordered.itertuples():
        counts = presence[presence.question_id == v.question_id]
        label = "Hela området (alla frågor)" if v.question_id == "" else v.question_text
        row = [esc(label)]
        for value, _ in PRESENCE:
            match = counts.value.isna() if value is None else counts.value.eq(value)
            row.append(number(counts.loc[match, "answers"].sum()))
        row += [
            number(v.presence_index, 1),
            _percent(v.share_some_or_more),
            _percent(v.share_increased),
            _percent(v.share_dont_know),
            _change(v.index_change, v.previous_round),
        ]
        rows.append(row)
    short = ["Förekommer inte", "I liten", "I viss", "I stor", "Vet ej"]  # under "… utsträckning" in the group header
    head = (
        "<tr><th scope='col' rowspan='2'>Fråga</th>"
        f"<th scope='colgroup' colspan='{len(PRESENCE)}'>Antal svar: förekommer … utsträckning</th>"
        "<th scope='col' rowspan='2'>Index 0–3</th>"
        "<th scope='colgroup' colspan='3'>Andel av svaren, procent</th>"
        "<th scope='col' rowspan='2'>Förändring av index</th></tr><tr>"
        + "".join(f"<th scope='col'>{esc(label)}</th>" for label in short)
        + "<th scope='col'>I viss eller stor utsträckning</th><th scope='col'>Ökat</th><th scope='col'>Vet ej</th></tr>"
    )
    return _scroll(grid(rows, [], caption, numeric=set(range(1, 12)), css_class="distribution", head=head), caption)


def _scroll(content: str, label: str) -> str:
    """A wide table scrolls sideways on a narrow screen; the region can be reached and scrolled with the keyboard."""
    return f"<div class='scroll' role='region' tabindex='0' aria-label='{esc(label)}'>{content}</div>"


def _samsyn(snap: Snapshot, round_: str) -> str:
    pairs = _in_round(snap.enkat_table("enkat_samsyn"), round_)
    intro = ("<p>Frågor där två sektorer ligger två steg eller mer ifrån varandra på skalan Förekommer inte – I liten – I viss – "
             "I stor utsträckning. Olika bilder är ett resultat i sig: de visar var sektorerna behöver jämföra vad de ser.</p>")
    if pairs.empty:
        return intro + "<p>Inga frågor där sektorerna skiljer sig två steg eller mer.</p>"
    items = []
    order = pairs.sort_values(["question_order", "difference"], ascending=[True, False])
    for (_, text, area_title), group in order.groupby(["question_order", "question_text", "area_title"], sort=False):
        said = "; ".join(
            f"{esc(p.sector_low_label)}: {esc(p.answer_low_label)} – {esc(p.sector_high_label)}: {esc(p.answer_high_label)}"
            for p in group.itertuples()
        )
        items.append(f"<li><strong>{esc(text)}</strong> ({esc(area_title)}): {said}</li>")
    return intro + f"<ul class='samsyn'>{''.join(items)}</ul>"


HEAT_LEGEND = (
    "<ul class='heat-legend' aria-label='Teckenförklaring för sektorernas svar'>"
    "<li><span class='swatch heat-0' aria-hidden='true'></span>Förekommer inte</li>"
    "<li><span class='swatch heat-1' aria-hidden='true'></span>I liten utsträckning</li>"
    "<li><span class='swatch heat-2' aria-hidden='true'></span>I viss utsträckning</li>"
    "<li><span class='swatch heat-3' aria-hidden='true'></span>I stor utsträckning</li>"
    "<li><span class='swatch heat-vetej' aria-hidden='true'></span><em>Vet ej</em> (randig, kursiv)</li>"
    "<li><span class='swatch heat-none' aria-hidden='true'></span>– = inget svar</li>"
    "<li>Utveckling: ↑ Ökat, → Oförändrat, ↓ Minskat, <em>Vet ej</em></li>"
    "</ul>"
)

EXPLANATION = (
    "<dl class='explain'>"
    "<dt>Svarsfördelning</dt><dd>Hur många sektorer som gav varje svar. Den är det viktigaste: indexet är bara en sammanfattning "
    "bredvid den.</dd>"
    "<dt>Index 0–3</dt><dd>Medelvärdet av svaren där Förekommer inte = 0, I liten utsträckning = 1, I viss utsträckning = 2 "
    "och I stor utsträckning = 3. <em>Vet ej</em> räknas inte som 0 utan lämnas utanför indexet. För hela området räknas alla "
    "frågornas svar tillsammans.</dd>"
    "<dt>I viss utsträckning eller mer, Ökat, Vet ej</dt><dd>Andel i procent av alla som svarat på frågan, <em>Vet ej</em> "
    "inräknat. En hög andel <em>Vet ej</em> är också ett resultat: det visar en kunskapslucka.</dd>"
    "<dt>Förändring</dt><dd>Indexet nu minus indexet i den föregående omgången då kommunen svarade på frågan (omgången står "
    "inom parentes); – betyder att det inte finns någon tidigare omgång att jämföra med. Sektorerna som svarat kan skilja "
    "sig mellan omgångarna.</dd>"
    "<dt>Omgång</dt><dd>Enkäten besvaras halvårsvis: första halvåret (januari–juni) och andra halvåret (juli–december). "
    "Om en sektor svarar flera gånger i samma omgång räknas bara det senaste svaret.</dd>"
    "</dl>"
)


# --- the region report --------------------------------------------------------------------------


def regional_picture(snap: Snapshot, area: str) -> str:
    """The region report's section: which problems recur in several member municipalities, and who has answered."""
    name = snap.area_name(area)
    members = snap.member_codes(area)
    round_ = snap.enkat_round()
    if round_ is None:
        return (
            "<section id='regional-lagesbild'><h2>Regional lägesbild</h2>"
            f"<p>Ingen av kommunerna i {esc(name)} har svarat på lägesbildsenkäten till och med {month(snap.period)}. "
            "När kommunernas sektorer har svarat visas här vilka problem som återkommer i flera kommuner.</p></section>"
        )
    coverage = _in_round(snap.enkat_table("enkat_coverage"), round_)
    answering = sorted(set(coverage.loc[coverage.submissions > 0, "municipality_code"]))
    region = _in_round(snap.enkat_table("enkat_region"), round_).sort_values("rank")
    parts = [
        f"<section id='regional-lagesbild'><h2>Regional lägesbild {esc(round_text(round_))}</h2>",
        f"<p class='lead'><strong>{len(answering)} av {len(members)} kommuner har svarat</strong> på lägesbildsenkäten "
        f"{esc(round_text(round_))}.</p>",
        "<p>I lägesbildsenkäten bedömer varje kommuns verksamheter hur mycket olika problem förekommer och om de ökar. "
        f"Här räknas hur många av kommunerna i {esc(name)} som ser samma problem. {AS_ANSWERED}</p>",
        _later_round_note(snap, round_),
        "<h3>Problem som återkommer i flera kommuner</h3>",
        _recurring_text(region),
        _region_chart(region, area, round_),
        _ranked_table(region, name, round_),
        "<h3>Vilka kommuner och sektorer har svarat</h3>",
        _member_coverage(snap, coverage, members, round_),
        "<h3>Så räknas den regionala bilden</h3>",
        REGION_EXPLANATION,
        "<h3>Enkätens dataunderlag och datakvalitet</h3>",
        questionnaire_quality(snap, "region"),
        "</section>",
    ]
    return "".join(parts)


def _recurring_text(region: pd.DataFrame) -> str:
    recurring = region[region.municipalities_some_or_more >= RECURRING]
    if recurring.empty:
        return (f"<p>Inget problem bedöms förekomma i viss utsträckning eller mer i {RECURRING} kommuner eller fler.</p>")
    items = "".join(
        f"<li><strong>{esc(r.question_text)}</strong> ({esc(r.area_title)}): i viss utsträckning eller mer i "
        f"{r.municipalities_some_or_more} av {r.municipalities_answered} kommuner som svarat"
        + (f"; ökat i {r.municipalities_increased}" if r.municipalities_increased else "") + "</li>"
        for r in recurring.itertuples()
    )
    return (f"<p>Problem som minst {RECURRING} kommuner bedömer förekommer i viss utsträckning eller mer, de vanligaste först:</p>"
            f"<ol class='recurring'>{items}</ol>")


def _region_chart(region: pd.DataFrame, area: str, round_: str) -> str:
    top = region[region.municipalities_some_or_more > 0].head(CHART_QUESTIONS)
    if top.empty:
        return ""
    labels = [_short(t) for t in top.question_text]
    figure = go.Figure(go.Bar(
        x=top.municipalities_some_or_more.astype(int).tolist(), y=labels, orientation="h", marker={"color": "#1f4e79"},
        text=[f"{a} av {b}" for a, b in zip(top.municipalities_some_or_more, top.municipalities_answered)], textposition="outside",
        hovertemplate="%{y}: %{x} kommuner<extra></extra>",
    ))
    largest = int(top.municipalities_answered.max())
    figure.update_layout(height=max(220, 34 * len(top) + 90),
                         xaxis={"title": "antal kommuner i viss utsträckning eller mer", "range": [0, largest * 1.25 + 0.5], "dtick": 1})
    figure.update_yaxes(autorange="reversed")
    description = (f"De vanligaste problemen: antal kommuner där sektorerna bedömer att problemet förekommer i viss "
                   f"utsträckning eller mer, {round_text(round_)}.")
    frame = pd.DataFrame({
        "Fråga": [esc(t) for t in top.question_text],
        "Kommuner i viss utsträckning eller mer": [number(v) for v in top.municipalities_some_or_more],
        "Kommuner som svarat": [number(v) for v in top.municipalities_answered],
    })
    return chart(figure, f"enkat-region-{area}", description) + data_table(table(frame, description))


def _ranked_table(region: pd.DataFrame, name: str, round_: str) -> str:
    """Every question, most recurring first; recurring rows say so in words (and are set in bold)."""
    rows, classes = [], []
    for r in region.itertuples():
        recurring = r.municipalities_some_or_more >= RECURRING
        rows.append([
            number(r.rank), esc(r.question_text), esc(r.area_title),
            f"{number(r.municipalities_some_or_more)} av {number(r.municipalities_answered)}", number(r.municipalities_increased),
            number(r.presence_index, 1), "<strong>Ja</strong>" if recurring else "Nej",
        ])
        classes.append("recurring" if recurring else "")
    columns = [
        "Plats", "Fråga", "Område", "Kommuner i viss utsträckning eller mer, av som svarat", "Kommuner där det ökat",
        "Regionalt index 0–3", f"Återkommer i minst {RECURRING} kommuner",
    ]
    return grid(rows, columns, f"Alla frågor rangordnade, {name}, {round_text(round_)}", numeric={0, 3, 4, 5}, header=1,
                row_classes=classes, css_class="ranked")


def _member_coverage(snap: Snapshot, coverage: pd.DataFrame, members: list[str], round_: str) -> str:
    names = _municipality_names(snap, coverage)
    # a link only where the municipality has a report this month (it is covered by INTOX)
    current = snap.values[(snap.values.indicator_id == "intox_cases") & (snap.values.period == snap.period)]
    reported = set(current.loc[current.area_type == "kommun", "area_code"])
    rows = []
    ordered = coverage.assign(name=coverage.municipality_code.map(names).map(swedish_order))
    ordered = ordered.sort_values(["name", "municipality_code", "sector_order"])
    for code, group in ordered.groupby("municipality_code", sort=False):
        answered = group[group.submissions > 0]
        if answered.empty:
            continue
        missing = group[(group.submissions == 0) & group.expected.astype(bool)]
        rows.append([
            f"<a href='../kommun/{esc(code)}.html'>{esc(names.get(code, code))}</a>" if code in reported
            else esc(names.get(code, code)),
            f"{len(answered)}: {esc(_join(answered.sector_label))}",
            esc(_join(missing.sector_label)) if len(missing) else "inga",
            number(group.replaced.sum()),
        ])
    columns = ["Kommun", "Sektorer som svarat", "Förväntade sektorer som inte svarat", "Ersatta tidigare svar"]
    text = grid(rows, columns, f"Kommuner som har svarat {round_text(round_)}", numeric={3})
    answered_codes = set(coverage.loc[coverage.submissions > 0, "municipality_code"])
    silent = [names.get(code, code) for code in members if code not in answered_codes]
    silent = sorted(silent, key=swedish_order)
    if not silent:
        return text + "<p>Alla kommuner i regionen har svarat.</p>"
    listing = esc(_join(silent))
    if len(silent) > 30:
        return text + (f"<p><strong>{len(silent)} av {len(members)} kommuner har inte svarat</strong> {esc(round_text(round_))}.</p>"
                       + data_table(f"<p>{listing}.</p>", summary="Visa kommunerna som inte har svarat", kind="list"))
    return text + f"<p><strong>Kommuner som inte har svarat {esc(round_text(round_))}:</strong> {listing}.</p>"


def _municipality_names(snap: Snapshot, coverage: pd.DataFrame) -> dict[str, str]:
    from pipeline.places import resolver  # the reference list of municipality names, for members that have not answered

    names = dict(resolver().names)
    names |= dict(zip(coverage.municipality_code, coverage.municipality_name))
    return names


REGION_EXPLANATION = (
    "<dl class='explain'>"
    "<dt>Kommuner i viss utsträckning eller mer</dt><dd>En kommun räknas när minst hälften av dess sektorer som tagit "
    "ställning (<em>Vet ej</em> räknas inte) svarar I viss utsträckning eller I stor utsträckning. Talet efter ”av” är hur "
    "många kommuner som svarat på frågan.</dd>"
    "<dt>Kommuner där det ökat</dt><dd>Samma regel för svaret Ökat.</dd>"
    "<dt>Regionalt index 0–3</dt><dd>Medelvärdet av alla sektorers svar i regionens kommuner (Förekommer inte = 0 … I stor "
    "utsträckning = 3), <em>Vet ej</em> utanför. Det står bredvid antalet kommuner, inte i stället för det.</dd>"
    "<dt>Rangordning</dt><dd>Flest kommuner i viss utsträckning eller mer först, sedan flest kommuner där det ökat, sedan "
    "högst index.</dd>"
    "</dl>"
)


# --- the questionnaire's data quality (both reports) ---------------------------------------------


def questionnaire_quality(snap: Snapshot, area_type: str) -> str:
    """Files under enkat/ with status and rounds, answers in quarantine, replaced submissions, refused files."""
    files = snap.files
    mine = files[files.source.eq("enkat") | files.path.str.startswith("enkat/")]
    if mine.empty:
        return "<p>Inga enkätfiler är inlästa.</p>"
    kept = mine[mine.status != "avvisad"]
    file_rows = [[f"<code>{esc(r.path)}</code>", esc(r.status), esc(_span(r.first_period, r.last_period)), f"<code>{esc(r.sha256)}</code>"]
                 for r in kept.itertuples()]
    parts = [
        "<p>Filerna med enkätsvar som rapporten bygger på. En fil kan innehålla svar från flera kommuner. Namn- och "
        "e-postkolumner tas bort när filen läses och sparas aldrig.</p>",
        grid(file_rows, ["Fil", "Status", "Omgångar", "Kontrollsumma (sha256)"], "Enkätfiler"),
    ]
    issues = snap.issues[snap.issues.path.isin(set(mine.path))]
    if issues.empty:
        parts.append("<p>Inga svar i karantän.</p>")
    else:
        rows = [[f"<code>{esc(r.path)}</code>", esc(r.column_name), esc(RULES.get(r.rule, r.rule)),
                 "&lt;5" if pd.isna(r.rows) else number(r.rows)] for r in issues.itertuples()]
        parts.append(
            "<p>Ett svar som inte är ett av enkätens svarsalternativ läggs i karantän och räknas inte; resten av samma "
            "verksamhets svar är inläst och räknas. Rätta svaret i källfilen och kör om.</p>"
            + grid(rows, ["Fil", "Kolumn", "Fel", "Svar"], "Enkätsvar i karantän, per fil och kolumn", numeric={3})
        )
    replaced = snap.enkat_table("enkat_replaced").sort_values(["round", "municipality_code", "sector"])
    if replaced.empty:
        parts.append("<p>Inga svar har ersatts av senare svar.</p>")
    else:
        names = _municipality_names(snap, snap.enkat_table("enkat_coverage"))
        rows = [[short_round(r.round), esc(names.get(r.municipality_code, r.municipality_code)), esc(r.sector_label),
                 f"<code>{esc(r.path)}</code> rad {r.source_row}, {_date(r.submitted_at)}",
                 f"<code>{esc(r.kept_path)}</code> rad {r.kept_row}, {_date(r.kept_submitted_at)}"] for r in replaced.itertuples()]
        parts.append(
            "<p>När samma sektor i samma kommun svarar flera gånger i en omgång räknas bara det senaste svaret. "
            f"{'I kommunen' if area_type == 'kommun' else 'I regionens kommuner'} har dessa svar ersatts:</p>"
            + grid(rows, ["Omgång", "Kommun", "Sektor", "Ersatt svar", "Räknas i stället"], "Ersatta svar", header=None)
        )
    refused = mine[mine.status == "avvisad"]
    if len(refused):
        parts.append("<p><strong>Avvisade enkätfiler:</strong> "
                     + "; ".join(f"<code>{esc(r.path)}</code>: {esc(r.description)}" for r in refused.itertuples()) + "</p>")
    return "".join(parts)


# --- small formats --------------------------------------------------------------------------------


def _join(labels) -> str:
    labels = [str(label) for label in labels]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " och " + labels[-1]


def _count(n: int, one: str, many: str, neuter: bool = False) -> str:
    """3, 'sektor har', 'sektorer har' -> 'Tre sektorer har'; the start of a sentence."""
    words = {0: "Inga", 1: "Ett" if neuter else "En", 2: "Två", 3: "Tre", 4: "Fyra", 5: "Fem", 6: "Sex"}
    return f"{words.get(n, number(n))} {one if n == 1 else many}"


def grid(rows: list[list[str]], columns: list[str], caption: str, numeric: set[int] = frozenset(), header: int | None = 0,
         row_classes: list[str] | None = None, css_class: str = "", head: str | None = None) -> str:
    """A table of ready HTML cells: column `header` holds the row headers, `numeric` columns align right.
    `head` replaces the one header row made from `columns` (for grouped headers)."""
    head = head or "<tr>" + "".join(f"<th scope='col'>{esc(c)}</th>" for c in columns) + "</tr>"
    body = []
    for i, row in enumerate(rows):
        cells = []
        for j, value in enumerate(row):
            if j == header:
                cells.append(f"<th scope='row'>{value}</th>")
            else:
                cells.append(f"<td class='num'>{value}</td>" if j in numeric else f"<td>{value}</td>")
        css = f" class='{row_classes[i]}'" if row_classes and row_classes[i] else ""
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    table_class = f" class='{css_class}'" if css_class else ""
    return (f"<table{table_class}><caption>{esc(caption)}</caption><thead>{head}</thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def swedish_order(name: str) -> str:
    """A sort key in Swedish alphabetical order: å, ä, ö after z; é as e."""
    return str(name).lower().translate(str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"}))


def _percent(value) -> str:
    return "–" if value is None or pd.isna(value) else f"{number(value)}\u00a0%"


def _change(change, previous_round) -> str:
    if previous_round is None or pd.isna(previous_round) or change is None or pd.isna(change):
        return "–"
    text = number(change, 1)
    if round(change, 1) > 0:
        text = "+" + text
    return f"{text} <span class='since'>(sedan {short_round(previous_round)})</span>"


def _date(value) -> str:
    if value is None or pd.isna(value):
        return "–"
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}"


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
