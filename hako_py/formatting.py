"""Values as people and scripts read them: ISO 8601 timestamps, never Python's ``None``.

Every command's text, Markdown and JSON goes through these helpers, so a timestamp looks
the same everywhere (``2026-11-30T08:40:44.250Z``, not ``str(datetime)``'s
``2026-11-30 08:40:44.250000+00:00``) and a missing value prints as a word, not ``None``.
"""

from __future__ import annotations

import datetime
from typing import Any

UTC = datetime.UTC


def iso(value: datetime.datetime | datetime.date, *, precision: str = "milliseconds") -> str:
    """ISO 8601 in UTC with a ``Z``: ``precision`` is ``milliseconds`` (JSON) or ``seconds`` (text)."""
    if not isinstance(value, datetime.datetime):
        return value.isoformat()
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec=precision) + "Z"


def shown(value: Any, missing: str = "none") -> str:
    """*value* for a line of text; *missing* instead of ``None``, ISO 8601 for a timestamp."""
    if value is None:
        return missing
    if isinstance(value, datetime.datetime | datetime.date):
        return iso(value, precision="seconds")
    return str(value)


def quoted(value: Any) -> str:
    """*value* as Python would quote it in a message (``'FARGATE'``, ``30``), ``not set`` for None."""
    return "not set" if value is None else repr(value)


def _default(value: Any) -> Any:
    """What ``json.dumps`` cannot encode itself: timestamps (botocore's datetimes), sets.
    Anything else is a bug to see, not to hide with ``str()``."""
    if isinstance(value, datetime.datetime | datetime.date):
        return iso(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def to_json(data: Any, *, indent: int | None = 2) -> str:
    """JSON with ISO 8601 timestamps (``null`` for a missing value is fine in JSON)."""
    import json

    from hako_py.printable import json_text

    return json_text(json.dumps(data, indent=indent, ensure_ascii=False, default=_default))
