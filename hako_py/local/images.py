"""Which image a ``hako oneshot --local`` container runs, pulling it first when needed.

An ECR image (:mod:`hako_py.ecr_images`: a registry host that is exactly an ECR registry of
an AWS partition) is pulled for real, with a token GetAuthorizationToken gives for that
registry's account and region, passed to the engine for that one pull only. When there is
no token or the pull fails (offline, unauthorized, no such image), the run falls back to the
local image the same name maps to in the sandbox's Docker mode — the full name if present,
else ``NAME:TAG`` — and says so; only when neither is present does the task fail to start.
Every other image, including names that merely look like ECR, is pulled as ``docker pull``
would (the engine's own credentials for that host, if any; never an ECR token) and has no
fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hako_py.aws.ecr_auth import RegistryLogin
from hako_py.ecr_images import EcrRegistry, local_image_name, parse_ecr_image
from hako_py.errors import HakoError
from hako_py.local.engine import has_image, present_image

Login = Callable[[EcrRegistry], RegistryLogin]


class StartFailed(HakoError):
    """A container could not be created or started (exit 125)."""


class PullFailed(Exception):
    """A pull did not produce the image; the message is the engine's reason."""


class ImageSource:
    """Resolves a container's image to a local image name, per ``--pull always|missing|never``."""

    def __init__(self, docker: Any, pull: str, login: Login | None, say: Callable[[str], None],
                 note: Callable[[str], None] | None = None) -> None:
        """*say*: progress (pulling); *note*: what differs from what was asked (a local image
        instead of ECR's), said even under ``-q`` (default: *say*)."""
        self.docker = docker
        self.pull = pull
        self.login = login
        self.say = say
        self.note = note or say
        self.logins: dict[EcrRegistry, RegistryLogin | HakoError] = {}  # one request per registry and run

    def resolve(self, image: str) -> str:
        """The name of the local image a container of *image* runs; :class:`StartFailed` when none."""
        if self.pull != "always" and has_image(self.docker, image):
            return image
        if self.pull == "never":
            return self._fallback(image, f"{image} is not present locally",
                                  f"image {image} is not present locally (--pull never)")
        ecr = parse_ecr_image(image)
        if ecr is None:
            try:
                self._pull(image, None)
            except PullFailed as exc:
                raise StartFailed(f"cannot pull {image}: {exc}") from None
            return image
        login = self._login(ecr.registry)
        if isinstance(login, HakoError):
            reason = str(login).rstrip(".")
            return self._fallback(image, f"no ECR token for {ecr.registry.host}: {reason}",
                                  f"cannot pull {image}: no ECR token: {reason}")
        self.say(f"pulling {image} with an ECR token for account {ecr.account} in {ecr.region}")
        try:
            self._pull(image, login)
        except PullFailed as exc:
            return self._fallback(image, f"could not pull {image}: {exc}", f"cannot pull {image}: {exc}")
        return image

    def _login(self, registry: EcrRegistry) -> RegistryLogin | HakoError:
        """The login for *registry*, or why there is none; asked of ECR once per run."""
        if registry not in self.logins:
            try:
                if self.login is None:
                    raise HakoError("no AWS access to ask ECR for one")
                self.logins[registry] = self.login(registry)
            except HakoError as exc:
                self.logins[registry] = exc
        return self.logins[registry]

    def _pull(self, image: str, login: RegistryLogin | None) -> None:
        """Pull *image*; the login, if any, goes in this request's header only (nothing is
        stored). The engine reports some failures inside a successful stream: checked too."""
        from docker.errors import DockerException

        if login is None:
            self.say(f"pulling {image}")
        try:
            events = self.docker.api.pull(image, stream=True, decode=True,
                                          auth_config=login.auth_config() if login else None)
            for event in events:
                if isinstance(event, dict) and event.get("error"):
                    raise PullFailed(str(event["error"]).strip())
        except PullFailed:
            raise
        except DockerException as exc:
            raise PullFailed(str(getattr(exc, "explanation", None) or exc).strip()) from None
        except Exception as exc:  # the engine went away mid-pull (requests' connection errors, ...)
            raise PullFailed(str(exc) or type(exc).__name__) from None
        if not has_image(self.docker, image):
            raise PullFailed("the engine reported no error, but the image is not there")

    def _fallback(self, image: str, note: str, failure: str) -> str:
        """The local image *image* maps to (as in the sandbox), with *note* said first; else
        :class:`StartFailed` with *failure*."""
        local = present_image(self.docker, image)
        if local is None:
            mapped = local_image_name(image)
            raise StartFailed(failure + (f"; no local image {mapped} either" if mapped != image else ""))
        if local == image:
            note += "; running the image already present under that name"
        else:
            note += f"; running the local image {local} instead (an ECR name's local NAME:TAG, as in the sandbox)"
        self.note(note)
        return local
