"""The build as data: steps declared where their code lives, ordered from what they need.

- `Step` (sharppower.steps): name, needs, reads/writes, run(ctx), state, code.
- `discover.all_steps()`: the pipeline's own steps (reference tables, stored profiles), every
  `STEPS` of a package's `build.py` (measures, starter data, index) and a default load step
  for every connector no declared step loads (`sharppower.sources.registry` discovers them).
- `dag.order(steps)`: a graphlib order from `needs` and `reads` (never list position),
  grouped in stages; a cycle or an unknown need is an error naming the step.
- `fingerprints`: one rule for every step: its inputs' fingerprints, its state and a hash
  of its code; a step whose fingerprint equals its last successful run is not run.
- `run.build(settings, ...)`: `sharppower build`.

Above sources, measures, starter, index and web in the import contract (pyproject.toml);
nothing below imports it.
"""

from sharppower.pipeline.context import BuildContext
from sharppower.pipeline.dag import PipelineError, order
from sharppower.pipeline.run import build, load_snapshot, run_steps, stage_names
from sharppower.steps import LoadResult, Step

__all__ = ["BuildContext", "LoadResult", "PipelineError", "Step", "build", "load_snapshot",
           "order", "run_steps", "stage_names"]
