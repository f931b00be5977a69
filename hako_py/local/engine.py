"""The one place hako-py calls the Docker SDK (docker-py): connect, with a clear error."""

from __future__ import annotations

import os
from typing import Any

from hako_py.errors import HakoError


class NoDockerEngine(HakoError):
    """No Docker engine answers; the message says where hako looked."""


def connect() -> Any:
    """A docker-py client whose engine answered a ping."""
    try:
        import docker
    except ImportError:
        raise NoDockerEngine("the docker SDK is not installed: pip install 'hako-py[local]'") from None
    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as exc:
        reason = str(exc).split("(", 1)[0].strip() or type(exc).__name__
        raise NoDockerEngine(f"no Docker engine reachable at {where}: {reason}") from None
    return client
