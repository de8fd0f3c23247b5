"""The police deliveries' build side: crime codes and DeSO areas as reference tables, with code lists.

Brå's hierarchy (data/reference/brottskoder.csv) and the DeSO areas (pipeline.places.deso_areas:
the project's Dalarna table and a workspace's own data/reference/deso.csv) become

    ref_polisen_crime_code  crime_code -> the codes of its level1 and level2 category and question area
    ref_polisen_deso        deso_code -> name, RegSO (code and name), municipality, latest population

Category codes are short ASCII slugs of Brå's and SCB's texts ("B1 Brott mot person, …" -> 'b1',
"Fråga 1 - Ordningsstörningar och otrygghet" -> 'fraga_1', "Våldsbrott" -> 'valdsbrott'); a RegSO's
code is its municipality code and the slug of its name ('2080-falun_centrum'), since RegSO names
are only unique within a municipality.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

from pipeline import places
from pipeline.config import Workspace
from pipeline.ingest.sources.polisen import crime_codes

UNKNOWN_CODE = "okand_brottskod"  # a crime code brottskoder.csv does not know
UNKNOWN_CODE_LABEL = "Okänd brottskod"
NO_QUESTION = "ingen_fraga"  # a known code without a lägesbild question area
NO_QUESTION_LABEL = "Ingen lägesbildsfråga"
UNKNOWN_AREA = "okant"  # no DeSO given, or (for RegSO) a DeSO the DeSO table does not know
UNKNOWN_AREA_LABEL = "Okänt område"
_SHORT = re.compile(r"^(B\d+|Fråga \d+)\b")


def slug(text: str) -> str:
    """A category code from a label: its leading "B1" or "Fråga 1" if any, else the whole text,
    in lower-case ASCII with underscores ('Fråga 1 - …' -> 'fraga_1', 'Övriga' -> 'ovriga')."""
    text = str(text).strip()
    if match := _SHORT.match(text):
        text = match.group(1)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def crime_code_table() -> pd.DataFrame:
    """ref_polisen_crime_code: every known code with its categories' codes and labels."""
    codes = crime_codes()
    question = codes["question_area"].where(codes["question_area"].ne(""), NO_QUESTION_LABEL)
    return pd.DataFrame({
        "crime_code": codes["crime_code"],
        "level1": codes["level1"].map(slug), "level1_label": codes["level1"],
        "level2": codes["level2"].map(slug), "level2_label": codes["level2"],
        "question_area": question.map(lambda label: NO_QUESTION if label == NO_QUESTION_LABEL else slug(label)),
        "question_area_label": question,
        "crime_label": codes["level5"],
    })


def deso_table(workspace: Workspace) -> pd.DataFrame:
    """ref_polisen_deso: every DeSO of the reference with its RegSO and its latest population."""
    areas = places.deso_areas(workspace)
    latest = areas.drop_duplicates("deso_code", keep="last")
    return pd.DataFrame({
        "deso_code": latest["deso_code"].astype(str),
        "deso_name": latest["deso_name"].astype(str),
        "regso": (latest["municipality_code"] + "-" + latest["regso_name"].map(slug)).astype(str),
        "regso_name": latest["regso_name"].astype(str),
        "municipality_code": latest["municipality_code"].astype(str),
        "population": latest["population"].astype("int64"),
        "population_year": latest["year"].astype("int64"),
    }).reset_index(drop=True)


WEEKDAYS = ("Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag")
UNKNOWN_WEEKDAY = "okand"


def code_lists(crimes: pd.DataFrame, deso: pd.DataFrame, seen_deso: list[str]) -> pd.DataFrame:
    """ref_codes of the breakdowns (codelist, code, label, sort_order, parent): Brå's levels 1 and 2
    (level 2's parent is its level 1), question areas, weekdays, RegSO and DeSO (a DeSO's parent is its
    RegSO). A DeSO the deliveries name but the DeSO table lacks is listed under its code, in 'okant'."""
    def listed(codelist: str, frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.drop_duplicates("code").reset_index(drop=True)
        return frame.assign(codelist=codelist, sort_order=frame.index)

    level1 = crimes[["level1", "level1_label"]].set_axis(["code", "label"], axis=1).sort_values("code")
    level2 = crimes.assign(order=crimes.level1.map({c: i for i, c in enumerate(level1.code.unique())}))
    level2 = level2.sort_values(["order", "level2_label"])[["level2", "level2_label", "level1"]].set_axis(["code", "label", "parent"], axis=1)
    questions = crimes[["question_area", "question_area_label"]].set_axis(["code", "label"], axis=1)
    questions = questions.assign(last=questions.code.isin(["ovriga", NO_QUESTION])).sort_values(["last", "code"])[["code", "label"]]
    unknown = pd.DataFrame({"code": [UNKNOWN_CODE], "label": [UNKNOWN_CODE_LABEL], "parent": [UNKNOWN_CODE]})
    area = pd.DataFrame({"code": [UNKNOWN_AREA], "label": [UNKNOWN_AREA_LABEL], "parent": [UNKNOWN_AREA]})
    regso = deso[["regso", "regso_name"]].set_axis(["code", "label"], axis=1).sort_values(["code"])
    extra = sorted(set(seen_deso) - set(deso.deso_code))
    desos = pd.concat([deso[["deso_code", "deso_name", "regso"]].set_axis(["code", "label", "parent"], axis=1).sort_values("code"),
                       pd.DataFrame({"code": extra, "label": extra, "parent": UNKNOWN_AREA})])
    weekdays = pd.DataFrame({"code": [str(i + 1) for i in range(7)] + [UNKNOWN_WEEKDAY], "label": [*WEEKDAYS, "Okänd"]})
    frames = [
        listed("polisen_level1", pd.concat([level1, unknown[["code", "label"]]])),
        listed("polisen_level2", pd.concat([level2, unknown])),
        listed("polisen_fraga", pd.concat([questions, unknown[["code", "label"]]])),
        listed("polisen_veckodag", weekdays),
        listed("polisen_regso", pd.concat([regso, area[["code", "label"]]])),
        listed("polisen_deso", pd.concat([desos, area])),
    ]
    table = pd.concat(frames, ignore_index=True)
    table["parent"] = table["parent"].fillna("")
    return table[["codelist", "code", "label", "sort_order", "parent"]].astype({"sort_order": "int64"})


def reference(workspace: Workspace, con) -> dict[str, pd.DataFrame]:
    """The crime codes and DeSO areas the models join, and the breakdowns' code lists (appended to ref_codes)."""
    crimes, deso = crime_code_table(), deso_table(workspace)
    seen = [row[0] for row in con.execute("SELECT DISTINCT deso_code FROM stg_polisen WHERE deso_code IS NOT NULL").fetchall()]
    return {"ref_polisen_crime_code": crimes, "ref_polisen_deso": deso, "ref_codes": code_lists(crimes, deso, seen)}
