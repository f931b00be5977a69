"""The one place hako-py calls the Docker SDK (docker-py): connect, with a clear error, and
find the local image that runs for an image name."""

from __future__ import annotations

import os
from typing import Any

from hako_py.ecr_images import local_candidates
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


def has_image(client: Any, name: str) -> bool:
    """Whether the engine holds *name* (an invalid reference is simply not held)."""
    try:
        client.images.get(name)
    except Exception:  # docker.errors.ImageNotFound, or APIError for a name Docker rejects
        return False
    return True


def present_image(client: Any, image: str) -> str | None:
    """The local image that runs for *image*, without pulling: the name itself, else for an
    ECR name its local ``NAME:TAG`` (:func:`hako_py.ecr_images.local_candidates`: the same
    mapping for ``oneshot --local`` and the sandbox's Docker mode); None when none is held."""
    return next((name for name in local_candidates(image) if has_image(client, name)), None)
