"""Plain text from what documents carry: HTML narratives (ASD's are HTML with WordPress
shortcodes such as `[fusion_builder_container ...]`), entities, odd whitespace; and
sentences, for the evidence behind each proposed label."""

from __future__ import annotations

import html
import re

import nh3

SHORTCODE = re.compile(r"\[/?[a-z][a-z0-9_]*(?:\s[^\]]*)?\]")
SPACE = re.compile(r"\s+")
BLOCK = re.compile(r"(?i)<\s*(?:br|/p|/div|/li|/h[1-6])\b[^>]*>")
SENTENCE = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z\"“‘(\d])")
ABBREV = re.compile(r"\b(U\.S|U\.K|U\.N|E\.U|Mr|Mrs|Ms|Dr|St|Jr|No|Gen|Sen|Rep)\.\s*$")


def plain_text(value: object) -> str:
    """Text without tags, shortcodes or entities, on one line ('' for None)."""
    if value is None:
        return ""
    text = SHORTCODE.sub(" ", str(value))
    text = BLOCK.sub(". ", text) if "<" in text else text
    if "<" in text:
        text = nh3.clean(text, tags=set())
    text = html.unescape(text).replace("\xa0", " ")
    text = re.sub(r"(?:\.\s*){2,}", ". ", text)
    return SPACE.sub(" ", text).strip().lstrip(". ")


def document_text(title: object, text: object) -> str:
    """Title and body as one text for the classifiers."""
    head = plain_text(title)
    body = plain_text(text)
    return f"{head}. {body}" if head and body else head or body


def sentences(text: str, limit: int = 60) -> list[str]:
    """Sentences of a plain text (a simple splitter that keeps 'U.S.' and 'Mr.' whole)."""
    parts: list[str] = []
    for piece in SENTENCE.split(text):
        piece = piece.strip()
        if not piece:
            continue
        if parts and ABBREV.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts[:limit]
