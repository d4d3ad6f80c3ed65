"""The dashboard's pages, each declared once where it is written.

Every module of this package exposes a `router` (its routes, HTML and JSON from one view)
and may declare `PAGE`: a `Page`, or a tuple of them. The app includes every module's
router, the navigation lists the declared pages with a `nav` position, and the static
report writes those with `in_report` (`sharppower.report.write_report`), all from
`declared_pages()`: a new page is one new module here (and its template), nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType
from typing import Any

from sharppower.web.routing import templates


@dataclass(frozen=True)
class Page:
    """One page. `path`: its web path ("/map"; JSON at "/map.json"); `title`: its name in
    the navigation; `template`: its template in `web/templates`; `nav`: its position in the
    navigation (None: not listed); `in_report`: the static report writes it, at
    `report_path` (default: `path` without its slash) from `data(db)` rendered with
    `template` and `figures(data)`, or, for a page written as many files (one per actor or
    per country), by `write(site)` (`sharppower.report.site.Site`)."""

    path: str
    title: str
    template: str
    nav: int | None = None
    in_report: bool = False
    data: Callable[..., dict] | None = None
    figures: Callable[[dict], dict] | None = None
    report_path: str | None = None
    write: Callable[[Any], None] | None = None

    @property
    def report_file(self) -> str:
        return self.report_path or self.path.strip("/")

    def link(self, static_site: bool) -> str:
        """Where the navigation points: the web path, or the report's file."""
        return self.report_file if static_site else self.path

    def write_report(self, site: Any) -> None:
        """Write this page into the static report `site`."""
        if self.write is not None:
            self.write(site)
        elif self.data is not None:
            site.write(self.report_file, self.template, self.data(site.db), self.figures)
        else:
            raise TypeError(f"page {self.path} is in the report but declares neither data "
                            "nor write")


def page_modules() -> list[ModuleType]:
    """Every module of this package (its folders on `__path__`), by name."""
    return [importlib.import_module(f"{__name__}.{info.name}")
            for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)]


@lru_cache(maxsize=8)
def _discover(path: tuple[str, ...]) -> tuple[tuple[ModuleType, ...], tuple[Page, ...]]:
    modules = tuple(page_modules())
    pages: list[Page] = []
    for module in modules:
        declared = getattr(module, "PAGE", ())
        for item in declared if isinstance(declared, tuple) else (declared,):
            if not isinstance(item, Page):
                raise TypeError(f"{module.__name__}.PAGE must be a Page or a tuple of Pages, "
                                f"not {type(item).__name__}")
            pages.append(item)
    paths = [p.path for p in pages]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise ValueError(f"pages declared twice: {', '.join(twice)}")
    return modules, tuple(sorted(pages, key=lambda p: (p.nav is None, p.nav or 0, p.path)))


def declared_pages() -> tuple[Page, ...]:
    """Every declared page: those in the navigation first, in its order."""
    return _discover(tuple(__path__))[1]


def routers() -> list:
    """The `router` of every module of the package (pages and APIs)."""
    return [m.router for m in _discover(tuple(__path__))[0] if hasattr(m, "router")]


def nav_pages(static_site: bool = False) -> list[Page]:
    """The navigation: declared pages with a `nav` position (only the report's pages in
    the static report)."""
    return [p for p in declared_pages()
            if p.nav is not None and (p.in_report or not static_site)]


def report_pages() -> list[Page]:
    """The pages the static report writes, in navigation order."""
    return [p for p in declared_pages() if p.in_report]


templates.env.globals["nav_pages"] = nav_pages  # base.html renders the navigation
