"""The lägesbild questionnaire in the reports: a kommun's answers per sector, a region's picture.

The view-models of the source's sections (templates in notebooks/template/sections/enkat/), built from
the snapshot's enkat_* tables, already narrowed to the report's area by Snapshot.load. The answers are
organisations' assessments, not records about persons, so they are shown as answered, without
small-number suppression. Comments are never shown.
"""
from __future__ import annotations

import pandas as pd

from pipeline.periods import last_month, period_text, round_of, round_text, short_round
from pipeline.report import varochnar
from pipeline.report.charts import bars, figure
from pipeline.report.formats import count_words, date, join, number, percent, small_count, span, swedish_order, table
from pipeline.report.intox import RULES
from pipeline.report.snapshot import Snapshot

# The presence scale by value (None = "Vet ej"): the columns of a distribution, also where nobody gave that answer.
PRESENCE = [(0, "Förekommer inte"), (1, "I liten utsträckning"), (2, "I viss utsträckning"), (3, "I stor utsträckning"), (None, "Vet ej")]
SHORT_PRESENCE = ["Förekommer inte", "I liten", "I viss", "I stor", "Vet ej"]  # under "… utsträckning" in the group header
ARROWS = {1: "↑", 0: "→", -1: "↓"}
RECURRING = 2  # a problem "recurs" when at least this many municipalities answer "I viss utsträckning" or more
CHART_QUESTIONS = 10
LISTED_SILENT = 30  # more municipalities than this without answers are listed folded away


# --- the kommun report --------------------------------------------------------------------------


def lagesbild(snap: Snapshot) -> dict:
    """The kommun report's section: coverage, the heat table per area, distributions and index, samsyn."""
    name = snap.area_name(snap.area_code)
    round_ = snap.enkat_round()
    model = {"name": name, "month": period_text(snap.period), "round": round_text(round_) if round_ else None}
    if round_ is None:
        return model | {"later": None, "coverage": None, "areas": [], "samsyn": [], "quality": None}
    answers = _in_round(snap.enkat_table("enkat_answers"), round_)
    values = _in_round(snap.enkat_table("enkat_values"), round_)
    distribution = _in_round(snap.enkat_table("enkat_distribution"), round_)
    sectors = answers.drop_duplicates("sector").sort_values(["sector_order", "sector"])[["sector", "sector_label"]]
    areas = []
    for (area_id, title), rows in answers.sort_values(["area_order", "question_order"]).groupby(["area_id", "area_title"], sort=False):
        areas.append({
            "title": title,
            "heat": _heat_table(rows, sectors, f"{title}: sektorernas svar, {round_text(round_)}"),
            "distribution": _distribution_table(values[values.area_id == area_id], distribution[distribution.area_id == area_id],
                                                f"{title}: svarsfördelning, index och förändring, {round_text(round_)}"),
            "beside": varochnar.beside(snap, area_id, _area_index(values, area_id)),
        })
    return model | {
        "later": _later_round(snap, round_),
        "coverage": _coverage(snap, round_),
        "areas": areas,
        "samsyn": _samsyn(snap, round_),
        "quality": questionnaire_quality(snap),
    }


def _area_index(values: pd.DataFrame, area_id: str) -> float | None:
    """The area's index over all its questions (its row without a question)."""
    row = values[(values.area_id == area_id) & (values.question_id == "")]
    return None if row.empty else row.presence_index.iloc[0]


def _in_round(frame: pd.DataFrame, round_: str) -> pd.DataFrame:
    return frame[frame["round"] == round_]


def _later_round(snap: Snapshot, round_: str) -> dict | None:
    """The round of the report's period (its last month) when it has no answers yet and an earlier round is shown instead."""
    current = round_of(last_month(snap.period))
    return None if current == round_ else {"current": round_text(current), "shown": round_text(round_)}


def _coverage(snap: Snapshot, round_: str) -> dict:
    coverage = _in_round(snap.enkat_table("enkat_coverage"), round_).sort_values(["sector_order", "sector"])
    answered = coverage[coverage.submissions > 0]
    missing = coverage[(coverage.submissions == 0) & coverage.expected.astype(bool)]
    replaced = int(coverage.replaced.sum())
    rows = [[r.sector_label, "Har svarat" if r.submissions > 0 else {"strong": "Har inte svarat"},
             date(r.submitted_at) if r.submissions > 0 else "–", number(r.replaced)] for r in coverage.itertuples()]
    return {
        "answered": f"{count_words(len(answered), 'sektor har', 'sektorer har')} svarat: {join(answered.sector_label)}.",
        "missing": join(missing.sector_label),
        "replaced": {"count": count_words(replaced, "svar har", "svar har", neuter=True),
                     "who": join(coverage.loc[coverage.replaced > 0, "sector_label"])} if replaced else None,
        "table": table(f"Sektorer som har och inte har svarat, {round_text(round_)}",
                       ["Sektor", "Svar", "Senaste svaret inskickat", "Ersatta tidigare svar"], rows, numeric={3}),
    }


def _heat_table(rows: pd.DataFrame, sectors: pd.DataFrame, caption: str) -> dict:
    body = []
    for (_, text), answers in rows.groupby(["question_order", "question_text"], sort=True):
        by_sector = {r.sector: r for r in answers.itertuples()}
        body.append([text] + [_heat_cell(by_sector.get(sector)) for sector in sectors.sector])
    return table(caption, ["Fråga", *sectors.sector_label], body, css="heat", scroll=True)


def _heat_cell(answer) -> dict:
    """The presence answer written out, the trend under it; the shade follows the level, 'Vet ej' is hatched."""
    if answer is None or (pd.isna(answer.presence) and pd.isna(answer.trend)):
        return {"css": "heat heat-none", "presence": "–", "trend": None}
    if pd.isna(answer.presence):
        shade, presence = "heat-none", "–"
    elif pd.isna(answer.presence_value):
        shade, presence = "heat-vetej", answer.presence_label
    else:
        shade, presence = f"heat-{int(answer.presence_value)}", answer.presence_label
    trend = None
    if not pd.isna(answer.trend):  # a screen reader hears "utveckling:" instead of the arrow
        arrow = "" if pd.isna(answer.trend_value) else ARROWS[int(answer.trend_value)]
        trend = {"arrow": arrow, "label": answer.trend_label}
    return {"css": f"heat {shade}", "presence": presence, "trend": trend}


def _distribution_table(values: pd.DataFrame, distribution: pd.DataFrame, caption: str) -> dict:
    """Per question (and the whole area): answers per level, the index beside them, shares, change since the previous round."""
    presence = distribution[distribution.scale == "presence"]
    rows = []
    ordered = values.assign(whole=values.question_id.eq("")).sort_values(["whole", "question_order"])
    if (~ordered.whole).sum() == 1:  # an area with one question: its area row says the same again
        ordered = ordered[~ordered.whole]
    for v in ordered.itertuples():
        counts = presence[presence.question_id == v.question_id]
        row = ["Hela området (alla frågor)" if v.question_id == "" else v.question_text]
        for value, _ in PRESENCE:
            match = counts.value.isna() if value is None else counts.value.eq(value)
            row.append(number(counts.loc[match, "answers"].sum()))
        row += [number(v.presence_index, 1), percent(v.share_some_or_more), percent(v.share_increased), percent(v.share_dont_know),
                _change(v.index_change, v.previous_round)]
        rows.append(row)
    head = [
        [{"text": "Fråga", "scope": "col", "rowspan": 2},
         {"text": "Antal svar: förekommer … utsträckning", "scope": "colgroup", "colspan": len(PRESENCE)},
         {"text": "Index 0–3", "scope": "col", "rowspan": 2},
         {"text": "Andel av svaren, procent", "scope": "colgroup", "colspan": 3},
         {"text": "Förändring av index", "scope": "col", "rowspan": 2}],
        [{"text": label, "scope": "col"} for label in SHORT_PRESENCE + ["I viss eller stor utsträckning", "Ökat", "Vet ej"]],
    ]
    return table(caption, [], rows, numeric=range(1, 12), css="distribution", head=head, scroll=True)


def _change(change, previous_round):
    if previous_round is None or pd.isna(previous_round) or change is None or pd.isna(change):
        return "–"
    text = number(change, 1)
    if round(change, 1) > 0:
        text = "+" + text
    return {"text": text, "since": f"sedan {short_round(previous_round)}"}


def _samsyn(snap: Snapshot, round_: str) -> list[dict]:
    pairs = _in_round(snap.enkat_table("enkat_samsyn"), round_)
    order = pairs.sort_values(["question_order", "difference"], ascending=[True, False])
    return [
        {"question": text, "area": area_title,
         "pairs": [{"low_sector": p.sector_low_label, "low_answer": p.answer_low_label, "high_sector": p.sector_high_label,
                    "high_answer": p.answer_high_label} for p in group.itertuples()]}
        for (_, text, area_title), group in order.groupby(["question_order", "question_text", "area_title"], sort=False)
    ]


# --- the region report --------------------------------------------------------------------------


def regional_picture(snap: Snapshot) -> dict:
    """The region report's section: which problems recur in several member municipalities, and who has answered."""
    area = snap.area_code
    name = snap.area_name(area)
    members = snap.member_codes(area)
    round_ = snap.enkat_round()
    model = {"name": name, "month": period_text(snap.period), "round": round_text(round_) if round_ else None, "recurring_min": RECURRING}
    if round_ is None:
        return model | {"answering": 0, "members": len(members), "later": None, "recurring": [], "chart": None, "ranked": None,
                        "member_coverage": None, "quality": None}
    coverage = _in_round(snap.enkat_table("enkat_coverage"), round_)
    answering = sorted(set(coverage.loc[coverage.submissions > 0, "municipality_code"]))
    region = _in_round(snap.enkat_table("enkat_region"), round_).sort_values("rank")
    recurring = region[region.municipalities_some_or_more >= RECURRING]
    return model | {
        "answering": len(answering),
        "members": len(members),
        "later": _later_round(snap, round_),
        "recurring": [{"question": r.question_text, "area": r.area_title, "some_or_more": int(r.municipalities_some_or_more),
                       "answered": int(r.municipalities_answered), "increased": int(r.municipalities_increased)}
                      for r in recurring.itertuples()],
        "chart": _region_chart(region, area, round_),
        "ranked": _ranked_table(region, name, round_),
        "member_coverage": _member_coverage(snap, coverage, members, round_),
        "quality": questionnaire_quality(snap),
    }


def _region_chart(region: pd.DataFrame, area: str, round_: str) -> dict | None:
    top = region[region.municipalities_some_or_more > 0].head(CHART_QUESTIONS)
    if top.empty:
        return None
    description = (f"De vanligaste problemen: antal kommuner där sektorerna bedömer att problemet förekommer i viss "
                   f"utsträckning eller mer, {round_text(round_)}.")
    plot = bars(
        [_short(t) for t in top.question_text], top.municipalities_some_or_more.astype(int).tolist(),
        [f"{a} av {b}" for a, b in zip(top.municipalities_some_or_more, top.municipalities_answered)],
        "antal kommuner i viss utsträckning eller mer", int(top.municipalities_answered.max()), "%{y}: %{x} kommuner<extra></extra>",
    )
    rows = [[t, number(a), number(b)] for t, a, b in zip(top.question_text, top.municipalities_some_or_more, top.municipalities_answered)]
    data = table(description, ["Fråga", "Kommuner i viss utsträckning eller mer", "Kommuner som svarat"], rows, numeric={1, 2})
    return figure(plot, f"enkat-region-{area}", description, data)


def _ranked_table(region: pd.DataFrame, name: str, round_: str) -> dict:
    """Every question, most recurring first; recurring rows say so in words (and are set in bold)."""
    rows, classes = [], []
    for r in region.itertuples():
        recurring = r.municipalities_some_or_more >= RECURRING
        rows.append([
            number(r.rank), r.question_text, r.area_title,
            f"{number(r.municipalities_some_or_more)} av {number(r.municipalities_answered)}", number(r.municipalities_increased),
            number(r.presence_index, 1), {"strong": "Ja"} if recurring else "Nej",
        ])
        classes.append("recurring" if recurring else "")
    columns = [
        "Plats", "Fråga", "Område", "Kommuner i viss utsträckning eller mer, av som svarat", "Kommuner där det ökat",
        "Regionalt index 0–3", f"Återkommer i minst {RECURRING} kommuner",
    ]
    return table(f"Alla frågor rangordnade, {name}, {round_text(round_)}", columns, rows, numeric={0, 3, 4, 5}, header=1,
                 row_classes=classes, css="ranked")


def _member_coverage(snap: Snapshot, coverage: pd.DataFrame, members: list[str], round_: str) -> dict:
    names = _municipality_names(coverage)
    rows = []
    ordered = coverage.assign(name=coverage.municipality_code.map(names).map(swedish_order))
    ordered = ordered.sort_values(["name", "municipality_code", "sector_order"])
    for code, group in ordered.groupby("municipality_code", sort=False):
        answered = group[group.submissions > 0]
        if answered.empty:
            continue
        missing = group[(group.submissions == 0) & group.expected.astype(bool)]
        name = names.get(code, code)
        rows.append([
            {"text": name, "href": f"../kommun/{code}.html"} if snap.has_report(code) else name,  # a link only to a report that exists
            f"{len(answered)}: {join(answered.sector_label)}",
            join(missing.sector_label) if len(missing) else "inga",
            number(group.replaced.sum()),
        ])
    columns = ["Kommun", "Sektorer som svarat", "Förväntade sektorer som inte svarat", "Ersatta tidigare svar"]
    answered_codes = set(coverage.loc[coverage.submissions > 0, "municipality_code"])
    silent = sorted((names.get(code, code) for code in members if code not in answered_codes), key=swedish_order)
    return {
        "table": table(f"Kommuner som har svarat {round_text(round_)}", columns, rows, numeric={3}),
        "silent": join(silent),
        "silent_count": len(silent),
        "folded": len(silent) > LISTED_SILENT,
        "members": len(members),
    }


def _municipality_names(coverage: pd.DataFrame) -> dict[str, str]:
    from pipeline.places import resolver  # the reference list of municipality names, for members that have not answered

    names = dict(resolver().names)
    names |= dict(zip(coverage.municipality_code, coverage.municipality_name))
    return names


# --- the questionnaire's data quality (both reports) ---------------------------------------------


def questionnaire_quality(snap: Snapshot) -> dict:
    """Files under enkat/ with status and rounds, answers in quarantine, replaced submissions, refused files."""
    files = snap.files
    mine = files[files.source.eq("enkat") | files.path.str.startswith("enkat/")]
    if mine.empty:
        return {"files": None, "issues": None, "replaced": None, "refused": [], "in_region": snap.kind == "region"}
    kept = mine[mine.status != "avvisad"]
    file_rows = [[{"code": r.path}, r.status, span(r.first_period, r.last_period), {"code": r.sha256}] for r in kept.itertuples()]
    issues = snap.issues[snap.issues.path.isin(set(mine.path))]
    issue_rows = [[{"code": r.path}, r.column_name, RULES.get(r.rule, r.rule), small_count(r.rows, snap.threshold)]
                  for r in issues.itertuples()]
    replaced = snap.enkat_table("enkat_replaced").sort_values(["round", "municipality_code", "sector"])
    names = _municipality_names(snap.enkat_table("enkat_coverage")) if not replaced.empty else {}
    replaced_rows = [[short_round(r.round), names.get(r.municipality_code, r.municipality_code), r.sector_label,
                      {"code": r.path, "text": f"rad {r.source_row}, {date(r.submitted_at)}"},
                      {"code": r.kept_path, "text": f"rad {r.kept_row}, {date(r.kept_submitted_at)}"}] for r in replaced.itertuples()]
    return {
        "files": table("Enkätfiler", ["Fil", "Status", "Omgångar", "Kontrollsumma (sha256)"], file_rows),
        "issues": table("Enkätsvar i karantän, per fil och kolumn", ["Fil", "Kolumn", "Fel", "Svar"], issue_rows, numeric={3})
        if issue_rows else None,
        "replaced": table("Ersatta svar", ["Omgång", "Kommun", "Sektor", "Ersatt svar", "Räknas i stället"], replaced_rows, header=None)
        if replaced_rows else None,
        "refused": [{"path": r.path, "description": r.description} for r in mine[mine.status == "avvisad"].itertuples()],
        "in_region": snap.kind == "region",
    }


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
