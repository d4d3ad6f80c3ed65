"""Pages are declared once (`sharppower.web.pages.Page`): the app serves every declared
page, the navigation is rendered from the declarations, the static report writes the
declared report pages; and a new page is one new module (the CONTRIBUTING recipe): written
into a folder on the package's path, it is served, listed in the navigation and written
into the report with no other edit."""

from __future__ import annotations

import re
import sys
import textwrap

import pytest
from test_web_support import client, make_app

from sharppower.web import pages
from sharppower.web.pages import Page, declared_pages, nav_pages, report_pages

NEW_PAGE = '''
"""A page written by the test: the count of observations per source."""

from fastapi import APIRouter, Request

from sharppower.web.pages import Page
from sharppower.web.routing import page, respond, store

router = APIRouter(tags=["test"])


def source_counts_data(db) -> dict:
    rows = db.read("SELECT source, COUNT(*) AS n FROM observations GROUP BY source "
                   "ORDER BY source").to_dict("records")
    return {"title": "Observations per source", "columns": ["source", "n"], "rows": rows}


@page(router, "/source-counts")
def source_counts_page(request: Request):
    """Observations per source."""
    return respond(request, "table.html", source_counts_data(store(request)))


PAGE = Page("/source-counts", "Per source", "table.html", nav=95, in_report=True,
            data=source_counts_data)
'''


def nav_links(html: str) -> list[tuple[str, str]]:
    nav = html.split("<nav>", 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)


def route_paths(routes) -> set[str]:
    """Every path served (routers included into the app are nested)."""
    out = set()
    for r in routes:
        if hasattr(r, "path"):
            out.add(r.path)
        elif hasattr(r, "original_router"):
            out |= route_paths(r.original_router.routes)
    return out


@pytest.fixture
def web(demo_db, conf):
    return client(make_app(conf, demo_db))


def test_every_declared_page_is_served_and_the_nav_is_the_declarations(web):
    app_paths = route_paths(web.app.routes)
    for p in declared_pages():
        json_path = "/index.json" if p.path == "/" else p.path + ".json"
        assert {p.path, json_path} <= app_paths, p.path
    links = nav_links(web.get("/sources").text)
    assert links == [(p.path, p.title) for p in nav_pages()]
    assert [t for _, t in links][:3] == ["Map", "Countries", "Quadrant"]
    assert ("/weights", "Weights") in links and ("/evidence/new", "Propose") in links
    assert {p.path for p in report_pages()} >= {"/map", "/country/{code}", "/methodology"}
    assert all(p.in_report for p in nav_pages(static_site=True))


def test_a_module_that_declares_a_non_page_is_refused(tmp_path, monkeypatch):
    (tmp_path / "zz_bad.py").write_text('PAGE = "/bad"\n', encoding="utf-8")
    monkeypatch.setattr(pages, "__path__", [*pages.__path__, str(tmp_path)])
    with pytest.raises(TypeError, match="zz_bad.PAGE must be a Page"):
        declared_pages()
    monkeypatch.delitem(sys.modules, "sharppower.web.pages.zz_bad", raising=False)


def test_a_new_page_is_one_module(demo_db, conf, tmp_path, monkeypatch):
    from sharppower.report import write_report

    folder = tmp_path / "more_pages"
    folder.mkdir()
    (folder / "source_counts.py").write_text(textwrap.dedent(NEW_PAGE), encoding="utf-8")
    monkeypatch.setattr(pages, "__path__", [*pages.__path__, str(folder)])
    monkeypatch.delitem(sys.modules, "sharppower.web.pages.source_counts", raising=False)
    declared = {p.path: p for p in declared_pages()}
    assert isinstance(declared["/source-counts"], Page)

    web = client(make_app(conf, demo_db))
    stored = demo_db.read("SELECT source, COUNT(*) AS n FROM observations GROUP BY source")
    data = web.get("/source-counts.json").json()
    assert {r["source"]: r["n"] for r in data["rows"]} == dict(zip(stored["source"], stored["n"]))
    html = web.get("/source-counts").text
    assert "Observations per source" in html and "starter" in html
    assert ("/source-counts", "Per source") in nav_links(html)
    assert ("/source-counts", "Per source") in nav_links(web.get("/map").text)  # every page

    summary = write_report(demo_db, tmp_path / "site")
    assert "source-counts.html" in summary.pages
    written = (tmp_path / "site" / "source-counts.html").read_text(encoding="utf-8")
    assert "Observations per source" in written
    assert ("source-counts.html", "Per source") in nav_links(
        (tmp_path / "site" / "methodology.html").read_text(encoding="utf-8"))
    assert ("../source-counts.html", "Per source") in nav_links(
        (tmp_path / "site" / "country" / "AUS.html").read_text(encoding="utf-8"))
    monkeypatch.delitem(sys.modules, "sharppower.web.pages.source_counts", raising=False)
