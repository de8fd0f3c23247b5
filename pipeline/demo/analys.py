"""The coordinator's analysis for the demo: Markdown files in analys/<period>/<area>.md, as a
coordinator would write them for the steering group (SuToHaMu's tertial and year, Sunne's year)."""
from __future__ import annotations

from pathlib import Path

from pipeline.periods import period_text

ANALYSES = {
    "sutohamu": """# Analys

*Demotext: en påhittad analys som visar hur samordnarens text syns i rapporten.*

Antalet INTOX-formulär i SuToHaMu ligger i nivå med året innan. Alkohol är fortfarande den vanligaste
substansen, och formulären med självskada som avsikt har inte minskat. Sektorerna i Sunne och Torsby
bedömer att narkotika bland unga förekommer **i viss utsträckning** och har ökat.

## Slutsatser

- Alkoholförgiftningar bland unga vuxna är det största problemet i alla fyra kommunerna.
- Sektorerna är oense om droghandeln i centrum; polisen och fritid ser mer än skolan.

## Förslag till åtgärder

1. Fortsätt helgvandringarna och följ upp dem i nästa tertial.
2. Samla skola, socialtjänst och polis kring en gemensam bild av droghandeln.
""",
    "1766": """# Analys

*Demotext: en påhittad analys för Sunne.*

Sunne har få formulär per månad, så månadssiffrorna döljs nästan alltid. Över året syns att nivån är
ungefär densamma som i regionen. Sektorerna ser en ökning av otrygghet kring busstationen.

## Slutsatser

- Årssiffrorna räcker för att följa utvecklingen; månadssiffrorna gör det inte.

## Förslag till åtgärder

- Trygghetsvandring vid busstationen under våren, med fastighetsägaren.
""",
}


def write_analys_demo(workspace: Path, periods: list[str]) -> list[Path]:
    """SuToHaMu's analysis for each of `periods`, Sunne's for the year among them (a period of 4 characters)."""
    written = []
    for period in periods:
        for area, text in ANALYSES.items():
            if area == "1766" and len(period) != 4:
                continue
            path = Path(workspace) / "analys" / period / f"{area}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.replace("# Analys", f"# Analys – {period_text(period)}", 1), encoding="utf-8")
            written.append(path)
    return written
