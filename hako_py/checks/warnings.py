"""Warnings: legal definitions that are probably mistakes (exit 0 unless ``--strict``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from hako_py.checks.semantic import containers_of
from hako_py.definition import APP_CONTAINER, TAG_RESOLVING_SCRIPTS
from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.render.requests import split_image

SECRET_NAME = re.compile(
    r"(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|(^|_)KEY($|_)|AUTH)",
    re.IGNORECASE,
)
# Values that are clearly not secrets: empty, references and placeholders.
_HARMLESS = re.compile(r"^(|\$\{[^}]*\}|true|false|none|null|changeme|dummy|[0-9]{1,5})$", re.IGNORECASE)


def looks_secret(name: str) -> bool:
    """Whether an environment variable's *name* suggests a secret value."""
    return bool(SECRET_NAME.search(name))


def definition_warnings(data: dict[str, Any], *, tag: str | None = None) -> Iterator[Problem]:
    tag_scripts = {str(s.get("type")) for s in data.get("scripts") or [] if isinstance(s, dict)}
    tag_resolved = bool(tag) or bool(tag_scripts & TAG_RESOLVING_SCRIPTS)
    for name, (path, container) in containers_of(data).items():
        for key, value in (container.get("env") or {}).items():
            if looks_secret(key) and not _HARMLESS.match(str(value)):
                yield Problem(
                    join_path(join_path(path, "env"), key),
                    "looks like a secret but is a literal value in env; move it to secrets "
                    "(e.g. secret('" + key + "') from hako.libsonnet) so it is not stored in the task definition",
                )
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
