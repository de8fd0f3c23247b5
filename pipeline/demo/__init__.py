"""Synthetic demo data for Värmland: every source, as its users export it. Imported only by the CLI.

Each module writes one source's files into a workspace: INTOX forms (`intox`), the lägesbild
questionnaire (`enkat`), the official statistics with the agreements register (`uppfoljning`),
Brå's indicator workbooks for the SuToHaMu municipalities (`bra`), the police's crime-statistics
deliveries with the workspace's DeSO table (`polisen`) and EST incident reports (`est`).
The output is byte-identical for the same end month and seed.
"""
from __future__ import annotations

from pathlib import Path

from pipeline.demo.bra import write_bra_demo
from pipeline.demo.enkat import write_enkat_demo
from pipeline.demo.est import write_est_demo
from pipeline.demo.intox import write_intox_demo
from pipeline.demo.polisen import write_polisen_demo
from pipeline.demo.uppfoljning import write_uppfoljning_demo


def write_demo_data(workspace: Path, end_period: str, seed: int = 2026) -> list[Path]:
    """All demo sources for the 24 months ending at `end_period`; returns the written paths."""
    written = write_intox_demo(workspace, end_period, seed)
    written += write_enkat_demo(workspace, end_period, seed)
    written += write_uppfoljning_demo(workspace, end_period, seed)
    written += write_bra_demo(workspace, end_period, seed)
    written += write_polisen_demo(workspace, end_period, seed)
    written += write_est_demo(workspace, end_period, seed)
    return written
