"""Build step of the starter data (STEPS, discovered by `sharppower.pipeline`): the cited
facts, after every step that records a source (it reads which real sources are loaded)."""

from __future__ import annotations

from sharppower.starter.load import SOURCE, starter_state, starter_step
from sharppower.steps import Step

STEPS = [Step(SOURCE.name, starter_step, reads=("sources",), writes=("observations", "sources"),
              state=starter_state)]
