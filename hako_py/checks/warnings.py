"""Warnings: legal definitions that are probably mistakes (exit 0 unless ``--strict``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hako_py.credential_shapes import secret_arguments
from hako_py.definition import APP_CONTAINER, TAG_RESOLVING_SCRIPTS, as_int, containers_of
from hako_py.errors import Problem
from hako_py.paths import join_path
from hako_py.secret_detection import has_secret_shape, is_harmless, looks_secret
from hako_py.specs.images import image_reference, split_image
from hako_py.units import cpu_units, memory_mib


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
    yield from _resource_warnings(data)
    yield from _image_warnings(data)
    yield from _small_memory_warnings(data)
    yield from _health_check_warnings(data)
    elb = (data.get("scheduler") or {}).get("elb_v2") or {}
    if "load_balancer_name" in elb and "listener_rule" not in elb and "target_group_name" not in elb:
        yield Problem("scheduler.elb_v2", f"no listener_rule: the shared load balancer {elb['load_balancer_name']} "
                      "sends nothing to the target group hako creates until a rule forwards to it")


MIN_CONTAINER_MEMORY = 6


def _small_memory_warnings(data: dict[str, Any]) -> Iterator[Problem]:
    """Under 6 MiB: ECS registers it, but Docker 20.10+ reserves 6 MiB for a container and
    refuses to create it (API ContainerDefinition.memory: "don't specify less than 6 MiB";
    awsdocs/amazon-ecs-developer-guide PR #185), so the task fails when it starts."""
    for _, (path, container) in containers_of(data).items():
        for key in ("memory", "memory_reservation"):
            value = as_int(container.get(key))
            if value is not None and value < MIN_CONTAINER_MEMORY:
                yield Problem(join_path(path, key), f"{value} MiB is below the {MIN_CONTAINER_MEMORY} MiB Docker "
                                                    "reserves for a container; the task will fail to start")


def _resource_warnings(data: dict[str, Any]) -> Iterator[Problem]:
    """Containers reserving more than the task has. ECS registers such task definitions (a
    FireLens task on EC2 reserving 2,098 MiB under a 2,048 MiB task is a real one), so it is
    a warning; a container whose hard limit exceeds the task's is refused (semantic.py)."""
    scheduler = data.get("scheduler") or {}
    task_cpu = cpu_units(scheduler["cpu"]) if "cpu" in scheduler else None
    task_memory = memory_mib(scheduler["memory"]) if "memory" in scheduler else None
    total_cpu = total_memory = 0
    for _, container in containers_of(data).values():
        total_cpu += as_int(container.get("cpu")) or 0
        reservation = as_int(container.get("memory_reservation"))
        total_memory += reservation if reservation is not None else (as_int(container.get("memory")) or 0)
    if task_cpu is not None and total_cpu > task_cpu:
        yield Problem("scheduler.cpu", f"containers reserve {total_cpu} cpu units in total, more than the task's "
                                       f"{task_cpu}; they will compete for it")
    if task_memory is not None and total_memory > task_memory:
        yield Problem("scheduler.memory", f"containers reserve {total_memory} MiB in total, more than the task's "
                                          f"{task_memory}; tasks may fail to place or be killed for memory")


def _health_check_warnings(data: dict[str, Any]) -> Iterator[Problem]:
    """A health check command without CMD/CMD-SHELL: ECS accepts it and runs it as CMD
    (developer guide, task definition parameters, 2023: "If neither is specified, CMD is
    used"; App Mesh's own example is ['echo test']), so it is only worth a warning."""
    for _, (path, container) in containers_of(data).items():
        command = (container.get("health_check") or {}).get("command") or []
        if command and command[0] not in ("CMD", "CMD-SHELL", "NONE"):
            yield Problem(join_path(join_path(join_path(path, "health_check"), "command"), 0),
                          f"{command[0]!r} is run as an exec-form command (CMD); start with CMD or CMD-SHELL to "
                          "say which you mean")


def _credential_shaped(value: Any, path: str, key: str = "", skip: tuple[str, ...] = ()) -> Iterator[str]:
    """Paths of the strings under *value* that look like credentials: by their shape, or by
    the secret-looking key they are stored under (log driver options, labels)."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name not in skip:
                yield from _credential_shaped(item, join_path(path, str(name)), str(name))
    elif isinstance(value, list):
        arguments = secret_arguments(value)  # curl -u user:pw, mysql -pPW as separate words
        for index, item in enumerate(value):
            if index in arguments:
                yield join_path(path, index)
            else:
                yield from _credential_shaped(item, join_path(path, index))
    elif isinstance(value, str) and (has_secret_shape(value) or (looks_secret(key) and not is_harmless(value))):
        yield path


def _image_warnings(data: dict[str, Any]) -> Iterator[Problem]:
    from hako_py.checks.semantic import image_warning

    for _, (path, container) in containers_of(data).items():
        key = "image" if "image" in container else "image_tag" if "image_tag" in container else None
        if key is None:
            continue
        problem = image_warning(image_reference(container, None))
        if problem:
            yield Problem(join_path(path, key), problem)
