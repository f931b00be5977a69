"""Formatting data for stdout: JSON (default) or YAML."""

from __future__ import annotations

import json
from typing import Any


def dump(data: Any, fmt: str) -> str:
    if fmt == "yaml":
        import yaml

        text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
        return text.rstrip("\n")
    return json.dumps(data, indent=2, ensure_ascii=False)
