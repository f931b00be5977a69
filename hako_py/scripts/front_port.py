"""The host port of the ``front`` container, as hako 2.18 determines it for its scripts.

hako passes this number to every script's ``deploy_started(containers, front_port)``
(``lib/hako/schedulers/ecs.rb:143,147``); nginx_front maps the front's port 80 to it. hako-py
hands it to ``Script.shape_containers``. The rules (``ecs.rb:449-501``, v2.18.0):

- ``network_mode: awsvpc``: None (host and container ports must be equal; no links);
- ``dynamic_port_mapping`` (default true, false when a classic ``elb`` is set, ``ecs.rb:49``):
  0, ECS picks a host port per task;
- else a fixed port: the one the service's current task definition gives ``front`` (its
  first port mapping), or for a new service one more than the highest such port among the
  cluster's services, 10000 when there is none (``DEFAULT_FRONT_PORT``, ``ecs.rb:28``).

hako's ``--dry-run`` answers 10000 without looking; hako-py reads the same ECS state in a
dry run (reads only), so the dry run shows the port the deploy will use.
"""

from __future__ import annotations

from typing import Any

from hako_py.definition import AppDefinition

FRONT = "front"
DEFAULT_FRONT_PORT = 10000


def dynamic_port_mapping(scheduler: dict[str, Any]) -> bool:
    """``options.fetch('dynamic_port_mapping', @ecs_elb_options.nil?)`` (ecs.rb:49)."""
    return bool(scheduler.get("dynamic_port_mapping", "elb" not in scheduler))


def front_port(app: AppDefinition, aws: Any) -> int | None:
    """The front port for *app*; ECS (*aws*: the command's :class:`~hako_py.aws.AwsClients`)
    is asked only for a fixed port."""
    if app.scheduler.get("network_mode") == "awsvpc":
        return None
    if dynamic_port_mapping(app.scheduler):
        return 0
    ecs = aws.ecs()
    service = ecs.describe_service(app.cluster, app.app_id)  # None also when INACTIVE, as in hako
    if service is not None:
        return _service_front_port(ecs, service)
    ports = []
    for name in ecs.list_services(app.cluster):
        other = ecs.describe_service(app.cluster, name)
        if other is not None:
            port = _service_front_port(ecs, other)
            if port is not None:
                ports.append(port)
    return max(ports) + 1 if ports else DEFAULT_FRONT_PORT


def _service_front_port(ecs: Any, service: dict[str, Any]) -> int | None:
    """The host port of the first port mapping of ``front`` in the service's task definition
    (ecs.rb:492-501); None without a front container."""
    found = ecs.describe_task_definition(str(service.get("taskDefinition")))
    if found is None:
        return None
    definition, _tags = found
    for container in definition.get("containerDefinitions") or []:
        if container.get("name") == FRONT:
            mappings = container.get("portMappings") or []
            return int(mappings[0].get("hostPort", 0)) if mappings else None
    return None
