"""Talking to a sandbox that runs in another process (``hako sandbox seed``): which URL is one,
and its errors as one line.

Seeding sends creates with dummy credentials and renames through the control API, so the
URL must be a hako sandbox on loopback: never an AWS endpoint, never another machine.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from hako_py.errors import HakoError
from hako_py.sandbox.client import control
from hako_py.sandbox.guard import is_loopback_address


def check_sandbox_url(url: str | None) -> str:
    """*url* when a hako sandbox answers there on loopback; HakoError (one line) otherwise."""
    if not url:
        raise HakoError("which sandbox? give --endpoint-url URL or set AWS_ENDPOINT_URL (what `hako sandbox` "
                        "printed)")
    parts = urlsplit(url)
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018  (a port that is no number raises here)
    except ValueError:
        host = ""
    if parts.scheme != "http" or not is_loopback_address(host):
        raise HakoError(f"{url}: not a sandbox URL (http://127.0.0.1:PORT or http://[::1]:PORT, as `hako sandbox` "
                        "prints); seeding talks only to a sandbox on loopback")
    try:
        described = control(url, "")
    except urllib.error.HTTPError as exc:
        raise HakoError(f"{url} is no hako sandbox (GET /_sandbox/ answered HTTP {exc.code})") from None
    except (OSError, ValueError) as exc:
        raise HakoError(f"cannot reach the sandbox at {url} (is `hako sandbox` running?): {exc}") from None
    if not isinstance(described, dict) or "api" not in described:
        raise HakoError(f"{url} is no hako sandbox (GET /_sandbox/ does not describe its control API)")
    return url.rstrip("/")


@contextmanager
def seeding_errors(url: str) -> Iterator[None]:
    """The sandbox refusing a seeding request, or going away meanwhile, as one HakoError line."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except urllib.error.HTTPError as exc:
        try:
            reason = json.loads(exc.read()).get("error", exc.reason)
        except (ValueError, AttributeError):
            reason = exc.reason
        raise HakoError(f"seeding {url}: the sandbox refused: {reason}") from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise HakoError(f"seeding {url}: {error.get('Code', 'error')}: {error.get('Message', exc)}") from None
    except (BotoCoreError, OSError) as exc:
        raise HakoError(f"seeding {url}: {exc}") from None
