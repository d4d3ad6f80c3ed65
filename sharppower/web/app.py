"""FastAPI application factory: static files (plotly's bundled JavaScript included), the
router of every module of `sharppower.web.pages` (found there, never listed by hand), error
handlers and the per-store-version cache."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from sharppower import __version__
from sharppower.settings import Settings
from sharppower.store import Database
from sharppower.web import errors
from sharppower.web.accounts import ensure_admin
from sharppower.web.cache import StoreCache
from sharppower.web.forms import EmptyFieldsDropped
from sharppower.web.guard import Guard
from sharppower.web.pages import routers

HERE = Path(__file__).parent


def plotly_js() -> Path:
    """plotly.min.js as shipped inside the installed plotly Python package (no CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def warm_up() -> None:
    """Parse the codebook and the index spec (YAML), name the components and compile the
    page templates (Jinja2) when the server starts rather than on the first request, which every page's first
    visitor paid (0.1-0.25 s for the YAML, 0.03-0.1 s a template, on a loaded machine). Each
    is kept once per process, so only the first app of a process pays."""
    from sharppower.codebook import packaged_codebook
    from sharppower.index.names import component_names
    from sharppower.index.spec import load_spec
    from sharppower.web.routing import templates

    packaged_codebook()
    load_spec()
    component_names()  # the readers' names of every component (a profile names hundreds)
    for name in templates.env.list_templates(extensions=["html"]):
        templates.env.get_template(name)


def create_app(settings: Settings, db: Database) -> FastAPI:
    app = FastAPI(title="sharppower", version=__version__,
                  description="Dashboard and JSON API of the sharppower observatory. Every page "
                              "answers JSON at the same path with a `.json` suffix or "
                              "`Accept: application/json`. Writing needs a bearer token.",
                  docs_url=None, redoc_url=None)  # their pages load scripts from a CDN
    db.upgrade()
    if not db.read_only:  # a store this process may only read is served read-only
        ensure_admin(db, settings.admin_token)
    app.state.settings, app.state.db, app.state.cache = settings, db, StoreCache(db)
    warm_up()

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle(request: Request):
        return FileResponse(plotly_js(), media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    errors.install(app)
    # security headers, input limits, the per-client budget, audit of writes
    app.add_middleware(Guard, db=db, budget=settings.client_budget)
    app.add_middleware(EmptyFieldsDropped)  # a form's empty field is "not given"
    for router in routers():
        app.include_router(router)
    return app
