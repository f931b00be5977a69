"""GetLogEvents pages that are empty before the end, as CloudWatch Logs may answer.

The GetLogEvents reference (botocore logs model) says a page "might only be partially full, or
even empty" while more events follow, and that the end of the stream is the answer that hands
back the token it was given. A follower that takes an empty page for the end stops early and
loses the rest. With ``logEmptyPages: N`` (control API settings) the sandbox answers N empty
pages before each page that holds events, each token leading on: a test can show that a
follower reads every page. Tokens stay opaque to clients; the sandbox marks its own.
"""

from __future__ import annotations

import json
import re
from typing import Any

MARK = re.compile(r"(?P<real>.*)~hako-empty-(?P<served>\d{1,3})", re.DOTALL)
FROM_HEAD = "head"  # the real token of an empty first page: the next request starts from the head again


def unmark(body: bytes) -> tuple[bytes, int]:
    """The request for the real page behind our empty pages (its token unmarked), and how many
    empty pages were answered before it (0 for any other request)."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return body, 0
    token = request.get("nextToken") if isinstance(request, dict) else None
    marked = MARK.fullmatch(token) if isinstance(token, str) else None
    if marked is None:
        return body, 0
    if marked["real"] == FROM_HEAD:
        del request["nextToken"]
    else:
        request["nextToken"] = marked["real"]
    return json.dumps(request).encode(), int(marked["served"])


def empty_page(body: bytes, answer: bytes, served: int) -> bytes | None:
    """An empty page to answer instead of *answer* (the real page of the unmarked request *body*),
    the (served+1)-th before it; None when the real page is empty anyway (the end, which must
    stay recognizable)."""
    try:
        request, page = json.loads(body or b"{}"), json.loads(answer)
    except ValueError:
        return None
    if not isinstance(page, dict) or not page.get("events") or not isinstance(request, dict):
        return None
    token = request.get("nextToken") if isinstance(request.get("nextToken"), str) else FROM_HEAD
    empty: dict[str, Any] = {"events": [], "nextForwardToken": f"{token}~hako-empty-{served + 1}",
                             "nextBackwardToken": page.get("nextBackwardToken")}
    return json.dumps(empty).encode()
