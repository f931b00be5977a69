"""Warnings: legal definitions that are probably mistakes (exit 0 unless ``--strict``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hako_py.checks.semantic import containers_of
from hako_py.definition import APP_CONTAINER, TAG_RESOLVING_SCRIPTS
from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.render.requests import split_image
from hako_py.secret_detection import has_secret_shape, is_harmless, looks_secret


def definition_warnings(data: dict[str, Any], *, tag: str | None = None) -> Iterator[Problem]:
    tag_scripts = {str(s.get("type")) for s in data.get("scripts") or [] if isinstance(s, dict)}
    tag_resolved = bool(tag) or bool(tag_scripts & TAG_RESOLVING_SCRIPTS)
    for name, (path, container) in containers_of(data).items():
        env = container.get("env") or {}
        for key, value in env.items():
            shaped = isinstance(value, str) and has_secret_shape(value)
            if shaped or (looks_secret(key) and not is_harmless(value)):
                why = "holds a credential-shaped value" if shaped else "looks like a secret but is a literal value"
                yield Problem(
                    join_path(join_path(path, "env"), key),
                    f"{why} in env; move it to secrets (e.g. secret('{key}') from hako.libsonnet) so it is not "
                    "stored in the task definition or shown in output (hako masks it)",
                )
        for where in _credential_shaped(container, path, skip=("env",)):
            yield Problem(where, "looks like a credential (by its name or shape) written as a literal; pass it "
                                 "through secrets (or secret_options for log drivers) instead (hako masks it)")
        if "image_tag" in container:
            tag_of = split_image(str(container["image_tag"]))[1]
            if "@" not in str(container["image_tag"]) and tag_of in (None, "latest"):
                yield Problem(join_path(path, "image_tag"),
                              "image has no tag or uses 'latest'; pin a tag so deploys are reproducible")
        elif "image" in container:
            image = str(container["image"])
            tag_of = container.get("tag") or split_image(image)[1]
            if name == APP_CONTAINER and tag_resolved:
                continue
            if "@" not in image and tag_of in (None, "latest"):
                yield Problem(join_path(path, "image"),
                              "image has no tag or uses 'latest'; pin a tag (tag: ..., --tag, or a jenkins_tag/"
                              "ecr_tag script) so deploys are reproducible")
    elb = (data.get("scheduler") or {}).get("elb_v2") or {}
    if "load_balancer_name" in elb and "listener_rule" not in elb and "target_group_name" not in elb:
        yield Problem("scheduler.elb_v2", f"no listener_rule: the shared load balancer {elb['load_balancer_name']} "
                      "sends nothing to the target group hako creates until a rule forwards to it")


def _credential_shaped(value: Any, path: str, key: str = "", skip: tuple[str, ...] = ()) -> Iterator[str]:
    """Paths of the strings under *value* that look like credentials: by their shape, or by
    the secret-looking key they are stored under (log driver options, labels)."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name not in skip:
                yield from _credential_shaped(item, join_path(path, str(name)), str(name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _credential_shaped(item, join_path(path, index))
    elif isinstance(value, str) and (has_secret_shape(value) or (looks_secret(key) and not is_harmless(value))):
        yield path
