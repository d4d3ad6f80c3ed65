"""`build`: bring the store up to date (compatibility name; the build is `sharppower.pipeline`).

The steps, their order and their fingerprints live in `sharppower.pipeline`; this module
keeps the names callers and tests import.
"""

from __future__ import annotations

from sharppower.pipeline import BuildContext, build, load_snapshot
from sharppower.pipeline.reference import reference_step
from sharppower.pipeline.run import BUILD_WAIT

__all__ = ["BUILD_WAIT", "BuildContext", "build", "load_snapshot", "reference_step"]
