"""Validate a read table against its contract with Pandera, lazily: every failure is collected.

The cells are parsed once (pipeline.parse); the Pandera schema then checks, column by column, that
each filled cell parsed and that each required cell is filled. Its failure cases become Swedish
messages that name the file, the spreadsheet row, the column, the value and the rule.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from pipeline.ingest import parse
from pipeline.ingest.contract import Contract, fold, map_codes
from pipeline.ingest.pnr import valid_mask
from pipeline.ingest.read import RawTable
from pipeline.places import DESO_CODE, map_distinct, resolve_area, resolver

EARLIEST_DATE = pd.Timestamp("2000-01-01")
# Excel's limit for one cell: a longer text cannot have been typed or kept in a spreadsheet.
MAX_TEXT_LENGTH = 32_767
ISSUE_COLUMNS = ["row", "column", "value", "rule", "message", "field"]
HIDDEN = "(dolt: ser ut som ett personnummer)"
HIDDEN_PERSON = "(dolt: ser ut som ett namn eller en e-postadress)"
# A personal number anywhere in a cell ("Alkohol, 191212121212", "pnr 121212-1212").
_PERSONAL_CANDIDATE = re.compile(r"(?<!\d)(?:\d{6}|\d{8})[-+ ]?\d{4}(?!\d)")


@dataclass
class Checked:
    parsed: pd.DataFrame  # one column per field (plus age_band), index = spreadsheet row
    issues: pd.DataFrame  # ISSUE_COLUMNS, one row per failed check
    file_errors: list[str] = field(default_factory=list)  # the file cannot be loaded at all
    notes: list[str] = field(default_factory=list)  # worth knowing, nothing lost

    @property
    def bad_rows(self) -> pd.Index:
        return pd.Index(self.issues["row"].unique())


def check_table(table: RawTable, contract: Contract) -> Checked:
    mapping = contract.map_headers(table.headers)
    name = table.path.name
    notes = [f"{name}: kolumnen '{table.headers[p] or f'nr {p + 1}'}' känns inte igen och läses inte in." for p in mapping.unknown]
    notes += [
        f"{name}: kolumnen '{table.headers[p]}' tolkas också som {contract.label(contract.map_headers([table.headers[p]]).fields[0])}; "
        "den första sådana kolumnen används."
        for p in mapping.repeated
    ]
    present = set(mapping.fields.values()) | ({contract.multicode_field} if mapping.codes else set())
    missing = [f for f, spec in contract.fields.items() if spec.get("required") and f not in present]
    if missing:
        errors = [
            f"{name}: kolumn för {contract.label(f)} saknas (godtagna rubriker: {', '.join(contract.fields[f]['aliases'][:6])} …)."
            for f in missing
        ]
        return Checked(pd.DataFrame(), pd.DataFrame(columns=ISSUE_COLUMNS), errors, notes)
    if contract.multicode_field and contract.multicode_field not in present:
        notes.append(f"{name}: ingen kolumn för {contract.label(contract.multicode_field).lower()}; de räknas som okända.")

    cells = _blank_unknown(table.cells, mapping, contract)
    parsed = pd.DataFrame(index=cells.index)
    columns: dict[str, pa.Column] = {}
    explain: dict[str, dict] = {}  # per column key: header, and per-row detail for the messages
    field_checks: dict[str, list] = {}
    for position, field_name in mapping.fields.items():
        key = f"c{position}"
        spec = contract.fields[field_name]
        checks, detail = _parse_field(cells[position], field_name, spec, contract, parsed)
        if spec.get("required"):
            checks.insert(0, _valid(cells[position].ne(""), "obligatorisk"))
        field_checks[key] = checks
        explain[key] = {"header": table.headers[position], "field": field_name, "detail": detail}
    _add_order_checks(mapping, contract, parsed, field_checks, explain, table.headers)
    _add_within_checks(mapping, contract, parsed, field_checks, explain)
    _add_person_checks(mapping, contract, cells, field_checks)
    # No dtype: every cell is text by construction (pipeline.ingest.read), and Pandera checks a str
    # dtype cell by cell in Python.
    for key, checks in field_checks.items():
        if checks := [check for check in checks if check is not None]:
            columns[key] = pa.Column(checks=checks, nullable=False)
    yes_no_columns = {}
    for position, code in mapping.codes.items():
        key = f"c{position}"
        answer = parse.parse_yes_no(cells[position], contract.yes, contract.no)
        yes_no_columns[code] = answer
        if check := _valid(answer.notna(), "ja_nej"):
            columns[key] = pa.Column(checks=[check])
        explain[key] = {"header": table.headers[position], "field": contract.multicode_field, "detail": None}
    if yes_no_columns:
        parsed[contract.multicode_field] = _codes_from_yes_no(yes_no_columns, contract)

    frame = cells[list(mapping.fields) + list(mapping.codes)].copy()
    frame.columns = [f"c{p}" for p in frame.columns]
    issues = _run_schema(pa.DataFrameSchema(columns), frame, explain, contract, name)
    issues = _explain_derived(issues, table)
    issues = _cut_off_rows(issues, table)
    return Checked(parsed, issues, [], notes)


def _blank_unknown(cells: pd.DataFrame, mapping, contract: Contract) -> pd.DataFrame:
    """A field's `unknown_values` ("-" for a crime date not known) are read as an empty cell."""
    unknown = {p: contract.fields[f]["unknown_values"] for p, f in mapping.fields.items() if contract.fields[f].get("unknown_values")}
    if not unknown:
        return cells
    cells = cells.copy()
    for position, values in unknown.items():
        cells[position] = cells[position].where(~cells[position].isin(values), "")
    return cells


def _cut_off_rows(issues: pd.DataFrame, table: RawTable) -> pd.DataFrame:
    """A csv record with fewer fields than its header is quarantined whole, with that one reason."""
    if not table.short_rows:
        return issues
    name = table.path.name
    cut = [
        (row, "", "", "avklippt",
         f"{name}: rad {row} har bara {fields} av {table.header_fields} fält; raden verkar avklippt och läses inte in "
         "(kontrollera att exporten är hel).", "")
        for row, fields in sorted(table.short_rows.items())
    ]
    kept = issues[~issues["row"].isin(table.short_rows)]
    frame = pd.concat([kept, pd.DataFrame(cut, columns=ISSUE_COLUMNS)], ignore_index=True) if len(kept) else pd.DataFrame(cut, columns=ISSUE_COLUMNS)
    return frame.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def _explain_derived(issues: pd.DataFrame, table: RawTable) -> pd.DataFrame:
    """A column computed from another (the round from a timestamp) is empty because that column's
    cell is empty or unreadable: name the column the analyst can correct, once."""
    if issues.empty or not table.derived:
        return issues
    name = table.path.name
    position_of = {header: position for position, header in enumerate(table.headers)}
    rows = issues.to_dict("records")
    drop: set[tuple[int, str]] = set()
    for issue in rows:
        source = table.derived.get(issue["column"])
        if issue["rule"] != "obligatorisk" or source not in position_of:
            continue
        row, label = issue["row"], issue["column"]
        subject = {"Omgång": "omgången"}.get(label, label.lower())
        value = table.cells.at[row, position_of[source]]
        shown = HIDDEN if _looks_personal(value) else value
        if value:
            text = (f"'{shown}' är inget datum; {subject} räknas fram ur {source} och kan inte bestämmas för raden "
                    f"(skriv datumet som t.ex. 2026-03-14 10:02:11, eller lägg till en kolumn {label}).")
        else:
            text = f"värde saknas; {subject} räknas fram ur {source} och kan inte bestämmas för raden."
        issue.update(column=source, value=shown, rule="datum" if value else "obligatorisk",
                     message=f"{name}, rad {row}, kolumn '{source}': {text}")
        drop.add((row, source))
        issue["rewritten"] = True
        drop.add((row, source))
    # the explaining message replaces the source column's own date message for that row
    result = [issue for issue in rows if issue.pop("rewritten", False) or (issue["row"], issue["column"]) not in drop]
    return pd.DataFrame(result, columns=ISSUE_COLUMNS).sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def _add_order_checks(mapping, contract: Contract, parsed: pd.DataFrame, field_checks: dict, explain: dict, headers: list[str]) -> None:
    """`not_before: <field>`: a date (an end) that must not lie before another date (its start) of the row."""
    position_of = {name: position for position, name in mapping.fields.items()}
    for position, field_name in mapping.fields.items():
        other = contract.fields[field_name].get("not_before")
        if other is None or other not in position_of:
            continue
        later, earlier = parsed[field_name], parsed[other]
        ok = later.isna() | earlier.isna() | later.ge(earlier)
        field_checks[f"c{position}"].append(_valid(ok, "datumordning"))
        explain[f"c{position}"]["order"] = (headers[position_of[other]], earlier)


def _add_within_checks(mapping, contract: Contract, parsed: pd.DataFrame, field_checks: dict, explain: dict) -> None:
    """`within: <field>`: a DeSO area must lie in the row's municipality (its code begins with the municipality's)."""
    present = set(mapping.fields.values())
    for position, field_name in mapping.fields.items():
        other = contract.fields[field_name].get("within")
        if other is None or other not in present:
            continue
        area, municipality = parsed[field_name], parsed[other]
        ok = area.isna() | municipality.isna() | municipality.eq("") | area.str[:4].eq(municipality)
        field_checks[f"c{position}"].append(_valid(ok, "deso_kommun"))
        explain[f"c{position}"]["within"] = municipality


def _add_person_checks(mapping, contract: Contract, cells: pd.DataFrame, field_checks: dict) -> None:
    """`persons: refuse`: a text that seems to name a person keeps its row out (`_names_in_text`).

    The words of the fields a field's `names_allowed_from` lists (its places, its municipality), as
    the file writes them, are no names in it; of a field checked here itself (listed before it in
    the contract), only the cells that passed."""
    exceptions = contract.spec.get("not_names") or {}
    position_of = {name: position for position, name in mapping.fields.items()}
    passed: dict[str, pd.Series] = {}
    for field_name in (name for name, spec in contract.fields.items() if name in position_of and spec.get("persons") == "refuse"):
        allowed: set[str] = set()
        for other in contract.fields[field_name].get("names_allowed_from", []):
            if other in position_of:
                column = cells[position_of[other]]
                column = column[passed[other]] if other in passed else column
                allowed |= {word for text in pd.unique(column) for word in fold(text).split()}
        person = _names_in_text(cells[position_of[field_name]], exceptions, allowed)
        passed[field_name] = ~person
        field_checks[f"c{position_of[field_name]}"].append(_valid(~person, "person"))


def _valid(ok: pd.Series, rule: str) -> pa.Check | None:
    """A Pandera check whose verdict was computed while parsing (so each cell is parsed once); None
    when the verdict holds for every cell: Pandera would find nothing, and a national ingest spent
    a tenth of its time letting it look."""
    verdict = ok.fillna(False).astype(bool)
    if verdict.all():
        return None
    return pa.Check(lambda s: verdict.reindex(s.index).fillna(False).astype(bool), name=rule)


def _parse_field(column: pd.Series, field_name: str, spec: dict, contract: Contract, parsed: pd.DataFrame):
    """Parse one column into `parsed`; return its Pandera checks and per-row message detail."""
    kind, empty = spec["kind"], column.eq("")
    if kind == "date":
        dates = parse.parse_dates(column)
        parsed[field_name] = dates
        today = pd.Timestamp(dt.date.today())
        latest = today + pd.DateOffset(years=spec.get("years_ahead", 0))
        earliest = pd.Timestamp(spec.get("earliest", EARLIEST_DATE))
        in_range = dates.isna() | dates.between(earliest, latest)
        return [_valid(empty | dates.notna(), "datum"), _valid(in_range, "datum_intervall")], {"latest": latest, "today": today, "earliest": earliest}
    if kind == "month":
        months = parse.parse_months(column)
        parsed[field_name] = months
        return [_valid(empty | months.notna(), "manad")], None
    if kind == "area":
        areas = _resolve_areas(column, contract.spec.get("areas", {}))
        parsed[field_name], parsed[f"{field_name}_type"] = areas["code"], areas["type"]
        return [_valid(empty | areas["code"].notna(), "omrade")], areas["suggestions"]
    if kind == "role":
        person = _person_like(column, spec.get("role_words", []))
        parsed[field_name] = column.where(~empty)
        return [_valid(~person, "funktion")], None
    if kind == "textlist":
        pattern = "|".join(re.escape(s) for s in spec.get("separators", [","]))
        items = map_distinct(column, lambda text: [i.strip() for i in re.split(pattern, text) if i.strip()] if text else [])
        parsed[field_name] = items
        return [], None
    if kind == "age":
        ages = parse.parse_ages(column, contract.spec["age_bands"])
        parsed["age"], parsed["age_band"] = ages["age"], ages["age_band"]
        return [_valid(empty | ages["age_band"].notna(), "alder")], None
    if kind == "integer":
        numbers = parse.parse_integers(column, spec["min"], spec["max"])
        parsed[field_name] = numbers
        return [_valid(empty | numbers.notna(), "heltal")], {"min": spec["min"], "max": spec["max"]}
    if kind == "yesno":
        answers = parse.parse_yes_no(column, contract.yes, contract.no)
        parsed[field_name] = answers.where(~empty)
        return [_valid(answers.notna(), "ja_nej")], None
    if kind == "code":
        codes = contract.codelists[spec["codelist"]]
        mapped = map_codes(column, codes)
        parsed[field_name] = mapped
        return [_valid(empty | mapped.notna(), "kod")], codes.allowed_text()
    if kind == "multicode":
        codes = contract.codelists[spec["codelist"]]
        split = parse.split_multicode(column, codes, contract.spec.get("multicode_separators", [","]))
        parsed[field_name] = split["codes"]
        return [_valid(split["unknown"].str.len().eq(0), "kodlista")], (split["unknown"], codes.allowed_text())
    if kind == "deso":
        codes = column.str.upper().str.replace(" ", "", regex=False)
        ok = codes.str.match(DESO_CODE.pattern) & codes.str[:4].isin(set(resolver().names))
        parsed[field_name] = codes.where(~empty & ok)
        return [_valid(empty | ok, "deso")], None
    if kind == "municipality":
        resolved = resolver().resolve_series(column)
        parsed[field_name] = resolved["code"].where(~resolved["known_unknown"], "")
        unknown_ok = resolved["known_unknown"] if spec.get("allow_unknown", True) else False
        return [_valid(empty | resolved["code"].notna() | unknown_ok, "kommun")], resolved["suggestions"]
    if kind == "round":
        rounds = parse.parse_rounds(column, contract.spec["round_aliases"])
        parsed[field_name] = rounds
        return [_valid(empty | rounds.notna(), "omgang")], None
    if kind == "text":
        unique_rule = [_valid(~(column.ne("") & column.duplicated(keep="first")), "unik")] if field_name == "case_id" else []
        longest = spec.get("max_length", MAX_TEXT_LENGTH)
        parsed[field_name] = column.where(~empty)
        return unique_rule + [_valid(column.str.len().le(longest), "langd")], {"max_length": longest}
    raise ValueError(f"okänd fälttyp {kind!r} för {field_name}")


def _resolve_areas(column: pd.Series, regions: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """A municipality, county, the country or a cooperation (pipeline.places.resolve_area) per cell.

    `regions` (pipeline.places.region_lookup) comes with the contract of a source with an area field.
    """
    return map_distinct(column, lambda value: resolve_area(value, regions), dict.fromkeys(["type", "code", "suggestions"]))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_NAME_WORD = re.compile(r"[A-ZÅÄÖÉÜØ][a-zåäöéèüøæ]+(?:-[A-ZÅÄÖÉÜØ][a-zåäöéèüøæ]+)?")


def _is_role(word: str, roles: list[str]) -> bool:
    """A folded word is a role word, or begins or ends with one of at least four letters
    ("kommunpolis", "skolchef"), or contains one of at least six ("säkerhetssamordnarna")."""
    return any(word == r or (len(r) >= 4 and (word.startswith(r) or word.endswith(r))) or (len(r) >= 6 and r in word) for r in roles)


def _person_like(column: pd.Series, role_words: list[str]) -> pd.Series:
    """True where a responsible-function cell names a person or holds an e-mail address.

    A person: two or three capitalised words ("Anna Svensson", "Karl-Erik Berg Lind"), alone or as
    a part of the cell set off by a comma, dash, slash or brackets ("Anna Svensson (kommunpolis)"),
    with no word for a role among them (`_is_role`).
    """
    roles = [fold(w) for w in role_words]

    def one(text: str) -> bool:
        if _EMAIL.search(text):
            return True
        for part in re.split(r"[,;:()\[\]/–—]|\s-\s|\boch\b|&", text):
            words = part.split()
            if 2 <= len(words) <= 3 and all(_NAME_WORD.fullmatch(w) for w in words) and not any(_is_role(fold(w), roles) for w in words):
                return True
        return False

    return map_distinct(column, one).astype(bool)


def _names_in_text(column: pd.Series, exceptions: dict, allowed: set[str] = frozenset()) -> pd.Series:
    """True where free text seems to name a person: an e-mail address, or two capitalised name-like
    words in a row within a sentence or clause ("… såg Anna Svensson …").

    A capitalised word is no name when it is one of `exceptions["words"]` (words that begin a
    sentence, days, shops), one of `allowed` (the file's places and municipalities), or a place
    or function by its `exceptions["word_parts"]` (`_is_role`: "Skolgården", "Centrumtorget").
    Not every municipality's name is allowed: Berg, Lund and Mora are surnames too. A first name
    alone is not found; the text is never shown, so this guards what is stored.
    """
    words = {fold(w) for w in exceptions.get("words", [])} | set(allowed)
    parts = [fold(w) for w in exceptions.get("word_parts", [])]

    def name_like(word: str) -> bool:
        folded = fold(word)
        return bool(_NAME_WORD.fullmatch(word)) and folded not in words and not _is_role(folded, parts)

    def one(text: str) -> bool:
        if _EMAIL.search(text):
            return True
        for clause in re.split(r"[,;:.!?()\[\]/–—\"”]|\s-\s|\boch\b|&", text):
            tokens = clause.split()
            if any(name_like(a) and name_like(b) for a, b in zip(tokens, tokens[1:])):
                return True
        return False

    return map_distinct(column, one).astype(bool)


def _codes_from_yes_no(answers: dict[str, pd.Series], contract: Contract) -> pd.Series:
    """One yes/no column per code -> the list of codes answered yes (the missing code if none)."""
    table = pd.DataFrame(answers).fillna(False).astype(bool)
    missing = contract.codelists[contract.fields[contract.multicode_field]["codelist"]].missing
    names = table.columns.to_numpy()
    return pd.Series(
        [sorted(names[row]) or ([missing] if missing else []) for row in table.to_numpy()], index=table.index
    )


def _run_schema(schema: pa.DataFrameSchema, frame: pd.DataFrame, explain: dict, contract: Contract, name: str) -> pd.DataFrame:
    if not schema.columns:  # every check holds everywhere (see _valid)
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    try:
        schema.validate(frame, lazy=True)
        return pd.DataFrame(columns=ISSUE_COLUMNS)
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    failures = failures[failures["index"].notna()]
    rows = []
    for failure in failures.itertuples(index=False):
        info = explain[failure.column]
        row = int(failure.index)
        value = "" if pd.isna(failure.failure_case) else str(failure.failure_case)
        shown = HIDDEN if _looks_personal(value) else HIDDEN_PERSON if failure.check in ("funktion", "person") else value
        if failure.check == "langd":
            info = {**info, "length": len(value)}
            shown = shown if shown != value else f"{value[:40]}…"
        text = _rule_text(failure.check, shown, info, row, contract)
        rows.append((row, info["header"], shown, failure.check, f"{name}, rad {row}, kolumn '{info['header']}': {text}", info["field"]))
    issues = pd.DataFrame(rows, columns=ISSUE_COLUMNS)
    return issues.sort_values(["row", "column"], kind="stable").reset_index(drop=True)


def _looks_personal(value: str) -> bool:
    """True when the cell is, or contains, a valid personal identity number: never echo it."""
    candidates = _PERSONAL_CANDIDATE.findall(value)
    return bool(candidates) and bool(valid_mask(pd.Series(candidates, dtype=str)).any())


def _rule_text(rule: str, value: str, info: dict, row: int, contract: Contract) -> str:
    label, detail = contract.label(info["field"]), info["detail"]
    if rule == "obligatorisk":
        return f"värde saknas; {label.lower()} måste anges."
    if rule == "datum":
        return f"'{value}' är inget giltigt datum (skriv t.ex. 2026-10-03 eller 3 oktober 2026)."
    if rule == "datum_intervall":
        latest = "dagens datum" if detail["latest"] == detail["today"] else f"{detail['latest']:%Y-%m-%d}"
        return f"datumet '{value}' ligger utanför {detail['earliest']:%Y-%m-%d} – {latest}."
    if rule == "datumordning":
        header, earlier = info["order"]
        return f"{label.lower()} '{value}' ligger före {earlier.loc[row]:%Y-%m-%d} i kolumnen '{header}'; ett slut kan inte komma före sin start."
    if rule == "manad":
        return f"'{value}' är ingen månad (skriv t.ex. 202512 eller 2025-12)."
    if rule == "omrade":
        suggestions = detail.loc[row]
        hint = f" Menade du {' eller '.join(suggestions)}?" if suggestions else ""
        return (f"'{value}' är varken en svensk kommun eller ett känt område (en region i regions.yaml, "
                f"ett län som 'lan-17' eller 'Värmlands län', eller 'riket').{hint}")
    if rule == "funktion":
        return (f"{label.lower()} ska vara en funktion eller roll, inte en person: cellen ser ut som ett namn eller en "
                "e-postadress. Skriv funktionen, t.ex. Kommunpolis eller Säkerhetssamordnare – samverkan som hänger "
                "på personer upphör när de slutar.")
    if rule == "person":
        return (f"{label.lower()} ser ut att nämna en person (ett namn eller en e-postadress), och raden läses inte in: "
                "en rapport nämner aldrig personer. Skriv om texten utan namn; är orden ett platsnamn, lägg till dem under "
                f"not_names i schemas/{contract.source}.yaml.")
    if rule == "deso":
        return f"'{value}' är ingen DeSO-kod (nio tecken: kommunkoden, A, B eller C och fyra siffror, t.ex. 1766C1010)."
    if rule == "deso_kommun":
        names = resolver().names
        municipality = info["within"].loc[row]
        return (f"DeSO-området '{value}' ligger i {names.get(value[:4].upper(), value[:4])}, inte i {names.get(municipality, municipality)} "
                "som raden gäller; kontrollera kommunen eller DeSO-koden.")
    if rule == "alder":
        bands = ", ".join(band[0] for band in contract.spec["age_bands"])
        return f"'{value}' är varken en ålder 0–120 eller en åldersgrupp inom {bands}."
    if rule == "heltal":
        return f"'{value}' är inget heltal från {detail['min']} till {detail['max']}."
    if rule == "ja_nej":
        return f"'{value}' är varken ja eller nej (skriv Ja/Nej, X eller lämna tomt)."
    if rule == "kod":
        return f"'{value}' är inget tillåtet svar för {label.lower()} (tillåtna: {detail})."
    if rule == "kodlista":
        unknown, allowed = detail
        listed = ", ".join(HIDDEN if _looks_personal(u) else repr(u) for u in unknown.loc[row])
        return f"{listed} är okänt för {label.lower()} (tillåtna: {allowed})."
    if rule == "kommun":
        suggestions = detail.loc[row]
        hint = f" Menade du {' eller '.join(suggestions)}?" if suggestions else ""
        return f"'{value}' är ingen svensk kommun.{hint}"
    if rule == "omgang":
        return f"'{value}' är ingen enkätomgång (skriv t.ex. 2026-H1, VT 2026 eller HT 2026)."
    if rule == "langd":
        return (f"texten är {info['length']} tecken lång, fler än de {detail['max_length']} en cell i Excel rymmer; "
                f"{label.lower()} ('{value}') läses inte in.")
    if rule == "unik":
        return f"{label.lower()} '{value}' finns redan på en tidigare rad i filen."
    return f"'{value}' bryter mot regeln {rule}."
