"""What the facades hand back: boto3's responses as plain dicts."""

from __future__ import annotations

from typing import Any


def plain(response: Any) -> dict[str, Any]:
    """A response (or one of its members) as a plain dict, without boto3's metadata (the
    stubs type responses as TypedDicts, which the rest of hako reads as mappings)."""
    found = dict(response)
    found.pop("ResponseMetadata", None)
    return found
