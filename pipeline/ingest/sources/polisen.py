"""The police's crime-statistics deliveries: one staging row per file row (a crime, or `Antal` crimes).

The contract is schemas/polisen.yaml; reading and validation are the generic ones. What only these
files have is kept here: the registration month from Inskrivningsdatum when a file has no Inskr
årmånad column, the month a delivery's file name gives (Brottsstatistik_Falun_202512.csv: up to
December 2025), the DeSO check (SCB's format, and inside the row's municipality), and the note on
crime codes that data/reference/brottskoder.csv does not know (they are kept and counted under
"Okänd brottskod"). Which delivery counts for a month is decided in pipeline/sql/polisen/.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import pandas as pd

from pipeline.config import REFERENCE_DIR, Workspace
from pipeline.ingest.contract import Contract, contract_file
from pipeline.ingest.parse import parse_dates
from pipeline.ingest.read import RawTable
from pipeline.ingest.validate import ISSUE_COLUMNS
from pipeline.periods import period_text
from pipeline.places import DESO_CODE, resolver

SOURCE = "polisen"
STAGING_COLUMNS = [
    "source_row", "municipality_code", "deso_code", "crime_code", "crime_text", "period",
    "registration_date", "crime_date_from", "crime_date_to", "crimes", "police_area",
]
# The staging tables this reader fills (one batch of rows per file).
STAGING_DDL = """
CREATE TABLE IF NOT EXISTS stg_polisen (           -- one row per file row: a crime, or `crimes` of them
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, source_row INTEGER NOT NULL,
    municipality_code VARCHAR NOT NULL,
    deso_code VARCHAR,                              -- SCB's DeSO, in the municipality; NULL = not given
    crime_code VARCHAR NOT NULL, crime_text VARCHAR,  -- the code as written (also one brottskoder.csv lacks)
    period VARCHAR NOT NULL,                        -- the registration month (Inskr årmånad), 'YYYY-MM'
    registration_date DATE,
    crime_date_from DATE, crime_date_to DATE,       -- NULL = not given ('-')
    crimes INTEGER NOT NULL,                        -- 1, or the row's Antal
    police_area VARCHAR                             -- LPO/Sektion nivå 4 brottsplats
);
CREATE TABLE IF NOT EXISTS stg_polisen_delivery (  -- one row per file
    path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    named_period VARCHAR                            -- the month its file name gives, 'YYYY-MM'; NULL = none
);
"""
# The month in a delivery's file name: Brottsstatistik_Falun_202512.csv, …_2025-12.csv.
_NAMED_MONTH = re.compile(r"(?<!\d)(20\d{2})[-_]?(0[1-9]|1[0-2])(?!\d)")


def contract(workspace: Workspace) -> Contract:
    return contract_file(workspace, "polisen.yaml")


@lru_cache(maxsize=1)
def crime_codes() -> pd.DataFrame:
    """data/reference/brottskoder.csv: crime code -> Brå's levels 1-5 and the lägesbild question area."""
    return pd.read_csv(REFERENCE_DIR / "brottskoder.csv", dtype=str, keep_default_na=False)


def normal_code(values: pd.Series) -> pd.Series:
    """A crime code as the reference writes it: '0310', '310.0' (a number cell) -> '310'."""
    text = values.fillna("").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return text.where(~text.str.fullmatch(r"\d+"), text.str.lstrip("0").replace("", "0"))


def named_period(name: str) -> str | None:
    """The month a file name gives ('YYYY-MM'); None when it gives none or several."""
    found = {f"{year}-{month}" for year, month in _NAMED_MONTH.findall(name)}
    return found.pop() if len(found) == 1 else None


# --- before validation -------------------------------------------------------------------------


def prepare(table: RawTable, contract: Contract, workspace: Workspace) -> tuple[RawTable, list[str]]:
    """The registration month from Inskrivningsdatum when the file has no column for it; notes on the
    file's month and on crime codes the reference does not know."""
    name = table.path.name
    notes = []
    fields = {field_name: position for position, field_name in contract.map_headers(table.headers).fields.items()}
    if (month := named_period(table.path.stem)) is not None:
        notes.append(f"{name}: leveransen gäller till och med {period_text(month)} (från filnamnet).")
    else:
        notes.append(f"{name}: filnamnet anger ingen månad (som _202512); leveransen gäller till och med "
                     "sin sista inskrivningsmånad.")
    if "crime_code" in fields:
        codes = normal_code(table.cells[fields["crime_code"]])
        unknown = codes[codes.ne("") & ~codes.isin(set(crime_codes().crime_code))].value_counts()
        if len(unknown):
            listed = ", ".join(f"{code} ({_rows(n)})" for code, n in unknown.sort_index().items())
            notes.append(f"{name}: {_codes(len(unknown))} finns inte i brottskodslistan (data/reference/brottskoder.csv) "
                         f"och räknas under 'Okänd brottskod': {listed}.")
    if "registration_month" not in fields and "registration_date" in fields:
        header = table.headers[fields["registration_date"]]
        dates = parse_dates(table.cells[fields["registration_date"]])
        cells = table.cells.copy()
        cells[len(table.headers)] = dates.dt.strftime("%Y-%m").fillna("")
        label = contract.label("registration_month")
        notes.append(f"{name}: kolumn för {label} saknas; månaden räknas fram ur {header}.")
        table = replace(table, headers=[*table.headers, label], cells=cells, derived={**table.derived, label: header})
    return table, notes


# --- after validation --------------------------------------------------------------------------


def row_issues(table: RawTable, parsed: pd.DataFrame, contract: Contract, workspace: Workspace) -> pd.DataFrame:
    """A DeSO that is no DeSO code or lies outside the row's municipality, and an empty Antal, quarantine the row."""
    name = table.path.name
    headers = {field_name: table.headers[position] for position, field_name in contract.map_headers(table.headers).fields.items()}
    issues = []

    def add(row: int, field_name: str, value: str, rule: str, text: str) -> None:
        issues.append((row, headers[field_name], value, rule, f"{name}, rad {row}, kolumn '{headers[field_name]}': {text}", field_name))

    if "deso" in parsed:
        deso = parsed["deso"].dropna().str.upper()
        prefix = deso.str.extract(DESO_CODE)[0]
        municipality = parsed["municipality_code"].reindex(deso.index)
        names = resolver().names
        for row in deso.index[prefix.isna()]:
            add(row, "deso", deso[row], "deso",
                f"'{deso[row]}' är ingen DeSO-kod (kommunkoden, A, B eller C och fyra siffror, t.ex. 2080C1010).")
        wrong = prefix.notna() & municipality.notna() & municipality.ne("") & prefix.ne(municipality)
        for row in deso.index[wrong]:
            inside, given = prefix[row], municipality[row]
            add(row, "deso", deso[row], "deso_kommun",
                f"DeSO-området '{deso[row]}' ligger i {_municipality(inside, names)}, inte i {_municipality(given, names)} "
                f"som kolumnen '{headers['municipality_code']}' anger; raden läses inte in.")
    if "count" in parsed:
        position = next(p for p, f in contract.map_headers(table.headers).fields.items() if f == "count")
        empty = parsed["count"].isna() & table.cells[position].reindex(parsed.index).eq("")  # else a generic check failed
        for row in parsed.index[empty]:
            add(row, "count", "", "obligatorisk", "värde saknas; antal brott måste anges när filen har kolumnen Antal.")
    return pd.DataFrame(issues, columns=ISSUE_COLUMNS)


def staging_rows(parsed: pd.DataFrame, contract: Contract, workspace: Workspace, table: RawTable) -> dict[str, pd.DataFrame]:
    """Typed staging rows from the parsed cells of the rows that passed validation, and the file's delivery row."""
    def column(field_name: str, dtype: str = "object") -> pd.Series:
        return parsed[field_name] if field_name in parsed else pd.Series(None, index=parsed.index, dtype=dtype)

    def dates(field_name: str) -> pd.Series:
        values = column(field_name, "datetime64[ns]")
        return values.dt.date.where(values.notna(), None)

    rows = pd.DataFrame(index=parsed.index)
    rows["source_row"] = parsed.index.astype("int64")
    rows["municipality_code"] = parsed["municipality_code"]
    deso = column("deso")
    rows["deso_code"] = deso.str.upper().where(deso.notna(), None)
    rows["crime_code"] = normal_code(parsed["crime_code"])
    rows["crime_text"] = column("crime_text")
    rows["period"] = parsed["registration_month"]
    rows["registration_date"] = dates("registration_date")
    rows["crime_date_from"] = dates("crime_date_from")
    rows["crime_date_to"] = dates("crime_date_to")
    rows["crimes"] = column("count", "Int64").fillna(1).astype("int64")
    rows["police_area"] = column("police_area")
    delivery = pd.DataFrame({"named_period": [named_period(table.path.stem)]})
    return {"stg_polisen": rows[STAGING_COLUMNS].reset_index(drop=True), "stg_polisen_delivery": delivery}


def _municipality(code: str, names: dict[str, str]) -> str:
    return f"kommunen {code} ({names[code]})" if code in names else f"kommunkoden {code}, som inte finns"


def _rows(n: int) -> str:
    return "1 rad" if n == 1 else f"{n} rader"


def _codes(n: int) -> str:
    return "brottskoden" if n == 1 else f"{n} brottskoder"
