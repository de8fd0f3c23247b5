"""Empty forms to fill in by hand: the lägesbild questionnaire, the register of agreements, EST reports.

The register of agreements (`write_avtal_template`, contract schemas/avtal.yaml) is a sheet
"Insatser" with one row per activity, drop-down lists for Status and Kommun/område, the same
"Instruktion" and hidden "Listor" sheets; the EST reports (`write_est_template`, schemas/est.yaml)
are a sheet "Rapporter" with one row per event, likewise. What follows describes the questionnaire.

A municipality that collects the sectors' answers without a survey tool gets the question
catalogue (schemas/enkat.yaml) as a form that `lagesbild check` and `ingest` read like any export:

- "Svar": a title row, then the header row (Kommun, Sektor, Omgång, Datum, per question its
  presence and trend column, grouped by area, each area closed by its comment column), then one
  row per sector and round. Drop-down lists hold the answer texts; no cell holds a formula.
- "Instruktion": what to fill in, what the scales mean, where the file goes.
- "Listor" (hidden): the texts of the drop-down lists, referenced by range, since Excel limits a
  list written into the validation itself to 255 characters.

Only the title and header rows have cells: the answer rows are empty until someone fills them,
so an untouched form reads as a file with headers and no rows.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pipeline.config import Workspace
from pipeline.ingest.contract import Contract
from pipeline.ingest.sources import avtal, est
from pipeline.ingest.sources.enkat import SCALES, EnkatContract, comment_field, field_name
from pipeline.ingest.sources.enkat import contract as enkat_contract
from pipeline.places import area_names, resolver

ANSWER_SHEET, INSTRUCTION_SHEET, LIST_SHEET = "Svar", "Instruktion", "Listor"
TITLE_ROW, HEADER_ROW = 1, 2
FIRST_ROW = HEADER_ROW + 1
ANSWER_ROWS = 200  # rows with drop-down lists
LAST_ROW = FIRST_ROW + ANSWER_ROWS - 1
RESPONDENT_HEADERS = ["Kommun", "Sektor", "Omgång", "Datum"]
ROUNDS_BACK, ROUNDS_AHEAD = 1, 3  # round suggestions around the current half-year
AREA_FILLS = ["DDEBF7", "E2EFDA"]  # alternate per area, so the groups show without an area row
WIDTHS = {"Kommun": 16, "Sektor": 20, "Omgång": 11, "Datum": 12}
ANSWER_WIDTH, COMMENT_WIDTH = 20, 36
EXCEL_TEXT_LIMIT = 255  # error messages of a data validation


def _new_workbook(first_sheet: str, title: str):
    """A form's workbook: the sheet to fill in, the instructions, and the hidden sheet of list texts."""
    book = Workbook()
    sheet = book.active
    sheet.title = first_sheet
    instructions = book.create_sheet(INSTRUCTION_SHEET)
    lists = book.create_sheet(LIST_SHEET)
    lists.sheet_state = "hidden"
    book.properties.title = title
    return book, sheet, instructions, lists


class TemplateError(ValueError):
    """The form cannot be written as asked; the message is Swedish."""


def write_enkat_template(target: Path, workspace: Workspace, municipality: str | None = None, *, today: dt.date | None = None) -> Path:
    """Write the questionnaire as an empty Excel form to `target`; return the path written.

    With `municipality` (a name or code) the form is made for that municipality: its name is in
    the title, the instructions and the only choice of the Kommun list. The Kommun cells stay
    empty: a row with only Kommun filled in would be read as an answer with sector and round
    missing.
    """
    contract = enkat_contract(workspace)
    name = _municipality_name(municipality) if municipality else None
    columns = _columns(contract)
    _check_readable(contract, [header for header, *_ in columns])

    book, answers, instructions, lists = _new_workbook(ANSWER_SHEET, "Lägesbildsenkät" + (f" – {name}" if name else ""))
    book.properties.creator = "lagesbild"

    sector_labels = list(contract.codelists["sector"].labels.values())
    municipality_names = [name] if name else sorted(resolver().names.values(), key=_swedish_sort_key)
    rounds = suggested_rounds(today or dt.date.today())
    ranges = _write_lists(lists, {
        "sector": ("Sektorer", sector_labels),
        "presence": ("Svar om förekomst", list(contract.codelists["presence"].labels.values())),
        "trend": ("Svar om utveckling", list(contract.codelists["trend"].labels.values())),
        "round": ("Omgångar", rounds),
        "municipality": ("Kommuner", municipality_names),
    })
    _write_answer_sheet(answers, contract, columns, name)
    _add_validations(answers, contract, columns, ranges)
    _write_instructions(instructions, contract, name, rounds[ROUNDS_BACK])

    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def suggested_rounds(today: dt.date) -> list[str]:
    """The previous, the current and the next few half-years: ["2025-H2", "2026-H1", …]."""
    current = today.year * 2 + (today.month > 6)
    return [f"{half // 2}-H{half % 2 + 1}" for half in range(current - ROUNDS_BACK, current + ROUNDS_AHEAD + 1)]


def _municipality_name(value: str) -> str:
    found = resolver().resolve(value)
    if found.code is None:
        hint = f" Menade du {' eller '.join(found.suggestions)}?" if found.suggestions else ""
        raise TemplateError(f"'{value}' är ingen svensk kommun.{hint}")
    return resolver().names[found.code]


def _columns(contract: EnkatContract) -> list[tuple[str, str, str | None]]:
    """(header, kind, area_id) per column; kind is respondent, presence, trend or comment."""
    columns = [(header, "respondent", None) for header in RESPONDENT_HEADERS]
    for area_id in contract.areas:
        for question in (q for q in contract.questions if q.area_id == area_id):
            for scale in SCALES if question.has_trend else SCALES[:1]:
                columns.append((_answer_header(contract, question, scale), scale, area_id))
        columns.append((contract.label(comment_field(area_id)), "comment", area_id))
    return columns


def _answer_header(contract: EnkatContract, question, scale: str) -> str:
    """'<question> – förekomst'; the field's own label if the catalogue makes that ambiguous."""
    wanted = field_name(question.id, scale)
    header = f"{question.text} – {contract.catalogue['scales'][scale]['label']}"
    return header if contract.map_headers([header]).fields.get(0) == wanted else contract.label(wanted)


def _check_readable(contract: Contract, headers: list[str]) -> None:
    """The form must read back column for column; a catalogue that breaks this is a bug to see."""
    mapping = contract.map_headers(headers)
    unread = [headers[p] for p in mapping.unknown + mapping.repeated]
    if unread:
        raise TemplateError(f"{contract.source}.yaml: rubrikerna {', '.join(repr(h) for h in unread)} skulle inte kännas igen vid inläsningen.")


def _write_lists(sheet, lists: dict[str, tuple[str, list[str]]]) -> dict[str, str]:
    """One column per list under a heading; returns list name -> absolute range for formula1."""
    ranges = {}
    for number, (key, (heading, values)) in enumerate(lists.items(), start=1):
        letter = get_column_letter(number)
        sheet.cell(row=1, column=number, value=heading).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=number, value=value)
        sheet.column_dimensions[letter].width = max(14, *(len(v) + 2 for v in values))
        ranges[key] = f"{LIST_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _write_answer_sheet(sheet, contract: EnkatContract, columns, name: str | None) -> None:
    title = "Lägesbildsenkät" + (f" – {name}" if name else "")
    sheet.cell(row=TITLE_ROW, column=1, value=f"{title}: en rad per sektor som svarar. Välj svaren i listorna; se bladet {INSTRUCTION_SHEET}.")
    sheet.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
    area_number = {area_id: n for n, area_id in enumerate(contract.areas)}
    for number, (header, kind, area_id) in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number, value=header)
        cell.font = Font(bold=True, italic=kind == "comment")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if area_id is not None:
            cell.fill = PatternFill("solid", fgColor=AREA_FILLS[area_number[area_id] % len(AREA_FILLS)])
        width = WIDTHS.get(header, COMMENT_WIDTH if kind == "comment" else ANSWER_WIDTH)
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 96
    sheet.freeze_panes = f"{get_column_letter(len(RESPONDENT_HEADERS) + 1)}{FIRST_ROW}"  # sheet.cell() would create a cell


def _add_validations(sheet, contract: EnkatContract, columns, ranges: dict[str, str]) -> None:
    def validation(key: str, style: str, title: str, message: str) -> DataValidation:
        return _list_validation(sheet, ranges[key], style, title, message)

    presence, trend = contract.codelists["presence"], contract.codelists["trend"]
    checks = {
        "Kommun": validation("municipality", "warning", "Okänd kommun",
                             "Kommunen finns inte i listan. Skriv kommunens namn (t.ex. Munkfors) eller kommunkod (t.ex. 1762). Behålla ändå?"),
        "Sektor": validation("sector", "stop", "Okänd sektor",
                             f"Välj sektor i listan: {contract.codelists['sector'].allowed_text()}."),
        "Omgång": validation("round", "warning", "Ovanlig omgång",
                             "Omgången skrivs ÅÅÅÅ-H1 (januari–juni) eller ÅÅÅÅ-H2 (juli–december), t.ex. 2026-H1. Behålla ändå?"),
        "presence": validation("presence", "stop", "Ogiltigt svar", f"Välj ett svar i listan: {presence.allowed_text()}."),
        "trend": validation("trend", "stop", "Ogiltigt svar", f"Välj ett svar i listan: {trend.allowed_text()}."),
    }
    for number, (header, kind, _) in enumerate(columns, start=1):
        check = checks.get(header if kind == "respondent" else kind)
        if check is not None:
            letter = get_column_letter(number)
            check.add(f"{letter}{FIRST_ROW}:{letter}{LAST_ROW}")


def _write_instructions(sheet, contract: EnkatContract, name: str | None, current_round: str) -> None:
    catalogue = contract.catalogue
    expected = [s["label"] for s in catalogue["sectors"].values() if s.get("expected")]
    others = [s["label"] for s in catalogue["sectors"].values() if not s.get("expected")]
    presence = list(contract.codelists["presence"].labels.values())
    trend = list(contract.codelists["trend"].labels.values())
    folder = f"data/raw/enkat/{name or '<kommun>'}/"
    trend_note = "" if all(q.has_trend for q in contract.questions) else " Frågor utan kolumn för utveckling frågar bara om förekomst."
    lines = [
        ("title", "Lägesbildsenkät" + (f" – {name}" if name else "") + ": så fyller du i"),
        ("head", "Vem svarar"),
        ("text", f"Fyll i bladet {ANSWER_SHEET}: en rad per sektor som svarar, i varje omgång. Sektorer som alltid "
                 f"tillfrågas: {', '.join(expected)}." + (f" Även {', '.join(others)} kan svara." if others else "")),
        ("text", "Kommun: " + (f"{name} (välj i listan)." if name else "kommunens namn eller kommunkod, t.ex. Munkfors eller 1762.")
                 + " Sektor: välj i listan. Omgång: halvåret som svaren gäller, "
                 f"skrivet ÅÅÅÅ-H1 (januari–juni) eller ÅÅÅÅ-H2 (juli–december), t.ex. {current_round}. "
                 "Datum (frivilligt): dagen då svaren lämnades, t.ex. 2026-03-15."),
        ("text", f"Frågorna är ordnade efter område ({', '.join(contract.areas.values())}). "
                 "Varje fråga har en kolumn för förekomst och en för utveckling." + trend_note),
        ("head", "Vad svaren betyder"),
        ("text", f"Förekomst – hur vanligt problemet är i kommunen i dag, så som sektorn ser det: {', '.join(presence)}."),
        ("text", f"Utveckling – hur problemet har förändrats sedan förra omgången: {', '.join(trend)}."),
        ("text", "”Vet ej” är ett eget svar: sektorn saknar kunskap om frågan. Det räknas aldrig som noll eller "
                 "som ”Förekommer inte”, och kunskapsluckor redovisas för sig. Lämna rutan tom bara om frågan inte besvarades."),
        ("text", "Välj svaren i listorna i cellerna. Skriv inte egna svarsalternativ och ändra, flytta eller döp inte om "
                 "kolumnerna: en kolumn som inte känns igen läses inte in."),
        ("head", "Kommentarer och personuppgifter"),
        ("text", "Varje område har en kommentarskolumn efter sina frågor. Kommentarerna sparas men visas aldrig i rapporterna."),
        ("text", "Skriv inga namn, e-postadresser eller personnummer i filen. En fil med personnummer avvisas i sin helhet."),
        ("head", "När svaren är ifyllda"),
        ("text", f"Spara filen som Excel-arbetsbok (.xlsx) i mappen {folder}"
                 + ("" if name else " (t.ex. data/raw/enkat/Munkfors/)") + ". Ett nytt svar från samma kommun, sektor "
                 "och omgång ersätter det tidigare."),
        ("text", "Kontrollera filen innan den läses in: lagesbild check FIL. Kontrollen sparar inget och visar rad och "
                 "kolumn för varje svar som inte känns igen; resten av svaren läses in som vanligt."),
    ]
    _write_lines(sheet, lines)


def _list_validation(sheet, formula: str, style: str, title: str, message: str) -> DataValidation:
    """A drop-down list from a range of the Listor sheet; `style` stop refuses other text, warning asks."""
    check = DataValidation(type="list", formula1=formula, allow_blank=True, errorStyle=style,
                           showErrorMessage=True, errorTitle=title, error=message[:EXCEL_TEXT_LIMIT])
    sheet.add_data_validation(check)
    return check


def _write_lines(sheet, lines: list[tuple[str, str]]) -> None:
    """Instruction text in column A: ("title" | "head" | "text", text) per line."""
    styles = {"title": Font(bold=True, size=14), "head": Font(bold=True, size=12), "text": Font()}
    row = 1
    for kind, text in lines:
        if kind == "head":
            row += 1  # a blank line before each heading
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = styles[kind]
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    sheet.column_dimensions["A"].width = 110


def _swedish_sort_key(text: str) -> tuple:
    """Å, Ä, Ö after Z, as a Swedish reader expects."""
    order = {"å": "{", "ä": "|", "ö": "}"}
    return tuple("".join(order.get(ch, ch) for ch in text.casefold()))


# --- the register of agreements ----------------------------------------------------------------

AVTAL_SHEET = "Insatser"
# (header, field, width): the header is the field's label in schemas/avtal.yaml
AVTAL_COLUMNS = [
    ("Kommun/område", "area", 18), ("Medborgarlöfte", "promise", 40), ("Insats/aktivitet", "activity", 40),
    ("Ansvarig funktion", "responsible", 24), ("Startdatum", "start", 13), ("Slutdatum", "end", 13),
    ("Status", "status", 14), ("Kopplade indikatorer", "indicators", 28),
]
DATE_FORMAT = "yyyy-mm-dd"


def write_avtal_template(target: Path, workspace: Workspace) -> Path:
    """Write the register of medborgarlöften and insatser as an empty Excel workbook; return the path.

    Like the questionnaire, only the title and header rows have cells: the date format of the
    Start and Slut columns is set on the columns, so an untouched register has no rows to read.
    """
    contract = avtal.contract(workspace)
    headers = [header for header, *_ in AVTAL_COLUMNS]
    _check_readable(contract, headers)

    book, sheet, instructions, lists = _new_workbook(AVTAL_SHEET, "Register över medborgarlöften och insatser")
    book.properties.creator = "lagesbild"

    statuses = contract.codelists["status"]
    ranges = _write_lists(lists, {
        "status": ("Status", list(statuses.labels.values())),
        "area": ("Kommuner och områden", avtal_areas(workspace)),
    })
    sheet.cell(row=TITLE_ROW, column=1, value="Medborgarlöften och insatser: en rad per insats. "
                                              f"Välj status och område i listorna; se bladet {INSTRUCTION_SHEET}.")
    sheet.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
    for number, (header, name, width) in enumerate(AVTAL_COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = width
        if contract.fields[name]["kind"] == "date":
            sheet.column_dimensions[letter].number_format = DATE_FORMAT  # on the column: no empty cells are made
    sheet.freeze_panes = f"A{FIRST_ROW}"

    letters = {name: get_column_letter(n) for n, (_, name, _) in enumerate(AVTAL_COLUMNS, start=1)}
    checks = {
        "status": _list_validation(sheet, ranges["status"], "stop", "Okänd status", f"Välj status i listan: {statuses.allowed_text()}."),
        "area": _list_validation(sheet, ranges["area"], "warning", "Okänt område",
                                 "Området finns inte i listan. Skriv kommunens namn eller kod (t.ex. Sunne eller 1766) "
                                 "eller ett område i regions.yaml (t.ex. SuToHaMu). Behålla ändå?"),
    }
    dates = DataValidation(type="date", operator="greaterThanOrEqual", formula1="36526", allow_blank=True,  # 2000-01-01
                           errorStyle="warning", showErrorMessage=True, errorTitle="Inget datum",
                           error="Skriv ett datum, t.ex. 2026-03-01. Behålla ändå?")
    sheet.add_data_validation(dates)
    for name, check in checks.items():
        check.add(f"{letters[name]}{FIRST_ROW}:{letters[name]}{LAST_ROW}")
    for name in ("start", "end"):
        dates.add(f"{letters[name]}{FIRST_ROW}:{letters[name]}{LAST_ROW}")
    _write_avtal_instructions(instructions, contract)

    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def avtal_areas(workspace: Workspace) -> list[str]:
    """The choices of the Kommun/område list: the configured regions, then the municipalities."""
    areas = area_names(workspace)
    regions = sorted(areas.loc[areas.area_type.eq("region"), "area_name"], key=_swedish_sort_key)
    municipalities = sorted(areas.loc[areas.area_type.eq("kommun"), "area_name"], key=_swedish_sort_key)
    return regions + municipalities


STATUS_MEANINGS = {
    "ej_paborjad": "insatsen är planerad men arbetet har inte börjat.",
    "pagar": "arbetet har börjat och fortsätter.",
    "genomford": "insatsen är gjord som planerat.",
    "ej_genomford": "tiden har gått ut utan att insatsen blev gjord, eller bara delvis.",
    "installd": "insatsen ströks medvetet, t.ex. efter ett beslut i styrgruppen; skriv varför i en egen kolumn om det behövs.",
}


def _write_avtal_instructions(sheet, contract: Contract) -> None:
    statuses = contract.codelists["status"].labels
    lines = [
        ("title", "Register över medborgarlöften och insatser: så fyller du i"),
        ("head", "En rad per insats"),
        ("text", f"Fyll i bladet {AVTAL_SHEET}: en rad per insats eller aktivitet. Ett medborgarlöfte med flera insatser "
                 "får en rad per insats, med samma text i kolumnen Medborgarlöfte."),
        ("text", "Kommun/område: kommunen (namn eller kod, t.ex. Sunne eller 1766) eller ett område som flera kommuner delar, "
                 "t.ex. SuToHaMu, Värmlands län (lan-17) eller riket."),
        ("text", "Medborgarlöfte och Insats/aktivitet: kort text, måste fyllas i."),
        ("head", "Ansvarig funktion – aldrig en person"),
        ("text", "Skriv den funktion eller roll som ansvarar, t.ex. Kommunpolis, Säkerhetssamordnare, Fältassistenterna "
                 "eller Fritidsförvaltningen. Skriv aldrig en persons namn eller e-postadress: samverkan som hänger på "
                 "personer upphör när de slutar. En rad med ett namn eller en e-postadress som ansvarig läses inte in."),
        ("head", "Datum och status"),
        ("text", "Startdatum (måste anges) och Slutdatum skrivs ÅÅÅÅ-MM-DD, t.ex. 2026-03-01. Slutdatum får inte ligga före "
                 "startdatum; lämna det tomt om insatsen pågår tills vidare."),
        ("text", "Status: välj i listan. " + " ".join(f"{statuses[code]} – {text}" for code, text in STATUS_MEANINGS.items()
                                                       if code in statuses)),
        ("text", "Andelen genomförda insatser och insatser vars slutdatum har passerat utan att de är genomförda följs upp "
                 "per medborgarlöfte och per kommun; håll därför status aktuell inför varje styrgruppsmöte."),
        ("head", "Kopplade indikatorer"),
        ("text", "Id:n för de indikatorer som insatsen ska påverka, åtskilda med komma eller semikolon. Lämna tomt om ingen "
                 "indikator är kopplad."),
        ("head", "När registret är ifyllt"),
        ("text", "Spara filen som Excel-arbetsbok (.xlsx) i mappen data/raw/avtal/. Ändra, flytta eller döp inte om "
                 "kolumnerna: en kolumn som inte känns igen läses inte in."),
        ("text", "Kontrollera filen innan den läses in: lagesbild check FIL. Kontrollen sparar inget och visar rad och "
                 "kolumn för varje rad som inte kan läsas in; övriga rader läses in som vanligt."),
    ]
    _write_lines(sheet, lines)


# --- EST incident reports ----------------------------------------------------------------------

EST_SHEET = "Rapporter"
# (field, width): the header is the field's label in schemas/est.yaml
EST_COLUMNS = [
    ("municipality", 14), ("date", 12), ("time_band", 13), ("category", 34), ("place", 30), ("deso", 12),
    ("coordinates", 22), ("reporter", 22), ("assessment", 22), ("description", 50),
]
EST_LISTS = {  # field -> (heading of its list, error style): stop refuses other text, warning asks
    "category": ("Kategorier", "stop"), "reporter": ("Rapportörens funktion", "stop"),
    "assessment": ("Bedömningar", "stop"), "time_band": ("Tidsintervall", "stop"),
}
# What each assessment means, for the instructions (by code of schemas/est.yaml; a code an analyst
# adds is listed by its label alone).
ASSESSMENT_MEANINGS = {
    "akut": "händelsen kräver en åtgärd genast, t.ex. sanering av kränkande klotter eller en trasig belysning vid en skolväg.",
    "atgard": "något behöver göras, men inte i dag; tas upp på nästa EST-möte.",
    "bevaka": "ingen åtgärd nu, men platsen följs; kommer fler rapporter tas den upp.",
    "ingen_atgard": "händelsen rapporteras för lägesbilden; inget behöver göras.",
}


def write_est_template(target: Path, workspace: Workspace, municipality: str | None = None) -> Path:
    """Write an empty workbook for EST incident reports to `target`; return the path written.

    The sheet "Rapporter" has one row per event and drop-down lists for Kategori, Tidsintervall,
    Rapportörens funktion and Bedömning (texts from schemas/est.yaml), and for Kommun (the one
    municipality given, else all). As the other forms, only the title and header rows have
    cells, no cell holds a formula, and the list texts are on the hidden sheet "Listor".
    """
    contract = est.contract(workspace)
    name = _municipality_name(municipality) if municipality else None
    headers = [contract.label(field) for field, _ in EST_COLUMNS]
    _check_readable(contract, headers)

    title = "EST-rapporter" + (f" – {name}" if name else "")
    book, sheet, instructions, lists = _new_workbook(EST_SHEET, title)
    book.properties.creator = "lagesbild"
    codes = {field: list(contract.codelists[contract.fields[field]["codelist"]].labels.values()) for field in EST_LISTS}
    municipality_names = [name] if name else sorted(resolver().names.values(), key=_swedish_sort_key)
    ranges = _write_lists(lists, {field: (heading, codes[field]) for field, (heading, _) in EST_LISTS.items()}
                          | {"municipality": ("Kommuner", municipality_names)})

    sheet.cell(row=TITLE_ROW, column=1, value=f"{title}: en rad per händelse. Välj i listorna; se bladet {INSTRUCTION_SHEET}.")
    sheet.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
    letters = {}
    for number, ((field, width), header) in enumerate(zip(EST_COLUMNS, headers), start=1):
        cell = sheet.cell(row=HEADER_ROW, column=number, value=header)
        cell.font = Font(bold=True, italic=field == "description")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        letters[field] = letter = get_column_letter(number)
        sheet.column_dimensions[letter].width = width
        if field == "date":
            sheet.column_dimensions[letter].number_format = DATE_FORMAT  # on the column: no empty cells are made
    sheet.freeze_panes = f"A{FIRST_ROW}"

    def cover(check: DataValidation, field: str) -> None:
        check.add(f"{letters[field]}{FIRST_ROW}:{letters[field]}{LAST_ROW}")

    for field, (_, style) in EST_LISTS.items():
        label = contract.label(field)
        cover(_list_validation(sheet, ranges[field], style, f"Okänt värde: {label}",
                               f"Välj {label.lower()} i listan: {', '.join(codes[field])}."), field)
    cover(_list_validation(sheet, ranges["municipality"], "warning", "Okänd kommun",
                           "Kommunen finns inte i listan. Skriv kommunens namn (t.ex. Sunne) eller kommunkod (t.ex. 1766). "
                           "Behålla ändå?"), "municipality")
    dates = DataValidation(type="date", operator="greaterThanOrEqual", formula1="36526", allow_blank=True,  # 2000-01-01
                           errorStyle="warning", showErrorMessage=True, errorTitle="Inget datum",
                           error="Skriv dagen då händelsen inträffade, t.ex. 2026-03-14. Behålla ändå?")
    sheet.add_data_validation(dates)
    cover(dates, "date")
    _write_est_instructions(instructions, contract, name)

    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return target


def _write_est_instructions(sheet, contract: Contract, name: str | None) -> None:
    def labels(field: str) -> str:
        return ", ".join(contract.codelists[contract.fields[field]["codelist"]].labels.values())

    assessments = contract.codelists["assessment"].labels
    folder = f"data/raw/est/{name}/" if name else "data/raw/est/"
    lines = [
        ("title", "EST-rapporter" + (f" – {name}" if name else "") + ": så fyller du i"),
        ("head", "En rad per händelse"),
        ("text", f"Fyll i bladet {EST_SHEET}: en rad per händelse som du har sett eller fått rapporterad, från EST:s "
                 "checklista. Rapportera varje vecka eller varannan vecka: tre månader utan en enda rapport räknas som att "
                 "rapporter saknas, inte som att inget hände."),
        ("text", "Kommun: " + (f"{name} (välj i listan)." if name else "kommunens namn eller kommunkod, t.ex. Sunne eller 1766.")
                 + " Datum: dagen då händelsen inträffade (eller upptäcktes), skriven ÅÅÅÅ-MM-DD, t.ex. 2026-03-14. "
                 f"Tidsintervall (frivilligt): när på dygnet, {labels('time_band')}."),
        ("text", f"Kategori: välj i listan. {labels('category')}. Välj Annat bara när inget annat passar och beskriv då "
                 "händelsen i Beskrivning."),
        ("head", "Var"),
        ("text", "Plats: platsens namn, skrivet likadant varje gång, t.ex. Resecentrum, Centrumtorget eller Skolgården "
                 "Västra skolan. Rapporterna räknas per plats, och samma namn med olika stavning blir olika platser."),
        ("text", "DeSO (frivilligt): SCB:s statistikområde, nio tecken, t.ex. 1766C1010; det måste ligga i kommunen. En rad "
                 "utan plats men med DeSO redovisas under DeSO-koden. Koordinater (frivilligt) sparas men visas aldrig."),
        ("head", "Vem rapporterar och hur bråttom är det"),
        ("text", f"Rapportörens funktion: välj i listan ({labels('reporter')}). Skriv aldrig ditt eller någon annans namn."),
        ("text", "Bedömning (frivilligt): " + " ".join(
            f"{label} – {ASSESSMENT_MEANINGS[code]}" if code in ASSESSMENT_MEANINGS else f"{label}."
            for code, label in assessments.items())
                 + " Andelen rapporter med en bedömning följs upp."),
        ("head", "Beskrivning och personuppgifter"),
        ("text", "Beskrivning (frivilligt): kort vad som hände. Beskrivningen sparas men visas aldrig i rapporterna."),
        ("text", "En EST-rapport nämner aldrig en person: skriv inga namn, e-postadresser eller personnummer. En rad vars plats "
                 "eller beskrivning ser ut att innehålla ett namn läses inte in, och en fil med ett personnummer avvisas i sin "
                 "helhet."),
        ("head", "När rapporterna är ifyllda"),
        ("text", f"Spara filen som Excel-arbetsbok (.xlsx) i mappen {folder} Ändra, flytta eller döp inte om kolumnerna: "
                 "en kolumn som inte känns igen läses inte in. En export från ett annat verktyg (t.ex. csv) med samma "
                 "kolumner läses på samma sätt."),
        ("text", "Kontrollera filen innan den läses in: lagesbild check FIL. Kontrollen sparar inget och visar rad och "
                 "kolumn för varje rad som inte kan läsas in (okänd kategori, funktion eller bedömning, ett datum som inte "
                 "kan läsas, en okänd kommun); övriga rader läses in som vanligt."),
    ]
    _write_lines(sheet, lines)
