"""The `lagesbild` command. Help, messages and errors are in Swedish.

Exit status, for a scheduler:
  0  allt gick bra
  1  rader i karantän (det som gick att läsa är inläst), eller: check hittade problem
  2  felaktigt kommando (okänd flagga, fil som inte finns, ogiltig period)
  3  en fil avvisades (personnummer, oläsbar, okänd källa, kolumn saknas)
  4  inläsning av en fil, beräkning eller rapport misslyckades
  5  en annan körning skriver redan i arbetsmappen (eller databasen är öppen i ett annat program)
When several apply, the highest number wins. The writing commands (ingest, build, report, run, demo)
hold the workspace lock (pipeline/lock.py) and wait for it at most --vänta seconds; check does not.
"""
from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click

from pipeline.config import Workspace

OK, QUARANTINE, USAGE, REFUSED, FAILED, BUSY = 0, 1, 2, 3, 4, 5
BUILD_AUDIT_SECONDS = 600  # the proof after publishing; 'lagesbild audit' alone has no limit unless given one
MAX_ISSUES_SHOWN = 20


class SwedishHelp:
    """Click's help headings in Swedish."""

    def format_usage(self, ctx, formatter):
        pieces = " ".join(self.collect_usage_pieces(ctx))
        for english, swedish in (("[OPTIONS]", "[FLAGGOR]"), ("COMMAND [ARGS]...", "KOMMANDO [ARGUMENT]...")):
            pieces = pieces.replace(english, swedish)
        formatter.write_usage(ctx.command_path, pieces, prefix="Användning: ")

    def format_options(self, ctx, formatter):
        rows = [(row[0], _swedish_extra(row[1])) for param in self.get_params(ctx) if (row := param.get_help_record(ctx))]
        if rows:
            with formatter.section("Flaggor"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            commands = [(name, self.get_command(ctx, name).get_short_help_str(limit=70)) for name in self.list_commands(ctx)]
            with formatter.section("Kommandon"):
                formatter.write_dl(commands)


def _swedish_extra(help_text: str) -> str:
    """Click's trailing "[default: …; required]" in Swedish."""
    match = re.search(r"\[([^\[\]]*)\]$", help_text)
    if not match:
        return help_text
    words = {"required": "obligatorisk"}
    parts = [words.get(part, re.sub(r"^default: ", "standard: ", part)) for part in match.group(1).split("; ")]
    return help_text[: match.start()] + f"[{'; '.join(parts)}]"


class Command(SwedishHelp, click.Command):
    pass


class Group(SwedishHelp, click.Group):
    command_class = Command


def _workspace_option(func):
    return click.option(
        "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default="aktuell mapp",
        help="Arbetsmapp med data/raw/, data/processed/ och reports/.",
    )(func)


def _seconds(ctx, param, value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds >= 0:
        raise click.BadParameter(f"ange ett antal sekunder (0 eller mer), inte '{value}'.", param_hint="--vänta")
    return seconds


def _wait_option(func):
    return click.option(
        "--vänta", "--vanta", "wait", callback=_seconds, default="10", metavar="SEKUNDER",
        help="Så länge kommandot väntar på en annan körning som skriver i arbetsmappen innan det ger upp (slutstatus 5). Standard: 10.",
    )(func)


def _locked(workspace: Workspace, wait: float, command: str, work) -> int:
    """Run `work` holding the workspace lock: one writer at a time; a busy workspace or database is exit 5."""
    from pipeline.lock import WorkspaceBusy, workspace_lock

    def waiting(holder) -> None:
        who = f" (pid {holder.pid})" if holder.pid else ""
        click.echo(f"Väntar på en annan körning{who} i arbetsmappen, högst {wait:g} s …", err=True)

    try:
        with workspace_lock(workspace, wait, command=f"lagesbild {command}", on_wait=waiting):
            return work()
    except WorkspaceBusy as busy:
        click.echo(busy.message, err=True)
        return BUSY
    except Exception as error:
        if not _is_database_lock(error):
            raise
        holder = re.search(r"PID (\d+)", str(error))
        who = f" (pid {holder.group(1)})" if holder else ""
        click.echo(f"Databasen {workspace.database.resolve()} är öppen i ett annat program{who} och kan inte användas nu; "
                   "stäng det och försök igen.", err=True)
        return BUSY


def _is_database_lock(error: BaseException) -> bool:
    """DuckDB's 'Could not set lock on file': another process has the database open."""
    return "Could not set lock on file" in str(error)


def _help(func):
    return click.help_option("-h", "--help", help="Visa den här hjälpen och avsluta.")(func)


def _period(ctx, param, value):
    from pipeline.periods import parse

    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None


PERIOD_HELP = "Perioden: en månad (2026-10), ett kvartal (2026-Q3 eller 2026-K3), ett tertial (2026-T2), ett halvår (2026-H1) eller ett år (2026)."


def _period_option(required: bool):
    return click.option("--period", "-p", callback=_period, required=required, metavar="PERIOD",
                        help=PERIOD_HELP + ("" if required else " Standard: senaste månaden med data."))


@click.group(cls=Group, context_settings={"max_content_width": 100})
@_help
def cli():
    """Lägesbild: läser in exporterna (INTOX, lägesbildsenkäter, avtalsregister, officiell statistik), kontrollerar dem, beräknar indikatorer och skapar rapporter.

    Det vanliga månadsjobbet är: lagesbild run --period 2026-10
    """


@cli.command(help="Läs in nya och ändrade filer under data/raw/.")
@_workspace_option
@_wait_option
@_help
def ingest(workspace: Path, wait: float):
    sys.exit(_locked(Workspace(workspace), wait, "ingest", lambda: _ingest(Workspace(workspace))))


def _ingest(workspace: Workspace) -> int:
    from pipeline.ingest import ingest as run_ingest

    if not workspace.raw.exists():
        click.echo(f"Mappen {workspace.raw} finns inte; lägg exporterna där (till exempel data/raw/intox/).", err=True)
        return USAGE
    click.echo(f"Läser in filer från {workspace.raw} …")
    outcomes = run_ingest(workspace)
    code = OK
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.action] = counts.get(outcome.action, 0) + 1
        if outcome.action == "oförändrad":
            continue
        report = outcome.report
        if report is not None and report.refusal is None:
            click.echo(f"{outcome.label}: {outcome.action} – {_row_counts(report)}")
            _echo_findings(report, limit=MAX_ISSUES_SHOWN)
            if not report.issues.empty:
                code = max(code, QUARANTINE)
        elif outcome.action == "avvisad":
            click.echo(f"{outcome.label}: AVVISAD – {outcome.message}")
            code = max(code, REFUSED)
        elif outcome.action == "misslyckades":
            click.echo(f"{outcome.label}: MISSLYCKADES, inget från filen sparades – {outcome.message}")
            code = max(code, FAILED)
        else:
            click.echo(f"{outcome.label}: {outcome.action}" + (f" ({outcome.message})" if outcome.message else ""))
    summary = ", ".join(f"{count} {action}" for action, count in sorted(counts.items()))
    click.echo(f"Inläsning klar: {summary or 'inga filer'}.")
    return code


def _row_counts(report) -> str:
    blank = f", {report.rows_blank} tomma hoppades över" if report.rows_blank else ""
    answers = f", {_single_answers(report.cells_quarantined)} i karantän (resten av raden är inläst)" if report.cells_quarantined else ""
    return f"{report.rows_read} rader lästa, {report.rows_loaded} inlästa, {report.rows_quarantined} i karantän{answers}{blank}"


def _single_answers(count: int) -> str:
    """Answers of a questionnaire left out one by one (the rest of the response is kept)."""
    return f"{count} enskilt svar" if count == 1 else f"{count} enskilda svar"


def _echo_findings(report, limit: int | None) -> None:
    for note in report.notes:
        click.echo(f"  Obs: {note}")
    messages = report.issues["message"].tolist()
    for message in messages[:limit]:
        click.echo(f"  {message}")
    if limit is not None and len(messages) > limit:
        click.echo(f"  … och {len(messages) - limit} fel till; se alla med: lagesbild check {report.path}")


@cli.command(help="Kontrollera filer utan att spara något: samma läsning och kontroll som vid inläsning.")
@click.argument("files", nargs=-1, required=True, metavar="FIL...")
@_workspace_option
@_help
def check(files: tuple[str, ...], workspace: Path):
    from pipeline.ingest.examine import examine

    missing = [name for name in files if not Path(name).is_file()]
    if missing:
        click.echo(f"Filen finns inte: {', '.join(missing)}", err=True)
        sys.exit(USAGE)
    code = OK
    for name in files:
        report = examine(Path(name), Workspace(workspace), label=name)
        if report.refusal:
            click.echo(f"{name}: AVVISAS – {report.refusal}")
            code = max(code, QUARANTINE)
            continue
        parts = [f"{report.rows_quarantined} rader skulle hamna i karantän"] if report.rows_quarantined else []
        parts += [f"{_single_answers(report.cells_quarantined)} skulle hamna i karantän"] if report.cells_quarantined else []
        verdict = " och ".join(parts) or "inga fel"
        click.echo(f"{name}: {report.description}; {_row_counts(report)} – {verdict}.")
        _echo_findings(report, limit=None)
        if not report.clean:
            code = max(code, QUARANTINE)
    sys.exit(code)


@cli.command(help="Beräkna alla indikatorer, skriv den publicerade, röjandeskyddade ögonblicksbilden och pröva "
             "röjandeskyddet (som 'lagesbild audit').")
@_period_option(required=False)
@click.option("--force", is_flag=True, help="Beräkna om även när inget har ändrats, också röjandeskyddet och granskningen.")
@_workspace_option
@_wait_option
@_help
def build(period: str | None, force: bool, workspace: Path, wait: float):
    sys.exit(_locked(Workspace(workspace), wait, "build", lambda: _build(Workspace(workspace), period, force)))


def _build(workspace: Workspace, period: str | None, force: bool = False) -> int:
    from pipeline.build import build as run_build
    from pipeline.periods import kind, period_text
    from pipeline.publish import publish
    from pipeline.sources import BY_NAME

    if not workspace.database.exists():
        click.echo("Ingen databas ännu; kör 'lagesbild ingest' först.", err=True)
        return FAILED
    try:
        result = run_build(workspace, force=force)
    except Exception as error:  # a model's broken key, a plan or catalogue an analyst wrote: say what is wrong
        if _is_database_lock(error):
            raise
        click.echo(f"Beräkningen misslyckades: {error}", err=True)
        return FAILED
    if not result.sources:
        folders = ", ".join(f"data/raw/{name}/" for name in BY_NAME)
        click.echo(f"Inga filer är inlästa; inget att beräkna. Lägg exporterna i {folders} och kör igen.", err=True)
        return FAILED
    titles = ", ".join(BY_NAME[name].title for name in result.sources)
    click.echo(("Beräknat" if result.rebuilt else "Oförändrat sedan förra beräkningen")
               + f": {titles}; uppgifter för {result.first_month} – {result.last_month}.")
    for warning in result.warnings:
        click.echo(f"Obs: {warning}")
    period = period or result.last_month
    if not result.publishable(period):
        click.echo(f"Det finns inga uppgifter för {period_text(period)}: data finns för {result.first_month} – {result.last_month}"
                   + ("." if kind(period) == "month" else "; en period kan publiceras när dess sista månad har kommit."), err=True)
        return FAILED
    try:
        target = publish(workspace, period, force)
    except ValueError as error:  # a follow-up plan or catalogue an analyst wrote: say what is wrong
        click.echo(f"Publiceringen misslyckades: {error}", err=True)
        return FAILED
    click.echo(f"Publicerat: {target}")
    return _audit(workspace, period, BUILD_AUDIT_SECONDS, force)


def _audit(workspace: Workspace, period: str | None, seconds: float = float("inf"), force: bool = False) -> int:
    """The proof that no hidden count can be worked out from the snapshots side by side; a failure stops the run."""
    from pipeline.publish.audit import audit as run_audit

    try:
        result, threshold = run_audit(workspace, period, seconds, force)
    except (FileNotFoundError, ValueError) as error:
        click.echo(str(error), err=True)
        return FAILED
    for line in result.lines(threshold):
        click.echo(line)
    return OK if result.ok else FAILED


def _workers(ctx, param, value):
    if value is None:
        return None
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise click.BadParameter(f"ange ett antal processer (1 eller fler), inte '{value}'.", param_hint="--workers")
    return workers


def _workers_option(func):
    return click.option(
        "--workers", callback=_workers, metavar="ANTAL",
        help="Så många rapporter skapas samtidigt, var och en i en egen process. Standard: en per processorkärna.",
    )(func)


def _pdf_option(func):
    return click.option("--pdf", is_flag=True, help="Skriv också en PDF bredvid varje rapport (samma namn, .pdf), "
                        "utskriven av Chromium för A4. Kräver Chromium (Debian/Ubuntu: sudo apt-get install chromium).")(func)


@cli.command(help="Skapa HTML-rapporterna för en period (månad, kvartal, tertial, halvår eller år).")
@_period_option(required=True)
@click.option("--area", "-a", "areas", multiple=True, metavar="OMRÅDE",
              help="Bara detta område: kommunkod (1737) eller region (sutohamu, lan-17, riket). Kan upprepas.")
@_pdf_option
@_workers_option
@_workspace_option
@_wait_option
@_help
def report(period: str, areas: tuple[str, ...], pdf: bool, workers: int | None, workspace: Path, wait: float):
    sys.exit(_locked(Workspace(workspace), wait, "report", lambda: _report(Workspace(workspace), period, list(areas), pdf, workers)))


def _report(workspace: Workspace, period: str, areas: list[str], pdf: bool = False, workers: int | None = None) -> int:
    from pipeline.report.formats import number
    from pipeline.report.render import render

    try:
        results = render(workspace, period, areas or None, workers=workers,
                         progress=lambda done, total, made: click.echo(
                             f"  rapport {done}/{total}: {made.area_name} ({number(made.seconds, 1)} s)"))
    except (FileNotFoundError, ValueError) as error:
        click.echo(str(error), err=True)
        return FAILED
    failed = [r for r in results if r.status == "misslyckades"]
    made = sum(r.status == "skapad" for r in results)
    click.echo(f"Rapporter: {made} skapade, {len(results) - made - len(failed)} oförändrade, {len(failed)} misslyckades.")
    for result in failed:
        click.echo(f"  {result.area_name} ({result.area_code}): {result.error}", err=True)
    click.echo(f"Översikt: {(workspace.reports / period / 'index.html').resolve()}")
    code = FAILED if failed else OK
    if pdf:
        code = max(code, _pdfs([r.path for r in results if r.status != "misslyckades"]))
    return code


def _pdfs(htmls: list[Path]) -> int:
    """A PDF beside each report; without Chromium a Swedish message and exit 4 (the HTML is already written)."""
    from pipeline.report.pdf import BROWSER_ENV, find_chromium, print_pdfs

    chromium = find_chromium()
    if chromium is None:
        click.echo("Inga PDF-filer skrevs: Chromium saknas (HTML-rapporterna är skrivna). Installera Chromium – på "
                   f"Debian/Ubuntu med 'sudo apt-get install chromium' – eller ange webbläsaren med miljövariabeln {BROWSER_ENV}.",
                   err=True)
        return FAILED
    results = print_pdfs(htmls, chromium, progress=lambda done, total, path: click.echo(f"  pdf {done}/{total}: {path.name}"))
    failed = [r for r in results if r.status == "misslyckades"]
    made = sum(r.status == "skapad" for r in results)
    click.echo(f"PDF: {made} skapade, {len(results) - made - len(failed)} oförändrade, {len(failed)} misslyckades.")
    for result in failed:
        click.echo(f"  {result.pdf.name}: {result.error}", err=True)
    return FAILED if failed else OK


@cli.command(help="Pröva röjandeskyddet: kan någon dold uppgift räknas fram ur de publicerade ögonblicksbilderna, "
             "lagda sida vid sida?\n\nVarje dolt antal avgränsas med linjärprogrammering ur alla relationer en läsare "
             "känner: uppdelningar, regioner som summan av sina kommuner, rullande 12 månader, kvartal, tertial, halvår och år som summan av sina månader, samma månad föregående år "
             "och publicerade kvoter. Slutstatus 4 när skyddet inte håller.")
@click.option("--period", "-p", callback=_period, metavar="PERIOD",
              help="Pröva bara den periodens dolda uppgifter (de andra ögonblicksbilderna räknas ändå som kända). Standard: alla.")
@click.option("--tidsgräns", "--tidsgrans", "seconds", type=click.FloatRange(min=1), default=None, metavar="SEKUNDER",
              help="Längsta tid för prövningen; dolda uppgifter som inte hunnit prövas räknas som inte skyddade. Standard: ingen gräns.")
@_workspace_option
@_help
def audit(period: str | None, seconds: float | None, workspace: Path):
    sys.exit(_audit(Workspace(workspace), period, float("inf") if seconds is None else seconds, force=True))


@cli.command(help="Månadsjobbet: läs in, beräkna och skapa rapporterna för en period – en månad, eller ett kvartal, "
             "tertial, halvår eller år för styrgruppen och årets lägesbild.")
@_period_option(required=True)
@_pdf_option
@_workers_option
@_workspace_option
@_wait_option
@_help
def run(period: str, pdf: bool, workers: int | None, workspace: Path, wait: float):
    sys.exit(_locked(Workspace(workspace), wait, "run", lambda: _run(Workspace(workspace), period, pdf, workers)))


def _run(workspace: Workspace, period: str, pdf: bool = False, workers: int | None = None) -> int:
    code = _ingest(workspace)
    if code >= USAGE and code != REFUSED:
        return code
    built = _build(workspace, period)
    if built != OK:
        return max(code, built)
    return max(code, _report(workspace, period, [], pdf, workers))


@cli.group(cls=Group, help="Skriv tomma mallar att fylla i för hand, utan enkätverktyg eller eget kalkylark.")
@_help
def template():
    pass


@template.command(help="Skriv lägesbildsenkäten som ett tomt Excelformulär.\n\nEn kolumn per fråga, rullgardinslistor med "
                       "svarstexterna och ett blad med instruktioner: för en kommun som samlar in svaren utan enkätverktyg.")
@click.option("--ut", "-o", "target", type=click.Path(dir_okay=False, path_type=Path), default=Path("lagesbildsenkat.xlsx"),
              metavar="FIL", help="Excelfilen (.xlsx) som skrivs. Standard: lagesbildsenkat.xlsx i aktuell mapp.")
@click.option("--kommun", "-k", metavar="NAMN", help="Kommunen formuläret gäller (namn eller kommunkod); blir det enda valet i kolumnen Kommun.")
@click.option("--skriv-over", is_flag=True, help="Skriv över filen om den redan finns.")
@_workspace_option
@_help
def enkat(target: Path, kommun: str | None, skriv_over: bool, workspace: Path):
    from pipeline.ingest.forms import TemplateError, write_enkat_template
    from pipeline.ingest.sources.enkat import contract

    _check_template_target(target, skriv_over)
    try:
        written = write_enkat_template(target, Workspace(workspace), kommun)
    except TemplateError as error:
        click.echo(f"Fel: {error}", err=True)
        sys.exit(USAGE)
    catalogue = contract(Workspace(workspace))
    folder = f"data/raw/enkat/{kommun_folder}/" if (kommun_folder := _kommun_name(kommun)) else "data/raw/enkat/<kommun>/"
    click.echo(f"Enkätmallen är skriven: {written.resolve()}")
    click.echo(f"  Bladet Svar har {len(catalogue.questions)} frågor inom {len(catalogue.areas)} områden, med rullgardinslistor för svaren; "
               "bladet Instruktion förklarar skalorna.")
    click.echo("  Fyll i en rad per sektor och omgång. Lägg sedan filen i " + folder
               + f" och kontrollera den med: lagesbild check {target}")
    sys.exit(OK)


def _check_template_target(target: Path, skriv_over: bool) -> None:
    """A template is an .xlsx file, and an existing file is never overwritten unless asked."""
    if target.suffix.lower() != ".xlsx":
        click.echo(f"Fel: mallen är en Excel-arbetsbok; ge filen ändelsen .xlsx (inte '{target.name}').", err=True)
        sys.exit(USAGE)
    if target.exists() and not skriv_over:
        click.echo(f"Filen {target} finns redan och skrivs inte över. Välj ett annat namn med --ut FIL, "
                   "eller ersätt den med --skriv-over.", err=True)
        sys.exit(USAGE)


@template.command(help="Skriv registret över medborgarlöften och insatser som en tom Excelarbetsbok.\n\nEn rad per insats: "
                       "kommun eller område, medborgarlöfte, insats, ansvarig funktion, start, slut, status och kopplade "
                       "indikatorer, med rullgardinslistor och ett blad med instruktioner.")
@click.option("--ut", "-o", "target", type=click.Path(dir_okay=False, path_type=Path), default=Path("avtalsregister.xlsx"),
              metavar="FIL", help="Excelfilen (.xlsx) som skrivs. Standard: avtalsregister.xlsx i aktuell mapp.")
@click.option("--skriv-over", is_flag=True, help="Skriv över filen om den redan finns.")
@_workspace_option
@_help
def avtal(target: Path, skriv_over: bool, workspace: Path):
    from pipeline.ingest.forms import AVTAL_SHEET, TemplateError, write_avtal_template

    _check_template_target(target, skriv_over)
    try:
        written = write_avtal_template(target, Workspace(workspace))
    except TemplateError as error:
        click.echo(f"Fel: {error}", err=True)
        sys.exit(USAGE)
    click.echo(f"Avtalsregistret är skrivet: {written.resolve()}")
    click.echo(f"  Bladet {AVTAL_SHEET} har en rad per insats, med rullgardinslistor för status och kommun/område; "
               "bladet Instruktion förklarar kolumnerna och statusarna.")
    click.echo(f"  Ange en ansvarig funktion, aldrig en person. Lägg sedan filen i data/raw/avtal/ och kontrollera den med: "
               f"lagesbild check {target}")
    sys.exit(OK)


@template.command(help="Skriv en tom Excelarbetsbok för EST-rapporter (Effektiv samordning för trygghet).\n\nEn rad per "
                       "händelse: kommun, datum, tidsintervall, kategori, plats, DeSO, koordinater, rapportörens funktion, "
                       "bedömning och beskrivning, med rullgardinslistor och ett blad med instruktioner.")
@click.option("--ut", "-o", "target", type=click.Path(dir_okay=False, path_type=Path), default=Path("est-rapporter.xlsx"),
              metavar="FIL", help="Excelfilen (.xlsx) som skrivs. Standard: est-rapporter.xlsx i aktuell mapp.")
@click.option("--kommun", "-k", metavar="NAMN", help="Kommunen rapporterna gäller (namn eller kommunkod); blir det enda valet i kolumnen Kommun.")
@click.option("--skriv-over", is_flag=True, help="Skriv över filen om den redan finns.")
@_workspace_option
@_help
def est(target: Path, kommun: str | None, skriv_over: bool, workspace: Path):
    from pipeline.ingest.forms import EST_SHEET, TemplateError, write_est_template

    _check_template_target(target, skriv_over)
    try:
        written = write_est_template(target, Workspace(workspace), kommun)
    except TemplateError as error:
        click.echo(f"Fel: {error}", err=True)
        sys.exit(USAGE)
    folder = f"data/raw/est/{name}/" if (name := _kommun_name(kommun)) else "data/raw/est/"
    click.echo(f"Mallen för EST-rapporter är skriven: {written.resolve()}")
    click.echo(f"  Bladet {EST_SHEET} har en rad per händelse, med rullgardinslistor för kategori, tidsintervall, "
               "rapportörens funktion och bedömning; bladet Instruktion förklarar kolumnerna.")
    click.echo("  Skriv aldrig namn eller personnummer. Lägg sedan filen i " + folder
               + f" och kontrollera den med: lagesbild check {target}")
    sys.exit(OK)


@template.command(help="Skriv en början till samordnarens analys för ett område och en period.\n\nFilen analys/<period>/<område>.md "
                       "får rubrikerna Analys, Slutsatser, Förslag till åtgärder och Underlag och periodens nyckeltal ur den "
                       "publicerade ögonblicksbilden. Den visas först i områdets rapport när rapporten skapas igen.")
@_period_option(required=True)
@click.option("--area", "-a", "area", required=True, metavar="OMRÅDE", help="Kommunkod (1766) eller region (sutohamu, lan-17, riket).")
@click.option("--ut", "-o", "target", type=click.Path(dir_okay=False, path_type=Path), default=None, metavar="FIL",
              help="Filen som skrivs. Standard: analys/<period>/<område>.md i arbetsmappen, där rapporten läser den.")
@click.option("--skriv-over", is_flag=True, help="Skriv över filen om den redan finns.")
@_workspace_option
@_help
def analys(period: str, area: str, target: Path | None, skriv_over: bool, workspace: Path):
    from pipeline.files import atomic_write_text
    from pipeline.report import analys as analysis

    space = Workspace(workspace)
    target = target or analysis.path_in(space.root, period, area)
    if target.exists() and not skriv_over:
        click.echo(f"Filen {target} finns redan och skrivs inte över. Välj ett annat namn med --ut FIL, "
                   "eller ersätt den med --skriv-over.", err=True)
        sys.exit(USAGE)
    try:
        text = analysis.starter(space.snapshot_dir(period), period, area)
    except analysis.StarterError as error:
        click.echo(f"Fel: {error}", err=True)
        sys.exit(USAGE)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, text)
    click.echo(f"Analysen är påbörjad: {target.resolve()}")
    click.echo("  Skriv under rubrikerna med Markdown (# rubrik, **fetstil**, - punktlista); HTML i filen visas som text. "
               "Där ett tal står som .. är det dolt av sekretesskäl – skriv aldrig in det.")
    click.echo(f"  Rapporten visar filen {analysis.relative_path(period, area)} först; skapa den igen med: "
               f"lagesbild report --period {period} --area {area}")
    sys.exit(OK)


def _kommun_name(kommun: str | None) -> str | None:
    from pipeline.places import resolver

    code = resolver().resolve(kommun).code if kommun else None
    return resolver().names[code] if code else None


@cli.command(help="Skapa syntetiska demodata för Värmland och kör hela månadsjobbet på dem.")
@_period_option(required=False)
@click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=Path("demo"),
              show_default=True, help="Arbetsmapp för demon.")
@_wait_option
@_help
def demo(period: str | None, workspace: Path, wait: float):
    period = period or _latest_complete_month()
    code = _locked(Workspace(workspace), wait, "demo", lambda: _demo(workspace, period))
    # Quarantined demo rows are on purpose; the demo fails only if something really failed.
    sys.exit(OK if code <= QUARANTINE else code)


def _demo(workspace: Path, period: str) -> int:
    from pipeline.demo import write_demo_data
    from pipeline.demo.analys import write_analys_demo
    from pipeline.periods import kind, last_month, latest_complete, period_text

    month = last_month(period)
    later = (latest_complete(month, "tertial"), str(int(month[:4]) - 1))  # the steering group's tertial, last year's lägesbild
    periods = [period] + [p for p in later if kind(period) == "month"]
    files = write_demo_data(workspace, month)
    files += write_analys_demo(workspace, periods[1:])  # for the steering group; the month is left without one
    click.echo(f"Demodata: {len(files)} filer för de 24 månaderna till och med {period_text(month)} i {workspace / 'data' / 'raw'}, "
               f"och samordnarens analys i {workspace / 'analys'}.")
    code = OK
    for each in periods:  # the working group's month, the steering group's tertial and the year's lägesbild
        click.echo(f"— {period_text(each).capitalize()} —")
        code = max(code, _run(Workspace(workspace), each))
    for each in periods:
        click.echo(f"Rapporter för {period_text(each)}: {(workspace / 'reports' / each / 'index.html').resolve()}")
    click.echo(f"Alla perioder: {(workspace / 'reports' / 'index.html').resolve()}")
    return code


def _latest_complete_month(today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.strftime("%Y-%m")


def main() -> None:
    """Entry point: Swedish messages for click's usage errors, exit status 2."""
    try:
        cli.main(standalone_mode=False, prog_name="lagesbild")
    except click.exceptions.NoSuchOption as error:
        _usage_error(error, f"okänd flagga {error.option_name}")
    except click.exceptions.MissingParameter as error:
        name = error.param.opts[0] if error.param and getattr(error.param, "opts", None) else (error.param_hint or "ett värde")
        _usage_error(error, f"{name} saknas")
    except click.exceptions.BadParameter as error:
        _usage_error(error, f"ogiltigt värde för {error.param_hint or 'en flagga'}: {error.message}")
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help())
        sys.exit(USAGE)
    except click.exceptions.UsageError as error:
        _usage_error(error, _swedish_usage(error))
    except click.exceptions.Abort:
        click.echo("Avbrutet.", err=True)
        sys.exit(FAILED)


def _swedish_usage(error: click.exceptions.UsageError) -> str:
    """Click's remaining usage messages in Swedish; an unknown one is quoted as it is."""
    import difflib

    if match := re.fullmatch(r"No such command '(.+)'\.", error.message):
        name = match.group(1)
        group = error.ctx.command if error.ctx is not None else None
        known = group.list_commands(error.ctx) if isinstance(group, click.Group) else []
        close = difflib.get_close_matches(name, known, n=1)
        return f"Okänt kommando '{name}'." + (f" Menade du '{close[0]}'?" if close else "") + (
            f" Kommandon: {', '.join(known)}." if known else "")
    if match := re.fullmatch(r"Got unexpected extra arguments? \((.+)\)", error.message):
        return f"oväntat argument: {match.group(1)}"
    if match := re.fullmatch(r"Option '(.+)' requires an argument\.", error.message):
        return f"flaggan {match.group(1)} kräver ett värde"
    if error.message == "Missing command.":
        return "kommando saknas"
    return f"felaktigt kommando ({error.message})"


def _usage_error(error: click.exceptions.UsageError, text: str) -> None:
    if error.ctx is not None:
        click.echo(error.ctx.get_usage(), err=True)
        click.echo(f"Se '{error.ctx.command_path} --help' för hjälp.", err=True)
    click.echo(f"Fel: {text}", err=True)
    sys.exit(USAGE)
