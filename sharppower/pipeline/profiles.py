"""The stored country profiles: a step after the index and after the build's log row.

The profiles are stamped with the store's data version (`sharppower.web.cache`), which the
build's `build_log` rows change, so the step keeps no `build_log` row of its own
(`logged=False`): it runs at the end of every build and `store_profiles` itself reuses the
profiles whose inputs did not change ("unchanged", re-stamped). The web page module is
imported inside the step, and only when a profile must be computed (it costs most of a
second to import): unchanged inputs are re-stamped by `web.profiles.reuse` first.
`SHARPPOWER_STORE_PROFILES=0` skips it.
"""

from __future__ import annotations

from sharppower.steps import LoadResult, Step

STEP = "profiles"


def profiles_step(ctx) -> list[LoadResult]:
    if not ctx.settings.store_profiles:
        return [LoadResult(STEP, "skipped")]
    from sharppower.web.cache import data_version, store_version
    from sharppower.web.profiles import (
        input_parts,
        inputs_fingerprint,
        pages_fingerprint,
        reuse,
        reuse_pages,
    )

    # unchanged inputs (a no-change build): re-stamp the profiles and the stored pages
    # without loading the dashboard's pages (a page left with the last build's stamp would
    # be computed again by its first visitor: 1-3 s on the mirror)
    version, parts = store_version(ctx.db), input_parts(ctx.db)
    if reuse_pages(ctx.db, version, pages_fingerprint(ctx.db, parts)) is not None:
        kept = reuse(ctx.db, data_version(version), inputs_fingerprint(ctx.db, parts))
        if kept is not None:
            return [LoadResult(STEP, "unchanged", rows=kept)]
    from sharppower.web.pages.country import store_profiles

    stored = store_profiles(ctx.db, lambda done, n: ctx.progress(STEP, done, n))
    return [LoadResult(STEP, "unchanged" if stored["reused"] else "loaded",
                       rows=stored["profiles"])]


def warm_profiles(ctx) -> None:
    """The dashboard's pages that `store_profiles` computes (1-1.3 s of imports: FastAPI,
    the page modules), when the build stores them."""
    if ctx.settings.store_profiles:
        from sharppower.web.pages.country import page_modules

        page_modules()


STEPS = [Step(STEP, profiles_step, needs=("index",), writes=("web_profile_pages",),
              logged=False, warm=warm_profiles)]
