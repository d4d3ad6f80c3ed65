"""One module per page kind; each exposes `router` and pure `*_data(db, ...)` functions
(used by the web routes and by the static report)."""

PAGES = [
    "sharppower.web.pages.map",
    "sharppower.web.pages.country",
    "sharppower.web.pages.quadrant",
    "sharppower.web.pages.weights",
    "sharppower.web.pages.sources",
    "sharppower.web.pages.methodology",
    "sharppower.web.pages.downloads",
    "sharppower.web.pages.accounts",
    "sharppower.web.pages.evidence",
    "sharppower.web.pages.writing",
    "sharppower.web.pages.triage",
]
