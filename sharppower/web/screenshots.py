"""Screenshots of the main pages for the README (`python scripts/screenshots.py`, which
builds the demo store when no --db is given: the web layer never runs a build).

Serves an app on 127.0.0.1 and photographs each page in Debian's Chromium with every
off-host request refused (the list must stay empty).
"""

from __future__ import annotations

from pathlib import Path

PAGES = {
    "map": "/map",
    "country": "/country/{country}",
    "quadrant": "/quadrant",
    "vulnerability": "/vulnerability",
    "evidence": "/evidence",
    "weights": "/weights",
    "methodology": "/methodology",
}


def take_screenshots(app, out: Path, country: str = "AUS") -> list[Path]:
    """Write one PNG per page of PAGES into `out`; raises if any request left the host."""
    from sharppower.web.browser import browser_page, serve_in_thread

    out.mkdir(parents=True, exist_ok=True)
    blocked: list[str] = []
    written = []
    with serve_in_thread(app) as base, browser_page(blocked) as page:
        for name, path in PAGES.items():
            page.goto(base + path.format(country=country))
            page.wait_for_load_state("networkidle")
            if page.locator("[data-figure]").count():
                page.wait_for_selector("[data-figure][data-drawn='1']", timeout=30000)
            target = out / f"{name}.png"
            page.screenshot(path=str(target), full_page=False)
            written.append(target)
    if blocked:
        raise RuntimeError(f"pages asked for outside resources: {blocked}")
    return written

