"""The sources, each declared once with all of its parts; the stages iterate over them.

A source is one kind of raw material: INTOX forms, the lägesbild questionnaire, the register of
agreements, official statistics, the police's crime-statistics deliveries, EST incident reports. Its
parts live in the stage folders under its name:

    schemas/<contract>                      the contract an analyst reads and extends
    data/raw/<name>/                        where its exports are dropped
    pipeline/ingest/sources/<name>.py       its reader: a raw file -> rows of its staging tables
    pipeline/sql/<name>/<model>.sql         its SQL models, one per file (order: pipeline/sql/dag.yml)
    <name>_areas                            the model that says which areas it has data for, and when
    published                               the built tables it puts into each snapshot
    pipeline/report/<view>.py               its report view-model (sections below)
    notebooks/template/sections/<name>/     its section templates

The stages know no source by name: they take the entries below. Adding a source is a new entry
and the files above, and no change to a stage's code.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType


@dataclass(frozen=True)
class Source:
    name: str  # its folder under data/raw/ and pipeline/sql/, and its module names
    title: str  # how a report names it at the start of a sentence: "INTOX ingår inte i underlaget för Hagfors"
    contract: str  # its contract in schemas/
    staging: tuple[str, ...]  # the staging tables its reader fills (one batch of rows per file)
    published: tuple[str, ...]  # built tables written into each snapshot, one parquet file each
    # Tables of counts that pass the small-number suppression before they are published.
    suppressed: tuple[str, ...] = ()
    # Report sections, in order, per report kind (kommun | region), as "<view-model>.<function>" of
    # pipeline/report/. A section that two sources share (the follow-up) is shown once, where it first comes.
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Sections that close a report (data quality, definitions), after every source's own sections.
    appendix: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def areas_model(self) -> str:
        return f"{self.name}_areas"

    def reader(self) -> ModuleType:
        return importlib.import_module(f"pipeline.ingest.sources.{self.name}")


SOURCES: tuple[Source, ...] = (
    Source(
        name="intox",
        title="INTOX",
        contract="intox.yaml",
        staging=("stg_intox",),
        published=("indicators", "left_out"),
        suppressed=("indicators",),
        sections={"kommun": ("intox.key_figures", "intox.trend", "intox.breakdowns"),
                  "region": ("intox.key_figures", "intox.trend", "intox.members", "intox.breakdowns")},
        appendix={"kommun": ("intox.data_quality", "intox.definitions"), "region": ("intox.data_quality", "intox.definitions")},
    ),
    Source(
        name="enkat",
        title="Lägesbildsenkäten",
        contract="enkat.yaml",
        staging=("stg_enkat", "stg_enkat_comment"),
        published=("enkat_answers", "enkat_values", "enkat_distribution", "enkat_samsyn", "enkat_region",
                   "enkat_coverage", "enkat_replaced"),
        sections={"kommun": ("enkat.lagesbild",), "region": ("enkat.regional_picture",)},
    ),
    Source(
        name="avtal",
        title="Registret över medborgarlöften och insatser",
        contract="avtal.yaml",
        staging=("stg_avtal",),
        published=("insatser", "process"),
        sections={"kommun": ("followup.follow_up",), "region": ("followup.follow_up",)},
    ),
    Source(
        name="statistik",
        title="Den officiella statistiken",
        contract="statistik.yaml",
        staging=("stg_statistik",),
        published=("statistik",),
        sections={"kommun": ("followup.follow_up", "bra.indicators"), "region": ("followup.follow_up", "bra.members")},
    ),
    Source(
        name="polisen",
        title="Polisens brottsstatistik",
        contract="polisen.yaml",
        staging=("stg_polisen", "stg_polisen_delivery"),
        published=("indicators",),  # its counted indicators (schemas/indicators/polisen.yaml), with INTOX's
        suppressed=("indicators",),
        sections={"kommun": ("varochnar.section",), "region": ("varochnar.section",)},
    ),
    Source(
        name="est",
        title="EST-rapporterna",
        contract="est.yaml",
        staging=("stg_est", "stg_est_text"),  # stg_est_text: the free text, never published
        # its counts are counted indicators (schemas/indicators/est.yaml) in the common table, suppressed with the others
        published=("indicators",),
        suppressed=("indicators",),
        sections={"kommun": ("varochnar.section",), "region": ("varochnar.section",)},  # with the police's, shown once
    ),
)

BY_NAME = {source.name: source for source in SOURCES}
