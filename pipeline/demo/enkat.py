"""Synthetic lägesbild questionnaire exports for five municipalities of the demo region.

`write_enkat_demo` writes four half-year rounds (the one holding `end_period` and the three
before it) as the municipalities really collect them, one layout each:

- Sunne and Torsby share a Google Forms form: one UTF-8 csv per round (comma, every field
  quoted, no BOM), grid questions as "Prompt [statement]", the presence grid before the trend
  grid, no round column (the round is in the file name, and the timestamps lie inside it);
- Hagfors and Karlstad each use Microsoft Forms: one workbook per round and municipality,
  the Likert statements as bare column headers, first the presence block, then the same
  statements again for the trend, a round column written like "VT 2026";
- Munkfors fills in the form of `lagesbild template enkat` without its Kommun, Sektor and
  Omgång columns ("<question> – förekomst", "<question> – utveckling", a comment per area) and
  saves it as Excel's Swedish "CSV (semikolonavgränsad)" (cp1252, `;`, CRLF): one file per
  sector and round in data/raw/enkat/munkfors/, so the municipality comes from the folder,
  sector and round from the file name.

Every question text, answer label, sector label and comment header comes from
schemas/enkat.yaml: a round uses the header texts of the catalogue version in force then
(`versions.*.from_round`), and a question with `since_version` is asked only from that version.
The sectors see the same latent situation from where they stand (the police rates networks
higher, the school the school climate, …), answer "Vet ej" more often on topics far from
them, and the trend answers follow how the latent level moved. Planted for the demo: Munkfors'
housing company never answers, one Torsby sector misses the latest round, Sunne's social
services submit twice in one round (the later answers differ), Hagfors' latest round has a
question where two sectors lie two steps apart, and three misspelt or unknown answers (one per
layout). Output is byte-identical for the same (end_period, seed).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from pipeline.config import PROJECT_SCHEMAS, read_yaml
from pipeline.files import workbook_bytes
from pipeline.ingest.contract import _header_key, fold
from pipeline.places import resolver

N_ROUNDS = 4
GOOGLE = ("1766", "1737")  # Sunne, Torsby: one joint Google form
MSFORMS = ("1783", "1780")  # Hagfors, Karlstad: a Microsoft form each
MUNKFORS = "1762"  # without a survey tool: one csv per sector and round
MUNICIPALITIES = GOOGLE + MSFORMS + (MUNKFORS,)

# Planted gaps and findings (sector codes of schemas/enkat.yaml).
NEVER_ANSWERS = {(MUNKFORS, "bostadsbolag")}
LATE_IN_LATEST_ROUND = ("1737", "fritid")  # Torsby's fritid has not answered the latest round
RESUBMITS = ("1766", "socialtjanst")  # answers twice in the round before the latest
SAMSYN_IN = "1783"  # Hagfors: two sectors two steps apart in the latest round

# Faulty answers, one per layout; each must stay unknown to the catalogue.
MS_FAULT = "Ganska mycket"
MUNKFORS_FAULT = "Ökar kraftigt"

# What the export tools write themselves (must be known to enkat.yaml as fields, personal or ignored).
GOOGLE_COLUMNS = ("Tidstämpel", "E-postadress", "Kommun", "Vilken verksamhet representerar du?")
MS_COLUMNS = ("ID", "Starttid", "Tid för slutförande", "E-post", "Namn", "Tid för senaste ändring",
              "Kommun", "Sektor", "Omgång")
MUNKFORS_COLUMNS = ("Datum",)
# The prompts of the two grid questions of the Google form; each names its scale by a keyword.
GOOGLE_PROMPTS = {"presence": "Hur förekommer följande i kommunen?",
                  "trend": "Hur har följande utvecklats det senaste året?"}
MS_HALVES = {"H1": "VT", "H2": "HT"}  # how the Microsoft form's round question is answered
FAKE_EMAIL = "fornamn.efternamn@example.se"
FAKE_NAME = "Förnamn Efternamn"

# The latent situation: a level 0-3 per question, by area with exceptions by question.
AREA_LEVEL = {"extremism": 0.5, "natverk": 0.9, "skola": 1.5, "fritid": 1.3, "andt": 1.6, "sociala_risker": 1.7}
QUESTION_LEVEL = {"hoger": 0.7, "vanster": 0.15, "islamism": 0.2, "propaganda": 0.9, "hot_fortroendevalda": 1.2,
                  "vald": 0.5, "andt_tobak": 2.2, "andt_alkohol": 1.9, "langning": 1.4, "lustgas": 0.8,
                  "psykisk_ohalsa": 2.2, "arbetsloshet": 1.4}
DEFAULT_LEVEL = 1.2
# Where a municipality differs from the common level (by area or question).
LOCAL_LEVEL = {"1780": {"natverk": 0.7, "andt_narkotika": 0.4, "extremism": 0.2, "arbetsloshet": -0.2},
               "1783": {"natverk": 0.2, "arbetsloshet": 0.4},
               "1762": {"natverk": -0.3, "arbetsloshet": 0.5, "fritid": -0.2},
               "1737": {"extremism": 0.2, "utanforskap": 0.2},
               "1766": {"andt_alkohol": 0.2, "langning": 0.3}}
# Change of the level per half-year round; the random walk adds a little everywhere.
DRIFT = {"lustgas": 0.35, "skola_franvaro": 0.08, "psykisk_ohalsa": 0.05, "andt_tobak": 0.05}
LOCAL_DRIFT = {"1783": {"natverk_narvaro": 0.3, "natverk_rekrytering": 0.25, "oppen_handel": 0.35},
               "1780": {"natverk_narvaro": 0.3, "natverk_rekrytering": 0.2, "oppen_handel": 0.35, "vald": 0.2}}
WALK_SD = 0.08
# A sector sees more (steps above the common level) of what it works with.
SECTOR_VIEW = {"polis": {"natverk": 1.0, "andt_narkotika": 1.0, "skola": -0.3},
               "socialtjanst": {"psykisk_ohalsa": 1.0, "utanforskap": 1.0, "langning": 0.4},
               "skola": {"skola": 1.0, "andt_tobak": 1.0, "natverk": -0.3},
               "fritid": {"fritid": 1.0, "lustgas": 0.5},
               "bostadsbolag": {"extremism": -0.3, "fritid_otrygga_platser": 0.5, "utanforskap": 0.3},
               "sakerhetssamordnare": {"extremism": 0.4, "hot_fortroendevalda": 0.6}}
ANSWER_SD = 0.45
# "Vet ej" is likelier far from a sector's own work.
BASE_UNSURE = 0.03
SECTOR_UNSURE = {"bostadsbolag": {"extremism": 0.35, "skola": 0.3, "fritid": 0.15, "natverk": 0.12, "andt": 0.15},
                 "polis": {"skola_franvaro": 0.2, "psykisk_ohalsa": 0.1},
                 "fritid": {"extremism": 0.2, "arbetsloshet": 0.15},
                 "skola": {"extremism": 0.1, "arbetsloshet": 0.15},
                 "sakerhetssamordnare": {"skola": 0.1, "fritid": 0.1}}
TREND_UNSURE_EXTRA = 0.05
GOOGLE_SKIPPED = 0.01  # a grid row left unanswered in the Google form
COMMENT_P = 0.12
COMMENTS = {
    "extremism": ["Enstaka klistermärken med propaganda har setts i centrum.",
                  "Inga kända händelser under perioden.",
                  "Fler hot i sociala medier mot anställda än tidigare."],
    "natverk": ["Uppgifter om försäljning via sociala medier.",
                "Oro för att yngre dras in som springpojkar.",
                "Samverkan med polisen kring ett par platser pågår."],
    "skola": ["Frånvaron har uppmärksammats i elevhälsan.",
              "Lugnare läge efter förändringar på rasterna."],
    "fritid": ["Stök vid busstationen kvällstid.",
               "Fritidsgården har fått fler besökare sedan öppettiderna utökades."],
    "andt": ["Vitt snus vanligt redan på högstadiet.",
             "Uppgifter om att äldre kompisar köper ut alkohol."],
    "sociala_risker": ["Långa väntetider till stöd för psykisk ohälsa.",
                       "Fler unga utan sysselsättning efter gymnasiet."],
}
GENERIC_COMMENT = "Svårt att bedöma utifrån vår verksamhet."


@dataclass(frozen=True)
class Round:
    id: str  # "2026-H1"
    start: dt.date
    end: dt.date  # last day of the half-year
    limit: dt.date  # last day an answer can carry: the half's end or end_period's last day
    version: str  # catalogue version in force


@dataclass(frozen=True)
class Question:
    id: str
    area: str
    trend: bool
    since: str | None
    headers: dict[str, list[str]]


@dataclass
class Response:
    municipality: str
    sector: str
    round: Round
    submitted: dt.datetime
    presence: dict[str, str | None]  # question -> answer code (None: left empty)
    trend: dict[str, str | None]
    comments: dict[str, str] = field(default_factory=dict)
    faults: dict[tuple[str, str], str] = field(default_factory=dict)  # (question, scale) -> text written


class Catalogue:
    """What the generator takes from schemas/enkat.yaml."""

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self.version_order = sorted(spec["versions"], key=lambda v: str(spec["versions"][v]["from_round"]))
        self.questions = [Question(qid, area_id, q.get("trend", True), q.get("since_version"),
                                   {str(v): list(h) for v, h in q["headers"].items()})
                          for area_id, area in spec["areas"].items() for qid, q in area["questions"].items()]
        self.areas = spec["areas"]
        self.sectors = [code for code, s in spec["sectors"].items() if s.get("expected")]
        self.scales = {}
        for name, scale in spec["scales"].items():
            answers = scale["answers"]
            valued = sorted((a["value"], code) for code, a in answers.items() if not a.get("dont_know"))
            dont_know = next(code for code, a in answers.items() if a.get("dont_know"))
            self.scales[name] = {"codes": [code for _, code in valued], "dont_know": dont_know,
                                 "labels": {code: a["label"] for code, a in answers.items()},
                                 "known": {fold(t) for code, a in answers.items()
                                           for t in [code, a["label"], *a.get("aliases", [])]}}

    def version_of(self, round_id: str) -> str:
        started = [v for v in self.version_order if str(self.spec["versions"][v]["from_round"]) <= round_id]
        return started[-1] if started else self.version_order[0]

    def asked(self, question: Question, version: str) -> bool:
        order = self.version_order
        return question.since is None or order.index(version) >= order.index(str(question.since))

    def header(self, question: Question, version: str) -> str:
        """The first header text of the latest version up to `version` that words the question."""
        order = self.version_order
        for candidate in reversed(order[: order.index(version) + 1]):
            if question.headers.get(candidate):
                return _capitalised(question.headers[candidate][0])
        return _capitalised(next(iter(question.headers.values()))[0])

    def label(self, scale: str, code: str) -> str:
        return self.scales[scale]["labels"][code]

    def sector_label(self, code: str) -> str:
        return self.spec["sectors"][code]["label"]


def write_enkat_demo(workspace: Path, end_period: str, seed: int = 2026) -> list[Path]:
    """Write the questionnaire exports of the four rounds ending with end_period's; return their paths."""
    workspace = Path(workspace)
    end = _end_month(end_period)
    catalogue = Catalogue(_load_spec())
    _check_catalogue(catalogue)
    rng = np.random.default_rng([seed, 1766])  # a stream of its own, apart from the INTOX demo's
    rounds = _rounds(end, catalogue)
    levels = _latent_levels(catalogue, len(rounds), rng)
    responses = _responses(catalogue, rounds, levels, rng)
    _plant_samsyn(responses, catalogue, rounds[-1])
    responses += _plant_resubmission(responses, catalogue, rounds[-2], rng)
    _plant_faults(responses, catalogue, rounds, rng)

    raw = workspace / "data" / "raw" / "enkat"
    saved_at = dt.datetime.combine((end + 1).start_time.date(), dt.time(7))
    written = []
    for round_ in rounds:
        rows = [r for r in responses if r.round == round_ and r.municipality in GOOGLE]
        written.append(_write_google(rows, catalogue, round_, raw / "google-forms"))
    for code in MSFORMS:
        for round_ in rounds:
            rows = [r for r in responses if r.round == round_ and r.municipality == code]
            written.append(_write_msforms(rows, catalogue, round_, raw / "microsoft-forms", saved_at))
    for round_ in rounds:
        for r in (r for r in responses if r.round == round_ and r.municipality == MUNKFORS):
            written.append(_write_munkfors(r, catalogue, raw / _municipality_name(MUNKFORS).lower()))
    return written


# --- catalogue and calendar ---------------------------------------------------------------------

def _load_spec() -> dict:
    return read_yaml(PROJECT_SCHEMAS / "enkat.yaml")


def _check_catalogue(catalogue: Catalogue) -> None:
    """Fail early if what the generator writes by itself no longer fits enkat.yaml."""
    spec = catalogue.spec
    known = {_header_key(a) for f in spec["fields"].values() for a in f["aliases"]}
    known |= {_header_key(h) for h in spec["personal"] + spec["ignored"]}
    for header in GOOGLE_COLUMNS + MS_COLUMNS + MUNKFORS_COLUMNS:
        if _header_key(header) not in known:
            raise ValueError(f"{header!r} is no column of enkat.yaml (fields, personal, ignored)")
    for scale, prompt in GOOGLE_PROMPTS.items():
        words = fold(prompt).split()
        if not any(w.startswith(fold(k)) for w in words for k in spec["scales"][scale]["keywords"]):
            raise ValueError(f"the prompt {prompt!r} names no keyword of the {scale} scale")
    for half, word in MS_HALVES.items():
        if spec["round_aliases"].get(word.lower()) != half:
            raise ValueError(f"{word!r} is no round alias for {half} in enkat.yaml")
    sectors = {s for _, s in NEVER_ANSWERS} | {LATE_IN_LATEST_ROUND[1], RESUBMITS[1]}
    if not sectors <= set(catalogue.sectors):
        raise ValueError(f"sectors {sorted(sectors - set(catalogue.sectors))} are not expected in enkat.yaml")
    for scale, text in (("presence", MS_FAULT), ("trend", MUNKFORS_FAULT), ("presence", _misspelt(catalogue))):
        if fold(text) in catalogue.scales[scale]["known"]:
            raise ValueError(f"the planted fault {text!r} is an answer of enkat.yaml")


def _misspelt(catalogue: Catalogue) -> str:
    """The highest presence label with a letter left out: 'I stor utsträkning'."""
    label = catalogue.label("presence", catalogue.scales["presence"]["codes"][-1])
    return label.replace("ck", "k", 1) if "ck" in label else label[:-1]


def _end_month(end_period: str) -> pd.Period:
    try:
        if len(end_period) != 7:
            raise ValueError
        return pd.Period(end_period, freq="M")
    except (TypeError, ValueError):
        raise ValueError(f"end_period must be YYYY-MM, got {end_period!r}") from None


def _rounds(end: pd.Period, catalogue: Catalogue) -> list[Round]:
    year, half = end.year, 1 if end.month <= 6 else 2
    halves = []
    for _ in range(N_ROUNDS):
        halves.append((year, half))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    last_day = end.end_time.date()
    rounds = []
    for year, half in reversed(halves):
        start = dt.date(year, 1 if half == 1 else 7, 1)
        stop = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
        round_id = f"{year}-H{half}"
        rounds.append(Round(round_id, start, stop, min(stop, last_day), catalogue.version_of(round_id)))
    return rounds


def _municipality_name(code: str) -> str:
    return resolver().names[code]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lookup(table: dict, question: Question, default: float = 0.0) -> float:
    """A question's own entry, else its area's, else the default."""
    return table.get(question.id, table.get(question.area, default))


# --- simulation ---------------------------------------------------------------------------------

def _latent_levels(catalogue: Catalogue, n_rounds: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per municipality: the level of each question (rows) in each round (columns)."""
    levels = {}
    steps = np.arange(n_rounds)
    for code in MUNICIPALITIES:
        base = np.array([_lookup(QUESTION_LEVEL, q, AREA_LEVEL.get(q.area, DEFAULT_LEVEL))
                         + _lookup(LOCAL_LEVEL.get(code, {}), q) for q in catalogue.questions])
        drift = np.array([_lookup(LOCAL_DRIFT.get(code, {}), q, _lookup(DRIFT, q)) for q in catalogue.questions])
        walk = np.cumsum(rng.normal(0, WALK_SD, (len(base), n_rounds)), axis=1)
        start = base + rng.normal(0, 0.2, len(base))
        levels[code] = np.clip(start[:, None] + drift[:, None] * (steps - (n_rounds - 1) / 2)[None, :] + walk, 0, 3.3)
    return levels


def _responses(catalogue: Catalogue, rounds: list[Round], levels: dict[str, np.ndarray],
               rng: np.random.Generator) -> list[Response]:
    presence_codes = catalogue.scales["presence"]["codes"]
    trend_codes = catalogue.scales["trend"]["codes"]  # minskat, oförändrat, ökat
    unsure_p, unsure_t = catalogue.scales["presence"]["dont_know"], catalogue.scales["trend"]["dont_know"]
    responses = []
    for code in MUNICIPALITIES:
        bias = {s: rng.normal(0, 0.2) for s in catalogue.sectors}  # how each sector tends to rate
        for r, round_ in enumerate(rounds):
            for sector in catalogue.sectors:
                if (code, sector) in NEVER_ANSWERS or (round_ == rounds[-1] and (code, sector) == LATE_IN_LATEST_ROUND):
                    continue
                view = SECTOR_VIEW.get(sector, {})
                unsure = SECTOR_UNSURE.get(sector, {})
                presence, trend = {}, {}
                for i, q in enumerate(catalogue.questions):
                    if not catalogue.asked(q, round_.version):
                        continue
                    level = levels[code][i, r]
                    p_unsure = _lookup(unsure, q, BASE_UNSURE)
                    value = level + _lookup(view, q) + bias[sector] + rng.normal(0, ANSWER_SD)
                    answer = presence_codes[int(np.clip(np.rint(value), 0, 3))]
                    presence[q.id] = unsure_p if rng.random() < p_unsure else answer
                    if not q.trend:
                        continue
                    moved = level - levels[code][i, r - 1] if r else levels[code][i, 1] - levels[code][i, 0]
                    score = moved / 0.3 + rng.normal(0, 0.6)
                    step = 2 if score > 0.7 else 0 if score < -0.9 else 1
                    if answer == presence_codes[0] and step == 2:
                        step = 1  # nothing to increase from
                    unsure_now = presence[q.id] == unsure_p and rng.random() < 0.85
                    unsure_now |= rng.random() < p_unsure + TREND_UNSURE_EXTRA
                    trend[q.id] = unsure_t if unsure_now else trend_codes[step]
                comments = {}
                for area_id in catalogue.areas:
                    if rng.random() < COMMENT_P:
                        texts = COMMENTS.get(area_id, [GENERIC_COMMENT])
                        comments[area_id] = texts[rng.integers(len(texts))]
                responses.append(Response(code, sector, round_, _submission_time(round_, rng),
                                          presence, trend, comments))
    if GOOGLE_SKIPPED:  # a respondent of the Google form now and then skips a grid row
        for response in (r for r in responses if r.municipality in GOOGLE):
            for answers in (response.presence, response.trend):
                for qid in answers:
                    if rng.random() < GOOGLE_SKIPPED:
                        answers[qid] = None
    return responses


def _submission_time(round_: Round, rng: np.random.Generator, latest: dt.date | None = None) -> dt.datetime:
    """A working-day time in the round's survey window (2nd to 5th month), cut at its limit."""
    opens = round_.start.replace(month=round_.start.month + 1)
    closes = min((pd.Timestamp(round_.start) + pd.DateOffset(months=5) - pd.Timedelta(days=1)).date(),
                 round_.limit, latest or round_.limit)
    if opens > closes:
        opens = round_.start
    day = opens + dt.timedelta(days=int(rng.integers((closes - opens).days + 1)))
    while day.weekday() >= 5 and day - dt.timedelta(days=1) >= opens:  # to the Friday before
        day -= dt.timedelta(days=1)
    seconds = int(rng.integers(7 * 3600 + 30 * 60, 16 * 3600 + 30 * 60))
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)


# --- planted findings and faults ----------------------------------------------------------------

def _numeric(catalogue: Catalogue, code: str | None) -> int | None:
    codes = catalogue.scales["presence"]["codes"]
    return codes.index(code) if code in codes else None


def _plant_samsyn(responses: list[Response], catalogue: Catalogue, latest: Round) -> None:
    """Make sure some question of the municipality's latest round has sectors two steps apart."""
    rows = [r for r in responses if r.municipality == SAMSYN_IN and r.round == latest]
    spreads = {}
    for qid in rows[0].presence:
        values = [v for v in (_numeric(catalogue, r.presence[qid]) for r in rows) if v is not None]
        spreads[qid] = max(values) - min(values) if values else 0
    if max(spreads.values()) >= 2:
        return
    # The police sees networks closer than anyone: it rates the first network question higher.
    qid = next((q.id for q in catalogue.questions if q.id in rows[0].presence and SECTOR_VIEW["polis"].get(q.area, 0) > 0),
               next(iter(rows[0].presence)))
    police = next(r for r in rows if r.sector == "polis")
    others = [r for r in rows if r is not police and _numeric(catalogue, r.presence[qid]) is not None]
    lowest = min(others, key=lambda r: (_numeric(catalogue, r.presence[qid]), catalogue.sectors.index(r.sector)))
    low = min(_numeric(catalogue, lowest.presence[qid]), 1)
    codes = catalogue.scales["presence"]["codes"]
    lowest.presence[qid], police.presence[qid] = codes[low], codes[low + 2]


def _plant_resubmission(responses: list[Response], catalogue: Catalogue, round_: Round,
                        rng: np.random.Generator) -> list[Response]:
    """The sector sends the form again a few days later with some answers changed."""
    first = next(r for r in responses if (r.municipality, r.sector) == RESUBMITS and r.round == round_)
    days = int(rng.integers(3, 9))
    first.submitted = min(first.submitted, _submission_time(round_, rng, round_.limit - dt.timedelta(days=days)))
    second = replace(first, submitted=first.submitted + dt.timedelta(days=days, minutes=int(rng.integers(-90, 90))),
                     presence=dict(first.presence), trend=dict(first.trend), comments=dict(first.comments))
    codes = catalogue.scales["presence"]["codes"]
    changeable = [qid for qid, code in first.presence.items() if code in codes]
    for qid in sorted(str(q) for q in rng.choice(changeable, size=3, replace=False)):
        value = codes.index(first.presence[qid])
        second.presence[qid] = codes[value + 1 if value < 3 else value - 1]
    return [second]


def _plant_faults(responses: list[Response], catalogue: Catalogue, rounds: list[Round],
                  rng: np.random.Generator) -> None:
    """One unknown answer in each layout; the rest of each response stays as it was."""
    top = catalogue.scales["presence"]["codes"][-1]
    okat = catalogue.scales["trend"]["codes"][-1]

    def pick(rows: list[Response], scale: str, prefer: str | None) -> tuple[Response, str]:
        candidates = [(r, qid) for r in rows for qid, code in getattr(r, scale).items()
                      if code is not None and (prefer is None or code == prefer)]
        if not candidates:
            candidates = [(r, qid) for r in rows for qid, code in getattr(r, scale).items() if code is not None]
        return candidates[rng.integers(len(candidates))]

    google = [r for r in responses if r.municipality in GOOGLE and r.round == rounds[-1]]
    response, qid = pick(google, "presence", top)
    response.faults[(qid, "presence")] = _misspelt(catalogue)
    ms = [r for r in responses if r.municipality == MSFORMS[1] and r.round == rounds[-2]]
    response, qid = pick(ms, "presence", None)
    response.faults[(qid, "presence")] = MS_FAULT
    munkfors = [r for r in responses if r.municipality == MUNKFORS and r.round == rounds[1]]
    response, qid = pick(munkfors, "trend", okat)
    response.faults[(qid, "trend")] = MUNKFORS_FAULT


# --- layouts ------------------------------------------------------------------------------------

def _asked(catalogue: Catalogue, round_: Round) -> list[Question]:
    return [q for q in catalogue.questions if catalogue.asked(q, round_.version)]


def _answer(response: Response, catalogue: Catalogue, question: Question, scale: str) -> str:
    if (question.id, scale) in response.faults:
        return response.faults[(question.id, scale)]
    code = getattr(response, scale).get(question.id)
    return "" if code is None else catalogue.label(scale, code)


def _answer_blocks(response: Response, catalogue: Catalogue, questions: list[Question]) -> list[str]:
    """Presence answers of every question, then trend answers of those that ask it."""
    return ([_answer(response, catalogue, q, "presence") for q in questions]
            + [_answer(response, catalogue, q, "trend") for q in questions if q.trend])


def _write_google(rows: list[Response], catalogue: Catalogue, round_: Round, folder: Path) -> Path:
    questions = _asked(catalogue, round_)
    headers = list(GOOGLE_COLUMNS)
    headers += [f"{GOOGLE_PROMPTS['presence']} [{catalogue.header(q, round_.version)}]" for q in questions]
    headers += [f"{GOOGLE_PROMPTS['trend']} [{catalogue.header(q, round_.version)}]" for q in questions if q.trend]
    headers += [_capitalised(area["comment_headers"][0]) for area in catalogue.areas.values()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(headers)
    for r in sorted(rows, key=lambda r: r.submitted):
        writer.writerow([f"{r.submitted:%Y-%m-%d %H:%M:%S}", FAKE_EMAIL, _municipality_name(r.municipality),
                         catalogue.sector_label(r.sector), *_answer_blocks(r, catalogue, questions),
                         *(r.comments.get(area_id, "") for area_id in catalogue.areas)])
    names = "_".join(_municipality_name(code).lower() for code in GOOGLE)
    # named by the day of export, as an analyst saves it: the round comes from the timestamps
    path = folder / f"lagesbild_{names}_export_{round_.limit:%Y%m%d}.csv"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def _write_msforms(rows: list[Response], catalogue: Catalogue, round_: Round, folder: Path,
                   saved_at: dt.datetime) -> Path:
    questions = _asked(catalogue, round_)
    headers = list(MS_COLUMNS)
    headers += [catalogue.header(q, round_.version) for q in questions]
    headers += [catalogue.header(q, round_.version) for q in questions if q.trend]
    headers += [_capitalised(area["comment_headers"][-1]) for area in catalogue.areas.values()]
    year, half = round_.id.split("-")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(headers)
    for number, r in enumerate(sorted(rows, key=lambda r: r.submitted), start=1):
        minutes = 4 + (number * 7) % 19  # time taken to fill in the form
        sheet.append([number, r.submitted - dt.timedelta(minutes=minutes, seconds=number * 13 % 60), r.submitted,
                      FAKE_EMAIL, FAKE_NAME, None, _municipality_name(r.municipality),
                      catalogue.sector_label(r.sector), f"{MS_HALVES[half]} {year}",
                      *(a or None for a in _answer_blocks(r, catalogue, questions)),
                      *(r.comments.get(area_id) for area_id in catalogue.areas)])
        for column in (2, 3):
            sheet.cell(row=sheet.max_row, column=column).number_format = "yyyy-mm-dd hh:mm:ss"
    workbook.properties.creator = "Microsoft Forms"
    data = workbook_bytes(workbook, saved_at)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_municipality_name(rows[0].municipality).lower()}_lagesbild_{round_.id}.xlsx"
    path.write_bytes(data)
    return path


def _write_munkfors(response: Response, catalogue: Catalogue, folder: Path) -> Path:
    round_ = response.round
    questions = _asked(catalogue, round_)
    presence, trend = (catalogue.spec["scales"][s]["label"] for s in ("presence", "trend"))
    headers, cells = list(MUNKFORS_COLUMNS), [f"{response.submitted:%Y-%m-%d}"]
    # As `lagesbild template enkat` lays out the form: per area its questions, both answers of
    # a question side by side, then the area's comment.
    for area_id, area in catalogue.areas.items():
        for q in (q for q in questions if q.area == area_id):
            text = catalogue.header(q, round_.version)
            headers.append(f"{text} – {presence}")
            cells.append(_answer(response, catalogue, q, "presence"))
            if q.trend:
                headers.append(f"{text} – {trend}")
                cells.append(_answer(response, catalogue, q, "trend"))
        headers.append(f"Kommentar om {area['title'].lower()}")
        cells.append(response.comments.get(area_id, ""))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([headers, cells])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{folder.name}_{response.sector}_{round_.id}.csv"
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path
