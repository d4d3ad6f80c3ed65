"""Narratives are stored as given (the ASD mirror's are HTML) and sanitised on the way out.

`narrative_html` is safe to insert into a page: nh3 (ammonia) keeps a small set of
formatting tags and links, drops `<script>`/`<style>` with their content, every event
attribute (`onerror=`...) and `javascript:` URLs. `narrative_text` is plain text for
terminals, CSV and search (tags removed, entities decoded, whitespace collapsed); it is
not HTML and must be escaped like any text when it goes into a page.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "a", "em", "strong", "b", "i", "ul", "ol", "li", "blockquote", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def narrative_html(raw: str | None) -> str:
    """Sanitised HTML of a narrative (empty string for none)."""
    if not raw:
        return ""
    return nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")


def narrative_text(raw: str | None) -> str:
    """Plain text of a narrative: no tags, entities decoded, whitespace collapsed."""
    if not raw:
        return ""
    stripped = nh3.clean(re.sub(r"<(br|/p|/li)\b[^>]*>", " ", raw), tags=set())
    return " ".join(html.unescape(stripped).split())
