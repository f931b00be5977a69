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
        raise NoDockerEngine(f"no Docker engine reachable at {where}: {_reason(exc)}") from None
    return client


def _reason(exc: BaseException) -> str:
    """The root cause in a few words: docker-py wraps a refused or missing socket as
    ``Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2,
    'No such file or directory'))``; say "No such file or directory" (and what was tried)."""
    root: BaseException = exc
    seen = {id(root)}
    while True:
        nested = root.__cause__ or root.__context__
        if nested is None:
            nested = next((a for a in getattr(root, "args", ()) if isinstance(a, BaseException)), None)
        if nested is None:
            for arg in getattr(root, "args", ()):
                if isinstance(arg, tuple):
                    nested = next((a for a in arg if isinstance(a, BaseException)), None)
        if nested is None or id(nested) in seen:
            break
        seen.add(id(nested))
        root = nested
    cause = root.strerror if isinstance(root, OSError) and root.strerror else (str(root) or type(root).__name__)
    what = str(exc).split(":", 1)[0].strip() if ":" in str(exc) else ""
    if what and what not in cause and root is not exc:
        return f"{cause} ({what[0].lower() + what[1:]})"
    return cause if root is not exc else (str(exc) or type(exc).__name__)


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
