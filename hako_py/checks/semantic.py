"""Semantic checks: rules ECS enforces at registration that a JSON Schema cannot express.

Only what ECS itself refuses is an error here (each check says which rule); a definition
ECS would register but that is probably a mistake gets a warning (``warnings.py``):
refusing what ECS accepts would lock out real task definitions.

Each check is a small generator of :class:`Problem`; they all run, so the user sees every
problem in one go. Input is schema-valid data (after :func:`strip_nulls`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from hako_py.checks.fargate import FARGATE_MEMORY, describe_valid
from hako_py.checks.schedules import SCHEDULE_CHECKS
from hako_py.checks.traffic import TRAFFIC_CHECKS
from hako_py.compat import check_hako_keys
from hako_py.definition import APP_CONTAINER, as_int, containers_of, is_fargate
from hako_py.errors import Problem
from hako_py.image_references import reference_problem, tag_problem
from hako_py.paths import join_path
from hako_py.specs.images import image_reference, split_image
from hako_py.units import cpu_units, memory_mib

FAMILY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
Check = Callable[[str, dict[str, Any]], Iterator[Problem]]


def check_app_id(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    if not FAMILY_PATTERN.match(app_id):
        yield Problem("", f"app id '{app_id}' (the file name) must be 1-255 letters, digits, '-' or '_', "
                      "because it becomes the ECS service name and task definition family")


_IMAGE_CHARS = re.compile(r"^[A-Za-z0-9_\-:./#]+$")
_DIGEST = re.compile(r"^sha256:[A-Fa-f0-9]{64}$")


def image_problem(reference: str) -> str | None:
    """What ECS refuses in an image reference (API ContainerDefinition.image): more than 255
    characters before any @, a digest other than "sha256:" plus exactly 64 hex digits, and an
    empty repository (``image: ''`` became ``:latest``); then what no container runtime can
    pull (Docker's reference grammar, :mod:`hako_py.image_references`): ECS registers it, and
    every task fails to start. A reference holding ``${`` is only warned about
    (``image_warning``, which lets placeholders pass): a real task definition ECS registered holds
    ``${AWS_ACCOUNT_ID}.dkr.ecr...`` (tests/corpus, the 2024 fault-injection export), a
    placeholder some tool substitutes."""
    name, _, digest = reference.partition("@")
    repository = split_image(name)[0] if not digest else name
    if not repository or repository.startswith((":", "/")):
        return f"{reference!r} has no repository name"
    if len(name) > 255:
        return f"is {len(name)} characters long; ECS takes at most 255"
    if digest and not _DIGEST.match(digest):
        return f"digest {digest!r} must be sha256: followed by 64 hexadecimal digits"
    if "${" not in reference:
        return reference_problem(reference)
    return None


def image_warning(reference: str) -> str | None:
    """Characters the API documents as not allowed (ECS registers them; Docker refuses them)."""
    name = reference.partition("@")[0]
    if name and not _IMAGE_CHARS.match(name) and "${" not in name:
        return (f"{name!r} has characters outside letters, digits, '-', '_', ':', '.', '/' and '#'; "
                "Docker will not pull it")
    return None


def check_images(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    for name, (path, container) in containers_of(data).items():
        has_image, has_image_tag = "image" in container, "image_tag" in container
        if has_image and has_image_tag:
            yield Problem(join_path(path, "image_tag"), "set either image (+ tag) or image_tag, not both")
        elif not has_image and not has_image_tag:
            key = "image" if name == APP_CONTAINER else "image_tag"
            yield Problem(join_path(path, key), "is required (the container's image)")
        key = "image" if has_image else "image_tag"
        written = str(container.get(key, ""))
        tag = container.get("tag") if has_image else None
        if (has_image or has_image_tag) and not written.strip():
            yield Problem(join_path(path, key), "must not be empty")
        elif tag is not None and "${" not in str(tag) and tag_problem(str(tag)):  # ${NAME}: a provider's value
            yield Problem(join_path(path, "tag"), str(tag_problem(str(tag))))
        elif has_image or has_image_tag:
            # then the reference as written: `busybox:` becomes busybox:latest, which passes
            problem = image_problem(image_reference(container, None)) or (
                None if "${" in written else reference_problem(written))
            if problem:
                yield Problem(join_path(path, key), problem)
        if has_image and "tag" in container and split_image(str(container["image"]))[1] is not None:
            yield Problem(join_path(path, "tag"), "image already contains a tag; set the tag in one place")
        if name == APP_CONTAINER and "sidecars" in data and APP_CONTAINER in data["sidecars"]:
            yield Problem("sidecars.app", "'app' is the main container's name; choose another sidecar name")


def check_fargate(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    if not is_fargate(scheduler):
        return
    if scheduler.get("network_mode") != "awsvpc":
        yield Problem("scheduler.network_mode", "Fargate requires network_mode 'awsvpc'")
    cpu, memory = scheduler.get("cpu"), scheduler.get("memory")
    if cpu is None:
        yield Problem("scheduler.cpu", "Fargate requires task-level cpu")
    if memory is None:
        yield Problem("scheduler.memory", "Fargate requires task-level memory")
    if cpu is None or memory is None:
        return
    units, mib = cpu_units(cpu), memory_mib(memory)
    if units not in FARGATE_MEMORY:
        yield Problem("scheduler.cpu", f"{cpu!r} is not a Fargate CPU size "
                      f"(one of {', '.join(str(c) for c in FARGATE_MEMORY)})")
    elif mib not in FARGATE_MEMORY[units]:
        yield Problem("scheduler.memory", f"{memory!r} MiB is not valid with cpu {units} on Fargate "
                      f"(valid: {describe_valid(units)})")
    for path, container in containers_of(data).values():
        if container.get("privileged"):
            yield Problem(join_path(path, "privileged"), "privileged containers are not supported on Fargate")
        if container.get("links"):
            yield Problem(join_path(path, "links"), "links are not supported on Fargate")
    for name, volume in (data.get("volumes") or {}).items():
        if "docker_volume_configuration" in volume:
            yield Problem(join_path(join_path("volumes", name), "docker_volume_configuration"),
                          "Docker volumes are not supported on Fargate")


def check_resources(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    task_memory = memory_mib(scheduler.get("memory")) if "memory" in scheduler else None
    for key, value, parse in (("cpu", scheduler.get("cpu"), cpu_units), ("memory", scheduler.get("memory"),
                                                                          memory_mib)):
        if value is not None and parse(value) is None:
            unit = "'1 vCPU'" if key == "cpu" else "'2 GB'"
            yield Problem(join_path("scheduler", key), f"must be a number or a string like {unit}, got {value!r}")
    for path, container in containers_of(data).values():
        memory = as_int(container.get("memory"))
        reservation = as_int(container.get("memory_reservation"))
        if memory is not None and reservation is not None and reservation > memory:
            yield Problem(join_path(path, "memory_reservation"),
                          f"{reservation} exceeds the container's hard limit memory {memory}")
        if task_memory is None and memory is None and reservation is None:
            yield Problem(join_path(path, "memory"),
                          "set memory or memory_reservation (required when the task has no task-level memory)")
        if task_memory is not None and memory is not None and memory > task_memory:
            yield Problem(join_path(path, "memory"), f"{memory} exceeds the task's memory {task_memory}")


def _variable_name_problem(name: str) -> str | None:
    """Why *name* cannot be an environment variable's name: POSIX environment strings are
    NAME=VALUE, so a name is never empty and never holds '=' (or NUL); Docker refuses both
    (and quotes the whole entry, secret value included, in its error)."""
    if not name:
        return "a variable name cannot be empty"
    if "=" in name or "\0" in name:
        return f"variable name {name!r} cannot contain '=' or NUL"
    return None


def check_env_and_secrets(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    for path, container in containers_of(data).values():
        env = container.get("env") or {}
        for key in env:
            problem = _variable_name_problem(str(key))
            if problem:
                yield Problem(join_path(join_path(path, "env"), str(key)), problem)
        seen: set[str] = set()
        for index, secret in enumerate(container.get("secrets") or []):
            secret_name = secret.get("name")
            spath = join_path(join_path(path, "secrets"), index)
            problem = _variable_name_problem(str(secret_name))
            if problem:
                yield Problem(join_path(spath, "name"), problem)
            if secret_name in env:
                yield Problem(join_path(spath, "name"), f"'{secret_name}' is also set in env; "
                              "a variable comes either from env or from secrets")
            if secret_name in seen:
                yield Problem(join_path(spath, "name"), f"secret '{secret_name}' is listed twice")
            seen.add(secret_name)


def check_dependencies(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    containers = containers_of(data)
    graph: dict[str, list[str]] = {}
    for name, (path, container) in containers.items():
        graph[name] = []
        for index, dep in enumerate(container.get("depends_on") or []):
            target = dep.get("container_name")
            dpath = join_path(join_path(join_path(path, "depends_on"), index), "container_name")
            if target == name:
                yield Problem(dpath, "a container cannot depend on itself")
            elif target not in containers:
                yield Problem(dpath, f"no container named '{target}' (containers: {', '.join(containers)})")
            else:
                graph[name].append(target)
        for index, source in enumerate(container.get("volumes_from") or []):
            target = source.get("source_container")
            if target not in containers:
                yield Problem(join_path(join_path(join_path(path, "volumes_from"), index), "source_container"),
                              f"no container named '{target}'")
        for index, link in enumerate(container.get("links") or []):
            target = str(link).split(":", 1)[0]
            if target not in containers:
                yield Problem(join_path(join_path(path, "links"), index), f"no container named '{target}'")
    cycle = _find_cycle(graph)
    if cycle:
        yield Problem("", f"depends_on forms a cycle: {' -> '.join(cycle)}")


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def check_essential(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    containers = containers_of(data)
    if containers and not any(c.get("essential", True) for _, c in containers.values()):
        yield Problem("app.essential", "at least one container must be essential")


def check_network(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    mode = scheduler.get("network_mode") or ("awsvpc" if is_fargate(scheduler) else None)
    ports: dict[tuple[int, str], str] = {}
    for path, container in containers_of(data).values():
        for index, mapping in enumerate(container.get("port_mappings") or []):
            mpath = join_path(join_path(path, "port_mappings"), index)
            container_port = as_int(mapping.get("container_port"))
            host_port = as_int(mapping.get("host_port"))
            if mode in ("awsvpc", "host") and host_port is not None and container_port is not None \
                    and host_port != container_port:
                yield Problem(join_path(mpath, "host_port"),
                              f"under network_mode {mode} host_port must equal container_port ({container_port})")
            if mode in ("awsvpc", "host") and container_port is not None:
                key = (container_port, str(mapping.get("protocol", "tcp")))
                if key in ports:
                    yield Problem(join_path(mpath, "container_port"),
                                  f"port {container_port}/{key[1]} is already mapped by {ports[key]}")
                ports[key] = mpath
        if mode == "awsvpc" and container.get("links"):
            yield Problem(join_path(path, "links"), "links are not supported with network_mode awsvpc")
    network = scheduler.get("network_configuration", {}).get("awsvpc_configuration")
    if network is not None and mode != "awsvpc":
        yield Problem("scheduler.network_configuration",
                      "awsvpc_configuration only applies with network_mode 'awsvpc'")
    if "launch_type" in scheduler and "capacity_provider_strategy" in scheduler:
        yield Problem("scheduler.capacity_provider_strategy", "set either launch_type or capacity_provider_strategy")


def check_volumes(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    volumes = data.get("volumes") or {}
    for path, container in containers_of(data).values():
        for index, mount in enumerate(container.get("mount_points") or []):
            source = mount.get("source_volume")
            if source is not None and source not in volumes:
                yield Problem(join_path(join_path(join_path(path, "mount_points"), index), "source_volume"),
                              f"no volume named '{source}' in volumes")
    for name, volume in volumes.items():
        storage = [k for k in ("host", "source_path", "docker_volume_configuration", "efs_volume_configuration",
                               "fsx_windows_file_server_volume_configuration") if k in volume]
        if len(storage) > 1 and set(storage) != {"host", "source_path"}:
            yield Problem(join_path("volumes", name), f"set only one kind of volume, got {', '.join(storage)}")
    ephemeral = data.get("scheduler", {}).get("ephemeral_storage")
    if ephemeral is not None:
        size = as_int(ephemeral.get("size_in_gi_b"))
        if size is not None and not 21 <= size <= 200:
            yield Problem("scheduler.ephemeral_storage.size_in_gi_b", f"must be between 21 and 200 GiB, got {size}")


_HEALTH_RANGES = {"interval": (5, 300), "timeout": (2, 60), "retries": (1, 10), "start_period": (0, 300)}


def check_health_checks(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    for path, container in containers_of(data).values():
        health = container.get("health_check")
        if not health:
            continue
        hpath = join_path(path, "health_check")
        for key, (low, high) in _HEALTH_RANGES.items():
            value = as_int(health.get(key))
            if value is not None and not low <= value <= high:
                yield Problem(join_path(hpath, key), f"must be between {low} and {high}, got {value}")


def check_service(app_id: str, data: dict[str, Any]) -> Iterator[Problem]:
    scheduler = data.get("scheduler", {})
    deployment = scheduler.get("deployment_configuration") or {}
    maximum, minimum = as_int(deployment.get("maximum_percent")), as_int(deployment.get("minimum_healthy_percent"))
    if maximum is not None and minimum is not None and maximum < minimum:
        yield Problem("scheduler.deployment_configuration.maximum_percent",
                      f"{maximum} is below minimum_healthy_percent {minimum}")
    if "service_registries" in scheduler and "service_discovery" in scheduler:
        yield Problem("scheduler.service_registries", "set either service_registries (Cloud Map services by ARN) or "
                      "service_discovery (services hako creates), not both")
    if scheduler.get("scheduling_strategy") == "DAEMON" and "desired_count" in scheduler:
        yield Problem("scheduler.desired_count", "DAEMON services run one task per instance; remove desired_count")
    count = as_int(scheduler.get("desired_count"))
    if count is not None and count < 0:
        yield Problem("scheduler.desired_count", f"must be 0 or more, got {count}")


CHECKS: tuple[Check, ...] = (
    check_app_id,
    check_images,
    check_fargate,
    check_resources,
    check_env_and_secrets,
    check_dependencies,
    check_essential,
    check_network,
    check_volumes,
    check_health_checks,
    check_service,
    check_hako_keys,
)


def semantic_problems(app_id: str, data: dict[str, Any]) -> list[Problem]:
    """Run every check; each sees the whole definition."""
    problems: list[Problem] = []
    for check in (*CHECKS, *TRAFFIC_CHECKS, *SCHEDULE_CHECKS):
        problems.extend(check(app_id, data))
    return problems
