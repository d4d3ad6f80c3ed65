"""Narratives are stored as given (the ASD mirror's are HTML) and sanitised on the way out.

`narrative_html` is safe to insert into a page: nh3 (ammonia) keeps a small set of
formatting tags and links, drops `<script>`/`<style>` with their content, every event
attribute (`onerror=`...) and `javascript:` URLs, and WordPress page-builder shortcodes
(`[fusion_builder_container ...]`, `[/fusion_text]`: markup of the site the ASD narratives
were copied from, not text) with the empty paragraphs they leave. `narrative_text` is plain text for
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
# [name attr="..."] or [/name] where name has an underscore (fusion_text, vc_row, et_pb_text):
# prose in brackets ("[sic]", "[the]") has none, so it stays
SHORTCODE = re.compile(r'\[/?[a-z][a-z0-9]*_[a-z0-9_]+(?:\s+[^\]\[]*)?\]', re.IGNORECASE)
EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0|<br\s*/?>)*</p>", re.IGNORECASE)


def strip_shortcodes(raw: str) -> str:
    """`raw` without WordPress shortcodes and the empty paragraphs left behind."""
    return EMPTY_PARAGRAPH.sub("", SHORTCODE.sub("", raw)).strip()


def narrative_html(raw: str | None) -> str:
    """Sanitised HTML of a narrative (empty string for none)."""
    if not raw:
        return ""
    clean = nh3.clean(raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return strip_shortcodes(clean)


def narrative_text(raw: str | None) -> str:
    """Plain text of a narrative: no tags, entities decoded, whitespace collapsed."""
    if not raw:
        return ""
    stripped = nh3.clean(re.sub(r"<(br|/p|/li)\b[^>]*>", " ", strip_shortcodes(raw)), tags=set())
    return " ".join(html.unescape(stripped).split())
