"""FastAPI application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from sharppower import __version__
from sharppower.build import is_starter_only
from sharppower.settings import Settings
from sharppower.store import Database
from sharppower.web.render import render

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def create_app(settings: Settings, db: Database) -> FastAPI:
    app = FastAPI(title="sharppower", version=__version__)
    app.state.settings, app.state.db = settings, db
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/sources")
    @app.get("/sources.json", include_in_schema=False)
    def sources_page(request: Request):
        """Sources with licence, citation, retrieval time, checksum and row counts."""
        df = db.read("SELECT name, title, publisher, url, licence, citation, retrieved_at, "
                     "sha256, rows, starter FROM sources ORDER BY name")
        data = {"starter_only": is_starter_only(db),
                "sources": df.to_dict("records")}
        return render(request, templates, "sources.html", data)

    @app.get("/")
    def home(request: Request):
        return sources_page(request)

    return app
