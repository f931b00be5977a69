"""A client of the sandbox's control API (``/_sandbox/...``) for tests, benches and scripts.

The control API takes only ``Content-Type: application/json`` bodies, a type a web page
cannot send to another site without a CORS preflight; this sets it, so callers need not.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def control(url: str, path: str, payload: dict[str, Any] | None = None, *, method: str | None = None,
            timeout: float = 10) -> Any:
    """Call ``/_sandbox/PATH`` of the sandbox at *url*: POST with *payload* (JSON), else GET.
    Returns the decoded JSON answer; an HTTP error raises urllib.error.HTTPError."""
    data = json.dumps(payload).encode() if payload is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    request = urllib.request.Request(f"{url.rstrip('/')}/_sandbox/{path}", data=data, headers=headers,
                                     method=method or ("POST" if data is not None else "GET"))
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())
