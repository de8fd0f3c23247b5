"""A workspace holding only EST reports: the real CLI reads, builds, publishes and reports them."""
from __future__ import annotations

import duckdb
import pandas as pd
from cli_helpers import run

PERIOD = "2025-12"
ROWS = [  # Hagfors in its own folder without a Kommun column, every month of 2025
    f"2025-{month:02d}-{day:02d},Klotter,Skolgården Västra skolan,Kommunen,Åtgärd behövs,"
    for month in range(1, 13) for day in (3, 10, 17, 24, 28)
] + ["2025-06-12,Störande samlingar,Resecentrum,Polisen,,Hemlig anteckning om grupp"]
SECRET = "Hemlig anteckning"  # the free text: stored, never published or shown


def test_only_est_reports_give_the_municipality_and_its_regions(tmp_path):
    folder = tmp_path / "data" / "raw" / "est" / "hagfors"
    folder.mkdir(parents=True)
    (folder / "est_2025.csv").write_text("\n".join(["Datum,Kategori,Plats,Rapportör,Bedömning,Beskrivning", *ROWS]) + "\n", encoding="utf-8")
    result = run(["run", "--period", PERIOD, "--workspace", str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Beräknat: EST-rapporterna" in result.stdout and "Traceback" not in result.stdout + result.stderr
    snapshot = tmp_path / "data" / "processed" / PERIOD
    areas = pd.read_parquet(snapshot / "areas.parquet")
    assert set(areas.source) == {"est"}
    assert sorted(areas.area_code.unique()) == ["1783", "lan-17", "riket", "sutohamu"]
    values = pd.read_parquet(snapshot / "indicators.parquet")
    year = values[(values.indicator_id == "est_events_year") & (values.area_code == "1783")]
    assert year.numerator.tolist() == [61]  # 12 × 5 + 1
    con = duckdb.connect(str(tmp_path / "data" / "processed" / "lagesbild.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT description FROM stg_est_text").fetchall() == [("Hemlig anteckning om grupp",)]
    finally:
        con.close()
    text = (tmp_path / "reports" / PERIOD / "kommun" / "1783.html").read_text(encoding="utf-8")
    assert "Rapporten bygger på EST-rapporterna" in text
    assert (tmp_path / "reports" / PERIOD / "region" / "sutohamu.html").exists()
    for table in snapshot.glob("*.parquet"):
        cells = pd.read_parquet(table).astype(str)
        assert not cells.apply(lambda column: column.str.contains(SECRET)).any().any(), table.name
    for page in (tmp_path / "reports").rglob("*.html"):
        assert SECRET not in page.read_text(encoding="utf-8"), page
