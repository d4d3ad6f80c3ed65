"""What a score's number means: its display scale and which way is "more", said once for
every page, export and table.

Every index, pillar and domain score runs 0-100 (normalised across the actor's targets
that year). Higher means more influence, except under the attraction pillar (higher =
more attraction: what the public thinks of the actor, normalised across the targets
surveyed, which is not the favourable share in percent) and the resilience pillar (higher
= more resilient: the target's own defences). `scale_text` gives the short form a table or
tooltip carries, `SCALE_NOTE` the sentence a page explains it with.
"""

from __future__ import annotations

from collections.abc import Iterable

RANGE = "0-100"
MEANING = {"attraction": "higher = more attraction",
           "resilience": "higher = more resilient"}
DEFAULT_MEANING = "higher = more influence"
SCALE_NOTE = ("Index, pillar and domain scores run 0-100: each is normalised across the "
              "actor's targets that year, so 100 is the highest in that year's ranking and 0 "
              "the lowest, not an absolute amount. Higher means more influence, except under "
              "attraction (higher = more attraction) and resilience (higher = more resilient).")
ATTRACTION_NOTE = ("The attraction pillar is a 0-100 score of what the public thinks of the "
                   "actor (favourable, unfavourable and net opinion, normalised across the "
                   "targets surveyed that year); the favourable share beside it is the "
                   "percentage of adults with a favourable view, a different number.")
VULNERABILITY_NOTE = ("Vulnerability runs 0-1: the actor's pressure on the target times the "
                      "target's lack of resilience, both put on 0-1 across the actor's targets "
                      "that year (V = P x (1 - R)). Higher = more vulnerable; it is high only "
                      "when pressure is high and resilience low.")


def pillar_of(level: str, node: str, nodes: Iterable[dict]) -> str | None:
    """The pillar a pillar or domain node belongs to (None for an index or an unknown node);
    `nodes`: `Spec.nodes()` or a stored run's hierarchy (domains carry `parent`)."""
    if level == "pillar":
        return node
    if level != "domain":
        return None
    for n in nodes:
        if n.get("level") == "domain" and n.get("node") == node:
            return n.get("parent")
    return None


def meaning(level: str, node: str, nodes: Iterable[dict]) -> str:
    """'higher = more influence', or the attraction or resilience pillar's own direction."""
    return MEANING.get(pillar_of(level, node, nodes) or "", DEFAULT_MEANING)


def scale_text(level: str, node: str, nodes: Iterable[dict]) -> str:
    """'0-100, higher = more influence' (or '... more attraction', '... more resilient')."""
    return f"{RANGE}, {meaning(level, node, nodes)}"


def covariate_direction(direction: str | float | None, pillar: str = "resilience") -> str:
    """How to read a raw covariate of `pillar` by its codebook direction (positive or
    negative, or +1 / -1): 'higher = more resilient', 'higher = less resilient', or ''
    without a direction."""
    text = "" if direction is None else str(direction).strip().lower()
    if text in ("", "nan", "none"):
        return ""
    less = text.startswith(("neg", "-"))
    word = {"resilience": "resilient", "attraction": "attraction"}.get(pillar, pillar)
    return f"higher = {'less' if less else 'more'} {word}"
