"""Every step of the build, from declarations: no list of steps is kept by hand.

- the pipeline's own steps (`reference`, `profiles` modules of this package);
- `STEPS` of every package's `build.py` (`sharppower/<package>/build.py` and
  `sharppower/measures/<measure>/build.py`): the measures, the starter data, the index;
- a default load step (parse -> observations) for every connector with files that no
  declared step loads (`sharppower.sources.registry.SOURCES`, discovered from the
  connectors package).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import sharppower
from sharppower.pipeline import profiles, reference
from sharppower.sources import registry
from sharppower.sources.steps import SourceStep, source_step
from sharppower.steps import Step

ROOT = Path(sharppower.__file__).parent


def step_modules() -> list[str]:
    """Dotted names of the packages' `build` modules (packages, then measures; by name)."""
    packages = sorted(p.parent.name for p in ROOT.glob("*/build.py"))
    measures = sorted(p.parent.name for p in (ROOT / "measures").glob("*/build.py"))
    return ([f"sharppower.{name}.build" for name in packages]
            + [f"sharppower.measures.{name}.build" for name in measures])


def declared_steps() -> list[Step]:
    steps = [*reference.STEPS, *profiles.STEPS]
    for module in step_modules():
        steps.extend(getattr(importlib.import_module(module), "STEPS", []))
    return steps


def all_steps() -> list[Step]:
    """The declared steps and the default load step of every other source with files."""
    steps = declared_steps()
    loaded = {s.source.name for s in steps if isinstance(s, SourceStep) and s.source}
    return steps + [source_step(source) for name, source in registry.SOURCES.items()
                    if source.files and name not in loaded]


def source_steps() -> dict[str, SourceStep]:
    """The load step of every source, by source name."""
    return {s.source.name: s for s in all_steps() if isinstance(s, SourceStep) and s.source}
