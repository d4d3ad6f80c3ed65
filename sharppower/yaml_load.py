"""YAML text read safely, by libyaml's parser when PyYAML was built with it.

The C loader builds the same data as `yaml.safe_load` (the same safe constructor), several
times faster: the index spec, the codebook and the country aliases are read by every build,
a no-change one included.
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str | bytes) -> Any:
    """The data of one YAML document (raises yaml.YAMLError, as `yaml.safe_load`)."""
    return yaml.load(text, Loader=SAFE_LOADER)
