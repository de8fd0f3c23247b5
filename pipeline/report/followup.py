"""Follow-up of the cooperation agreement in the reports: plans, activities, official statistics.

Built from the snapshot's follow-up tables (uppfoljning, insatser, process, statistik), already
narrowed by Snapshot.load to the report's area and, for a region, its member municipalities.
Every status is written as a symbol and in words; a colour only supports it. A responsible party
is shown exactly as registered (a function, never a person's name invented here).
"""
from __future__ import annotations

import pandas as pd

from pipeline.report.lib import MONTHS, Snapshot, esc, is_round, month, number, round_text

HEADING = "Uppföljning av samverkansöverenskommelsen"
STATUS_CLASS = {"uppnått": "status-uppnatt", "på väg mot målet": "status-pa-vag", "inte på väg": "status-inte-pa-vag",
                "underlag saknas": "status-saknas"}
SOURCE_NAMES = {"intox": "INTOX-formulären", "statistik": "officiell statistik", "enkat": "lägesbildsenkäten"}
PROCESS_SOURCES = {"insatser_genomforda": "överenskommelsernas register över insatser",
                   "insatser_forsenade": "överenskommelsernas register över insatser",
                   "enkat_svarsfrekvens": "lägesbildsenkäten", "intox_manader_utan_formular": "INTOX-formulären"}

STATUS_RULE = (
    "<p class='note'><strong>Så bedöms status.</strong> Basvärdet är indikatorns värde när planen började och målet det värde "
    "som ska vara nått till måldatumet. Trenden är riktningen i de senaste publicerade värdena (12 månader för INTOX, 3 år för "
    "officiell statistik, 3 omgångar för lägesbildsenkäten) och kräver minst tre värden. "
    "✔ uppnått: det senaste värdet har nått målet och trenden går inte åt fel håll. "
    "↘ eller ↗ på väg mot målet: målet är inte nått, men trenden går mot målet och når det i tid om takten håller i sig. "
    "✖ inte på väg: trenden är oförändrad, går åt fel håll eller är för långsam för att nå målet i tid. "
    "? underlag saknas: basvärde, mål eller senaste värde saknas eller är dolt, eller trenden har färre än tre värden. "
    "Ett enstaka avvikande värde avgör aldrig status. Dolda (röjandeskyddade) värden räknas som saknade.</p>"
)


def follow_up(snap: Snapshot, area: str) -> str:
    """The report's follow-up section for `area`: plan table, activities, official statistics, definitions."""
    name = snap.area_name(area)
    plans = snap.followup_table("uppfoljning")
    plans = plans[plans.area_code == area]
    activities = snap.followup_table("insatser")
    statistics = snap.followup_table("statistik")
    statistics = statistics[statistics.area_code == area]
    if plans.empty and activities.empty and statistics.empty:
        return (
            f"<section id='uppfoljning'><h2>{HEADING}</h2>"
            f"<p>Det finns ingen uppföljningsplan, inget register över insatser och ingen officiell statistik för {esc(name)} "
            f"i underlaget för {month(snap.period)}. När en samverkansöverenskommelse med mål och insatser har registrerats "
            "visas här hur indikatorerna utvecklas mot målen och hur långt insatserna har kommit.</p></section>"
        )
    parts = [
        f"<section id='uppfoljning'><h2>{HEADING}</h2>",
        f"<p>Här följs överenskommelsen för {esc(name)} upp: hur de utvalda indikatorerna utvecklas mot målen, hur långt de "
        "överenskomna insatserna har kommit och vad den officiella statistiken visar.</p>",
    ]
    parts.append(_plans(snap, plans, name))
    parts.append("<h3>Överenskomna insatser</h3>")
    parts.append(_activities(snap, area, activities))
    parts.append("<h3>Officiell statistik</h3>")
    parts.append(_statistics(snap, statistics, name))
    parts.append("<h3>Definitioner för uppföljningen</h3>")
    parts.append(_definitions(plans, statistics, snap.followup_table("process")))
    parts.append("</section>")
    return "".join(parts)


# --- plans --------------------------------------------------------------------------------------


def _plans(snap: Snapshot, plans: pd.DataFrame, name: str) -> str:
    if plans.empty:
        return f"<h3>Uppföljningsplan</h3><p>Det finns ingen uppföljningsplan med mål för {esc(name)}.</p>"
    parts = []
    for plan_id, rows in plans.groupby("plan_id", sort=False):
        first = rows.iloc[0]
        title = first["plan_title"] or plan_id
        parts.append(f"<h3>{esc(title)}</h3>")
        parts.append(f"<p>Planen gäller {esc(_period_text(first['plan_from']))} – {esc(_period_text(first['plan_to']))}. "
                     f"Status bedöms med de värden som är publicerade till och med {month(snap.period)}.</p>")
        body = []
        notes = []
        for row in rows.itertuples(index=False):
            decimals = _int(row.decimals)
            status = row.status if isinstance(row.status, str) and row.status else "underlag saknas"
            symbol = row.status_symbol if isinstance(row.status_symbol, str) and row.status_symbol else "?"
            cells = [
                f"<th scope='row'>{esc(row.title)}<br><span class='kind'>{esc(row.kind or '')}"
                f"{', ' + esc(row.polarity) if isinstance(row.polarity, str) and row.polarity else ''}</span></th>",
                f"<td>{_valued(row.baseline_value, decimals, row.baseline_period, row.baseline_note)}</td>",
                f"<td>{_target(row, decimals)}</td>",
                f"<td>{_valued(row.latest_value, decimals, row.latest_period, '')}</td>",
                f"<td>{esc(row.trend_direction) if isinstance(row.trend_direction, str) and row.trend_direction else '–'}</td>",
                f"<td class='status {STATUS_CLASS.get(status, '')}'>{esc(symbol)} {esc(status)}</td>",
            ]
            body.append(f"<tr>{''.join(cells)}</tr>")
            reason = row.status_reason if isinstance(row.status_reason, str) else ""
            note = row.note if isinstance(row.note, str) else ""
            if reason or note:
                notes.append(f"<li><strong>{esc(row.title)}:</strong> {esc(reason)}{' ' + esc(note) if note else ''}</li>")
        head = "".join(f"<th scope='col'>{c}</th>" for c in ("Indikator", "Basvärde", "Mål", "Senaste värde", "Trend", "Status"))
        parts.append(f"<table class='followup'><caption>{esc(title)}: indikatorer, mål och status</caption>"
                     f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
        if notes:
            parts.append(f"<p class='note'>Skäl till status:</p><ul class='note'>{''.join(notes)}</ul>")
    parts.append(STATUS_RULE)
    return "".join(parts)


def _valued(value, decimals: int, period, note) -> str:
    note = note if isinstance(note, str) else ""
    if value is None or pd.isna(value):
        return "–" + (f"<br><span class='kind'>{esc(note)}</span>" if note else "")
    text = number(value, decimals)
    if isinstance(period, str) and period:
        text += f" ({esc(_period_text(period))})"
    return text + (f"<br><span class='kind'>{esc(note)}</span>" if note else "")


def _target(row, decimals: int) -> str:
    if row.target_value is None or pd.isna(row.target_value):
        text = "–"
    else:
        text = number(row.target_value, decimals)
    if isinstance(row.target_text, str) and row.target_text:
        text += f" ({esc(row.target_text)})"
    if isinstance(row.target_by, str) and row.target_by:
        text += f" till {esc(_period_text(row.target_by))}"
    return text


def _period_text(period) -> str:
    """'2026-10' -> 'oktober 2026', '2025-H1' -> 'första halvåret 2025', '2024' -> '2024'."""
    if not isinstance(period, str) or not period:
        return "–"
    if is_round(period):
        return round_text(period)
    if len(period) == 7 and period[4] == "-":
        return month(period)
    return period


def _int(value, default: int = 0) -> int:
    return default if value is None or pd.isna(value) else int(value)


# --- activities ---------------------------------------------------------------------------------


def _activities(snap: Snapshot, area: str, activities: pd.DataFrame) -> str:
    own = activities[activities.area_code == area]
    members = [code for code in snap.member_codes(area) if code != area]
    blocks = [(area, own)] + [(code, activities[activities.area_code == code]) for code in members]
    blocks = [(code, rows) for code, rows in blocks if not rows.empty]
    if not blocks:
        return f"<p>Det finns inget register över överenskomna insatser för {esc(snap.area_name(area))}.</p>"
    process = snap.followup_table("process")
    parts = ["<p>Insatserna är de aktiviteter parterna har kommit överens om, med den funktion som ansvarar för dem. "
             "En insats är försenad när dess slutdatum har passerats utan att den är genomförd.</p>"]
    for code, rows in blocks:
        area_name = snap.area_name(code)
        headed = len(blocks) > 1 or code != area
        if headed:
            parts.append(f"<h4>{esc(area_name)}</h4>" if code == area else f"<h4>{esc(area_name)} (medlemskommun)</h4>")
        parts.append(_progress(process, code, "" if headed else area_name))
        for promise, group in rows.groupby("promise", sort=False):
            frame = pd.DataFrame({
                "Insats": [esc(a) for a in group.activity],
                "Ansvarig funktion": [esc(r) if isinstance(r, str) and r else "–" for r in group.responsible],
                "Period": [f"{_date(s)} – {_date(e)}" for s, e in zip(group.start_date, group.end_date)],
                "Status": [_status_label(label, overdue) for label, overdue in zip(group.status_label, group.overdue)],
            })
            parts.append(_text_table(frame, f"Medborgarlöfte: {promise} ({area_name})"))
    return "".join(parts)


def _progress(process: pd.DataFrame, code: str, name: str) -> str:
    total = process[(process.area_code == code) & (process.label.fillna("") == "")]
    done = total[total.indicator_id == "insatser_genomforda"]
    late = total[total.indicator_id == "insatser_forsenade"]
    sentences = []
    if not done.empty:
        row = done.iloc[0]
        share = f" ({number(row['value'], 0)}\u00a0%)" if pd.notna(row["value"]) else ""
        sentences.append(f"{number(row['numerator'])} av {number(row['denominator'])} insatser genomförda{share}; "
                         "inställda insatser räknas inte")
    if not late.empty:
        count = late.iloc[0]["numerator"]
        sentences.append(f"{number(count)} {'försenad' if count == 1 else 'försenade'}")
    if not sentences:
        return ""
    lead = f"<strong>{esc(name)}:</strong> " if name else ""
    return f"<p>{lead}{'. '.join(s[0].upper() + s[1:] for s in sentences)}.</p>"


def _status_label(label, overdue) -> str:
    text = esc(label) if isinstance(label, str) and label else "–"
    if overdue is True or (not isinstance(overdue, str) and pd.notna(overdue) and bool(overdue)):
        text += " – <strong>försenad</strong>"
    return text


def _date(value) -> str:
    """A date as '1 februari 2025'; missing '–'."""
    if value is None or pd.isna(value):
        return "–"
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}"


def _text_table(frame: pd.DataFrame, caption: str) -> str:
    """A table of words: first column a row header, no right-aligned number cells. Cells are HTML already."""
    head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + f"<th scope='row'>{row[0]}</th>" + "".join(f"<td>{v}</td>" for v in row[1:]) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# --- official statistics ------------------------------------------------------------------------


def _statistics(snap: Snapshot, statistics: pd.DataFrame, name: str) -> str:
    if statistics.empty:
        return f"<p>Det finns ingen officiell statistik för {esc(name)} i underlaget.</p>"
    parts = []
    for indicator, rows in statistics.groupby("indicator_id", sort=False):
        rows = rows.sort_values("period")
        first = rows.iloc[0]
        decimals = _int(first["decimals"])
        unit = first["unit"] if isinstance(first["unit"], str) and first["unit"] else "per 100 000 invånare"
        rates = []
        for row in rows.itertuples(index=False):
            if pd.notna(row.rate_per_100k):
                rates.append(number(row.rate_per_100k, decimals))
            elif pd.notna(row.value_given):
                rates.append(f"{number(row.value_given, decimals)} (enligt källan)")
            else:
                rates.append("–")
        frame = pd.DataFrame({
            "År": [esc(p) for p in rows.period],
            "Antal": [number(c) if pd.notna(c) else "–" for c in rows["count"]],
            unit[0].upper() + unit[1:]: rates,
        })
        caption = f"{first['title']}, {name}, {rows.period.iloc[0]}–{rows.period.iloc[-1]}"
        parts.append(f"<h4>{esc(first['title'])}</h4>")
        head = "".join(f"<th scope='col'>{esc(c)}</th>" for c in frame.columns)
        body = "".join(f"<tr><th scope='row'>{r[0]}</th><td class='num'>{r[1]}</td><td class='num'>{r[2]}</td></tr>"
                       for r in frame.itertuples(index=False))
        parts.append(f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        bases = "".join(f"<li>{esc(r.period)}: {esc(r.basis)}</li>" for r in rows.itertuples(index=False)
                        if isinstance(r.basis, str) and r.basis)
        parts.append(f"<p class='note'>Källa: {esc(first['source'])}. Talet per 100 000 invånare är räknat på antalet och "
                     "befolkningen; där det saknas visas källans eget tal, märkt ”enligt källan”.</p>")
        if bases:
            parts.append(f"<p class='note'>Beräkningsunderlag:</p><ul class='note'>{bases}</ul>")
    return "".join(parts)


# --- definitions --------------------------------------------------------------------------------


def _definitions(plans: pd.DataFrame, statistics: pd.DataFrame, process: pd.DataFrame) -> str:
    entries: dict[str, tuple[str, str, str, str]] = {}
    for row in plans.itertuples(index=False):
        source = SOURCE_NAMES.get(row.source, row.source or "")
        entries.setdefault(row.title, (row.kind or "", row.unit or "", source, row.polarity or ""))
    for row in statistics.itertuples(index=False):
        entries.setdefault(row.title, (row.kind or "", row.unit or "", row.source or "", row.polarity or ""))
    for row in process.drop_duplicates("indicator_id").itertuples(index=False):
        entries.setdefault(row.title, ("kort sikt", row.unit or "", PROCESS_SOURCES.get(row.indicator_id, ""), ""))
    if not entries:
        return "<p>Inga indikatorer följs upp.</p>"
    items = []
    for title, (kind, unit, source, polarity) in entries.items():
        meaning = {"kort sikt": "kort sikt (process: blev arbetet gjort)", "lång sikt": "lång sikt (utfall: förändrades problemet)"}
        text = [f"{meaning.get(kind, kind).capitalize()}." if kind else "", f"Enhet: {esc(unit)}." if unit else "",
                f"{esc(polarity.capitalize())}." if polarity and polarity != "ingen" else "", f"Källa: {esc(source)}." if source else ""]
        items.append(f"<dt>{esc(title)}</dt><dd>{' '.join(t for t in text if t)}</dd>")
    return f"<dl>{''.join(items)}</dl>"
