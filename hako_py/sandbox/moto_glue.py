"""Every place hako-py reaches into moto's internals lives here (moto 5.2.x).

moto's ECS stores services and tasks but never runs them: deployments stay as created,
tasks advance one state per DescribeTasks and all exit 0. The simulator edits moto's
backend objects directly, in the same process as the server; keeping those edits in one
module makes a moto upgrade a one-file job. Its sibling moto_ecs_hooks changes how moto
answers ECS requests (ECS's defaults and checks); nothing else touches moto, which
``scripts/import_graph.py`` checks (imports of moto, attributes set on its objects, their
private names).
"""

from __future__ import annotations

import copy
import datetime
import itertools
import json
import uuid
from typing import Any

ACCOUNT_ID = "123456789012"  # moto's default account: where seeding and the scaling simulator work
Scope = tuple[str, str]  # (account id, region) of one of moto's per-account, per-region backends


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def freeze_task_progression() -> None:
    """Stop moto from advancing task states by itself; the simulator drives them."""
    from moto.moto_api import state_manager

    state_manager.set_transition(model_name="ecs::task", transition={"progression": "manual", "times": 10**12})


def make_server(host: str, port: int, app_wrapper: Any) -> Any:
    """A threaded werkzeug server running moto's dispatcher wrapped by *app_wrapper*. The socket
    is bound here: werkzeug, binding it, prints its own two lines and exits the process when
    the port is taken; an OSError lets the caller say it in one line."""
    import socket

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server as werkzeug_server

    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # werkzeug's rule for the same host
    with socket.socket(family, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as http.server does
        listener.bind((host, port))
        listener.listen()
        moto_app = DomainDispatcherApplication(create_backend_app)
        # werkzeug serves a duplicate of the descriptor; this one closes on leaving
        return werkzeug_server(host, port, app_wrapper(moto_app), threaded=True, request_handler=MotoRequestHandler,
                               fd=listener.fileno())


def ecs_backend(region: str, account: str = ACCOUNT_ID) -> Any:
    from moto.ecs.models import ecs_backends

    return ecs_backends[account][region]


def ecs_scopes() -> list[Scope]:
    """The (account, region) pairs whose ECS backend exists. moto creates a backend only for a
    region it serves, on first use, so a request naming any other region (or account) adds
    nothing here for the simulator to trip over."""
    from moto.ecs.models import ecs_backends

    return [(account, region) for account, regions in list(ecs_backends.items()) for region in list(regions.keys())]


def scope_of(arn: str) -> Scope:
    """(account, region) of an ARN (arn:aws:ecs:REGION:ACCOUNT:...)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[3] or not parts[4]:
        raise ValueError(f"not an ARN with a region and account: {arn!r}")
    return parts[4], parts[3]


def _backend_of(model: Any) -> Any:
    """The ECS backend holding a moto Service."""
    return ecs_backend(model.region_name, getattr(model, "_account_id", ACCOUNT_ID))


def logs_backend(region: str, account: str = ACCOUNT_ID) -> Any:
    from moto.logs.models import logs_backends

    backends = logs_backends[account]
    if region not in backends:  # moto serves only the regions botocore knows
        raise LookupError(f"CloudWatch Logs has no region {region!r}")
    return backends[region]


def ec2_backend(region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[ACCOUNT_ID][region]


def _scope_or_none(arn: str) -> Scope | None:
    try:
        return scope_of(arn)
    except ValueError:
        return None


def service_by_arn(arn: str, scopes: set[Scope]) -> Any | None:
    """The moto Service with this ARN, or None (gone, or of a backend not in *scopes*, the
    ones that exist: looking one up would create it). A long ARN (service/CLUSTER/NAME) names
    moto's key; a short one (service/NAME) is looked for."""
    scope = _scope_or_none(arn)
    if scope is None or scope not in scopes:
        return None
    services = ecs_backend(scope[1], scope[0]).services
    parts = arn.split(":", 5)[5].split("/")
    if len(parts) == 3:
        found = services.get(f"{parts[1]}:{parts[2]}")
        return found if found is not None and found.arn == arn else None
    return next((service for service in list(services.values()) if service.arn == arn), None)


def task_by_arn(arn: str, scopes: set[Scope]) -> Any | None:
    """The moto Task with this ARN, or None (see :func:`service_by_arn`): moto keeps tasks by
    cluster name, then ARN."""
    scope = _scope_or_none(arn)
    if scope is None or scope not in scopes:
        return None
    tasks = ecs_backend(scope[1], scope[0]).tasks
    parts = arn.split(":", 5)[5].split("/")
    clusters = [tasks.get(parts[1], {})] if len(parts) == 3 else list(tasks.values())
    return next((cluster[arn] for cluster in clusters if arn in cluster), None)


DEPLOYMENT_FIELDS = "hako_deployment_fields"  # attribute of a moto Service (set by moto_ecs_hooks)


def deployment_fields(service: Any) -> dict[str, Any]:
    """What each new deployment of *service* carries besides id, counts and state (launch type or
    capacity providers, platform, network, Service Connect, EBS volumes...), as moto_ecs_hooks
    recorded it at CreateService/UpdateService."""
    fields = getattr(service, DEPLOYMENT_FIELDS, None)
    if fields is None:
        network = getattr(service, "network_configuration", None) or None
        fields = {"launchType": service.launch_type, "networkConfiguration": network}
    return copy.deepcopy(dict(fields))


def set_deployment_fields(service: Any, fields: dict[str, Any]) -> None:
    setattr(service, DEPLOYMENT_FIELDS, copy.deepcopy(fields))


def daemon_desired_count(service: Any) -> int:
    """A DAEMON service runs one task per ACTIVE container instance of its cluster (ECS Developer
    Guide ecs_services: "you don't need to specify a desired number of tasks"; REAL
    repo-describe-services-daemon-ec2: desiredCount 1 with one instance)."""
    instances = _backend_of(service).container_instances.get(service.cluster_name, {})
    return sum(1 for instance in list(instances.values()) if instance.status == "ACTIVE")


def vpc_default_security_groups(region: str, account: str, subnets: list[str]) -> list[str]:
    """The default security group of the VPC holding the first of *subnets*: what a task's network
    interface gets when its awsvpc configuration names none (API AwsVpcConfiguration.securityGroups:
    "If you don't specify a security group, the default security group for the VPC is used"). []
    when the subnet is unknown (moto then answers its own error) or the VPC has no default group
    (aws/containers-roadmap issue #1765: the tasks then get none)."""
    from moto.ec2.exceptions import InvalidSubnetIdError
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account][region]
    try:
        subnet = backend.get_subnet(str(subnets[0]))
    except (IndexError, InvalidSubnetIdError):
        return []
    group = backend.get_default_security_group(subnet.vpc_id)
    return [str(group.id)] if group is not None else []


def missing_subnet(region: str, account: str, subnets: list[str]) -> str | None:
    """The first of *subnets* EC2 does not have (None when it has them all)."""
    from moto.ec2.exceptions import InvalidSubnetIdError
    from moto.ec2.models import ec2_backends

    backend = ec2_backends[account][region]
    for subnet in subnets:
        try:
            backend.get_subnet(str(subnet))
        except InvalidSubnetIdError:
            return str(subnet)
    return None


def with_security_groups(network: dict[str, Any] | None, region: str, account: str) -> dict[str, Any] | None:
    """*network* (an ECS networkConfiguration) with the VPC's default security group filled in where
    its awsvpcConfiguration names none; moto reads ``securityGroups`` unconditionally (KeyError, HTTP
    500). What ECS stores and shows stays as sent: only the network interface gets the group."""
    awsvpc = (network or {}).get("awsvpcConfiguration")
    if not isinstance(awsvpc, dict) or "securityGroups" in awsvpc:
        return network
    groups = vpc_default_security_groups(region, account, list(awsvpc.get("subnets") or []))
    return {**(network or {}), "awsvpcConfiguration": {**awsvpc, "securityGroups": groups}}


def allow_network_interfaces_without_dns_names() -> None:
    """moto gives a network interface a private DNS name only in a VPC with DNS hostnames enabled
    (API ModifyVpcAttribute EnableDnsHostnames: "If enabled, instances in the VPC get DNS hostnames;
    otherwise, they do not"), yet its ECS task reads the name unconditionally: every task in such a
    VPC (any VPC but the default one) failed with AttributeError. A class-level None lets the task be
    made; :func:`drop_empty_attachment_details` then leaves the detail out."""
    from moto.ec2.models.elastic_network_interfaces import NetworkInterface

    if "private_dns_name" not in vars(NetworkInterface):
        setattr(NetworkInterface, "private_dns_name", None)  # noqa: B010


def default_load_balancer_scheme() -> None:
    """A load balancer created without ``Scheme`` is internet-facing (API CreateLoadBalancer.Scheme:
    "The default is an Internet-facing load balancer"). moto's request handler passes the missing
    member on as ``None`` over its own default, so DescribeLoadBalancers reported no scheme for the
    load balancers the original hako creates (it sends ``scheme: nil`` unless the definition sets
    one, ecs_elb_v2.rb) and hako-py saw a scheme change that is none."""
    from moto.elbv2.models import ELBv2Backend

    if getattr(ELBv2Backend, "_hako_default_scheme", False):
        return
    create: Any = ELBv2Backend.create_load_balancer

    def create_load_balancer(self: Any, *args: Any, scheme: str | None = None, **kwargs: Any) -> Any:
        return create(self, *args, scheme=scheme or "internet-facing", **kwargs)

    setattr(ELBv2Backend, "create_load_balancer", create_load_balancer)  # noqa: B010
    setattr(ELBv2Backend, "_hako_default_scheme", True)  # noqa: B010


def drop_empty_attachment_details(task: Any) -> None:
    """Leave out attachment details without a value (privateDnsName of an interface that has none)."""
    for attachment in getattr(task, "attachments", None) or []:
        details = attachment.get("details")
        if isinstance(details, list):
            attachment["details"] = [d for d in details if not isinstance(d, dict) or d.get("value") is not None]


def start_task(service: Any, group: str, started_by: str) -> Any:
    """Create a task of *service*'s current task definition, as ECS's scheduler would."""
    from moto.ecs.models import Task

    backend = _backend_of(service)
    cluster = backend.clusters[service.cluster_name]
    task_definition = backend.describe_task_definition(service.task_definition)
    network = with_security_groups(getattr(service, "network_configuration", None) or None, service.region_name,
                                   getattr(service, "_account_id", ACCOUNT_ID))
    task_class: Any = Task
    task = task_class(cluster, task_definition, None, None, backend, group=group,
                      launch_type=service.launch_type or "", started_by=started_by, networking_configuration=network)
    drop_empty_attachment_details(task)
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    complete_containers(task, task_definition)
    set_task_state(task, "PROVISIONING")
    task.created_at = utcnow()
    return task


def complete_containers(task: Any, task_definition: Any) -> None:
    """moto shows only the first container; add the others and fix each one's task ARN."""
    from moto.ecs.models import Container

    container_class: Any = Container
    definitions = task_definition.container_definitions
    while len(task.containers) < len(definitions):
        task.containers.append(container_class(task_definition))
    for container, definition in zip(task.containers, definitions, strict=False):
        container.name = definition.get("name")
        container.image = definition.get("image")
        container.task_arn = task.task_arn
        container.exitCode = None
        container.last_status = "PENDING"


def set_task_state(task: Any, state: str) -> None:
    task.last_status = state
    for container in task.containers:
        if state in ("RUNNING", "STOPPED"):
            container.last_status = state


def stop_task(task: Any, *, stop_code: str, reason: str, exit_codes: dict[str, int | None],
              container_reasons: dict[str, str] | None = None) -> None:
    now = utcnow()
    task.desired_status = "STOPPED"
    task.stop_code = stop_code
    task.stopped_reason = reason
    task.stopping_at = now
    task.stopped_at = now
    task.execution_stopped_at = now
    for container in task.containers:
        container.exitCode = exit_codes.get(container.name)
        if container.exitCode is None and hasattr(container, "exit_code"):
            del container.exit_code
        if container_reasons and container.name in container_reasons:
            container.reason = container_reasons[container.name]
    set_task_state(task, "STOPPED")


# What the scheduler changes on moto's services and tasks (moto keeps these, never advances them).

def set_service_events(service: Any, events: list[dict[str, Any]]) -> None:
    service.events = events


def set_deployments(service: Any, deployments: list[dict[str, Any]]) -> None:
    service.deployments = deployments


def set_desired_count(service: Any, count: int) -> None:
    service.desired_count = count


def set_service_counts(service: Any, *, running: int, pending: int) -> None:
    service.running_count = running
    service.pending_count = pending


def set_service_task_definition(service: Any, arn: str) -> None:
    service.task_definition = arn


def mark_created(task: Any) -> None:
    task.created_at = utcnow()


def mark_running(task: Any, *, pulled: bool = False) -> None:
    """The task is RUNNING from now; with *pulled*, its images were pulled in that instant too."""
    set_task_state(task, "RUNNING")
    task.started_at = utcnow()
    if pulled:
        task.pull_started_at = task.pull_stopped_at = task.started_at


DOCKER_ERROR = "docker_error"  # attribute of a moto Task whose containers Docker could not start


def set_docker_error(task: Any, reason: str) -> None:
    setattr(task, DOCKER_ERROR, reason)


def docker_error(task: Any) -> str | None:
    """Why Docker could not start the task's containers (None when it could, or did not try)."""
    return getattr(task, DOCKER_ERROR, None)


def task_definition_of(arn: str) -> Any:
    """The task definition a (full) task definition ARN names, in the account and region it names."""
    account, region = scope_of(arn)
    return ecs_backend(region, account).describe_task_definition(arn)


def put_log_events(account: str, region: str, group: str, stream: str, messages: list[tuple[int, str]]) -> None:
    """Append events (timestamp ms, message) to a stream, creating group and stream as needed;
    LookupError for a region CloudWatch Logs does not have."""
    backend = logs_backend(region, account)
    if group not in backend.groups:
        backend.create_log_group(group, {})
    log_group = backend.groups[group]
    if stream not in log_group.streams:
        backend.create_log_stream(group, stream)
    backend.put_log_events(group, stream, [{"timestamp": ts, "message": msg} for ts, msg in messages])


def _task_ip(task: Any) -> str | None:
    for attachment in getattr(task, "attachments", None) or []:
        for detail in attachment.get("details") or []:
            if detail.get("name") == "privateIPv4Address":
                return str(detail.get("value"))
    return None


def _task_traffic(service: Any, task: Any) -> tuple[str, list[tuple[Any, Any]], Any, list[str]] | None:
    """(task IP, [(target group, container port)], Cloud Map backend, [discovery service ids])
    of a service task; None for a task without an IP (only awsvpc tasks have one)."""
    from moto.elbv2.models import elbv2_backends
    from moto.servicediscovery.models import servicediscovery_backends

    ip = _task_ip(task)
    if ip is None:
        return None
    region, account = service.region_name, getattr(service, "_account_id", ACCOUNT_ID)
    groups = elbv2_backends[account][region].target_groups
    targets = [(groups[str(e.get("targetGroupArn"))], e.get("containerPort"))
               for e in getattr(service, "load_balancers", None) or [] if str(e.get("targetGroupArn")) in groups]
    discovery = servicediscovery_backends[account][region]
    services = [sid for e in getattr(service, "service_registries", None) or []
                if (sid := str(e.get("registryArn", "")).rsplit("/", 1)[-1]) in discovery.services]
    return ip, targets, discovery, services


def register_task_traffic(service: Any, task: Any) -> None:
    """What ECS does for a service task: register its IP in the service's target groups and
    Cloud Map services."""
    found = _task_traffic(service, task)
    if found is None:
        return
    ip, targets, discovery, services = found
    for group, port in targets:
        group.register([{"Id": ip, "Port": port}])
    for service_id in services:
        discovery.register_instance(service_id, task.id, task.id, {"AWS_INSTANCE_IPV4": ip,
                                                                   "ECS_TASK_ARN": task.task_arn})


def deregister_task_traffic(service: Any, task: Any) -> None:
    found = _task_traffic(service, task)
    if found is None:
        return
    ip, targets, discovery, services = found
    for group, _ in targets:
        if ip in group.targets:
            group.deregister([{"Id": ip}])
    for service_id in services:
        discovery.deregister_instance(service_id, task.id)


def service_by_resource_id(region: str, resource_id: str) -> Any:
    """The ECS service an Application Auto Scaling resource id (service/CLUSTER/NAME) names."""
    from moto.ecs.models import ecs_backends

    parts = resource_id.split("/")
    if len(parts) != 3 or parts[0] != "service" or region not in ecs_backends[ACCOUNT_ID]:
        return None
    return ecs_backend(region).services.get(f"{parts[1]}:{parts[2]}")


class RenameError(LookupError):
    """A rename that cannot be made: ``missing`` when the object is not there, else the new ID is taken."""

    def __init__(self, message: str, *, missing: bool) -> None:
        super().__init__(message)
        self.missing = missing


RENAMEABLE = ("subnet", "security-group", "vpc", "certificate")


def _collections(kind: str, region: str) -> list[dict[str, Any]]:
    """The dicts (ID -> object) moto keeps objects of *kind* in."""
    if kind == "subnet":
        return list(ec2_backend(region).subnets.values())  # {availability zone: {id: subnet}}
    if kind == "security-group":
        return list(ec2_backend(region).groups.values())  # {vpc id: {id: group}}
    if kind == "vpc":
        return [ec2_backend(region).vpcs]
    from moto.acm.models import acm_backends

    return [acm_backends[ACCOUNT_ID][region]._certificates]


def rename(kind: str, region: str, old_id: str, new_id: str) -> None:
    """Give an existing object (one of RENAMEABLE, default account) the ID a definition uses:
    moto cannot choose IDs at creation. RenameError when it is missing or *new_id* is taken."""
    collections = _collections(kind, region)
    if any(new_id in objects for objects in collections):
        raise RenameError(f"{kind} {new_id} already exists in {region}", missing=False)
    holder = next((objects for objects in collections if old_id in objects), None)
    if holder is None:
        raise RenameError(f"no {kind} {old_id} in {region}", missing=True)
    item = holder.pop(old_id)
    if kind == "certificate":
        item.arn = new_id
    else:
        item.id = new_id
        if hasattr(item, "group_id"):
            item.group_id = new_id
        if isinstance(vars(item).get("arn"), str):
            item.arn = item.arn.replace(old_id, new_id)
    holder[new_id] = item


def serves_region(region: str) -> bool:
    """Whether moto has backends for *region* (the regions botocore knows, in every partition)."""
    from moto.ec2.models import ec2_backends

    return region in ec2_backends[ACCOUNT_ID]


LOG_PAGE_BYTES = 1_048_576  # GetLogEvents: "as many log events as can fit in a response size of 1 MB"
LOG_PAGE_EVENTS = 10_000  # "(up to 10,000 log events)" (API reference, GetLogEvents.limit)
LOG_EVENT_OVERHEAD = 26


def page_log_events_like_cloudwatch() -> None:
    """moto's GetLogEvents pages only by count (10,000) and sorts the whole stream on every
    call; CloudWatch also ends a page at 1 MB. Replace moto's method (same tokens, same
    time filters) with one that pages as CloudWatch does, and sorts only when events arrived
    out of time order (a stream of 200,000 events was read in 7.5 s)."""
    from moto.logs.exceptions import InvalidParameterException
    from moto.logs.models import LogStream

    if getattr(LogStream, "_hako_paging", False):
        return

    def get_log_events(self: Any, start_time: Any, end_time: Any, limit: Any, next_token: str | None,
                       start_from_head: Any) -> tuple[list[dict[str, Any]], str, str]:
        events = [e for e in self.events if (not start_time or e.timestamp >= start_time)
                  and (not end_time or e.timestamp <= end_time)] if start_time or end_time else list(self.events)
        if any(a.timestamp > b.timestamp for a, b in itertools.pairwise(events)):
            events.sort(key=lambda event: event.timestamp)
        count = min(int(limit or LOG_PAGE_EVENTS), LOG_PAGE_EVENTS)
        last = len(events) - 1
        if last < 0:
            return [], f"b/{last:056d}", f"f/{last:056d}"
        if next_token is None:
            forward, index = bool(start_from_head), (0 if start_from_head else last)
        else:
            try:
                direction, position = next_token[0], int(next_token[2:])
            except (IndexError, ValueError):
                raise InvalidParameterException("The specified nextToken is invalid.") from None
            if direction not in ("f", "b"):
                raise InvalidParameterException("The specified nextToken is invalid.")
            forward, index = direction == "f", position + 1 if direction == "f" else position - 1
        if forward and index > last:
            return [], f"b/{last:056d}", f"f/{last:056d}"
        if not forward and index < 0:
            return [], f"b/{0:056d}", f"f/{0:056d}"
        index = max(0, min(index, last))
        step = 1 if forward else -1
        taken: list[Any] = []
        size = 0
        position = index
        while 0 <= position <= last and len(taken) < count:
            event_size = len(events[position].message.encode("utf-8", "replace")) + LOG_EVENT_OVERHEAD
            if taken and size + event_size > LOG_PAGE_BYTES:
                break
            taken.append(events[position])
            size += event_size
            position += step
        if not forward:
            taken.reverse()
        first, final = (index, index + len(taken) - 1) if forward else (index - len(taken) + 1, index)
        return [e.to_response_dict() for e in taken], f"b/{first:056d}", f"f/{final:056d}"

    setattr(LogStream, "get_log_events", get_log_events)  # noqa: B010
    setattr(LogStream, "_hako_paging", True)  # noqa: B010


# EventBridge Scheduler ---------------------------------------------------------------------------
def cloud_map_like_aws() -> None:
    """moto's Cloud Map (5.2.x) ListServices ignores ``Filters`` ("not yet implemented") and
    lists every namespace's services, so hako, looking for its service by name in its namespace,
    found another namespace's service of the same name. AWS filters (API ListServices, botocore
    model ServiceFilter: ``NAMESPACE_ID`` "Gets the services associated with the specified
    namespace", one namespace ID or ARN; ``RESOURCE_OWNER`` ``SELF`` or ``OTHER_ACCOUNTS``; "If
    you specify more than one filter, an operation must match all filters"; Condition ``EQ``,
    "specify one value", is the default). Once per process."""
    from moto.servicediscovery.exceptions import InvalidInput
    from moto.servicediscovery.responses import ServiceDiscoveryResponse

    if getattr(ServiceDiscoveryResponse, "_hako_like_aws", False):
        return

    def list_services(self: Any) -> str:
        params = json.loads(self.body or "{}")
        services = list(self.servicediscovery_backend.list_services())
        for entry in params.get("Filters") or []:
            name, values = entry.get("Name"), list(entry.get("Values") or [])
            if entry.get("Condition", "EQ") != "EQ" or len(values) != 1:
                raise InvalidInput(f"Filter {name}: the condition must be EQ, with one value")
            if name == "NAMESPACE_ID":
                wanted = str(values[0]).rsplit("/", 1)[-1]  # an ID, or a namespace ARN
                services = [service for service in services if service.namespace_id == wanted]
            elif name == "RESOURCE_OWNER":
                services = services if values[0] == "SELF" else []  # no namespace is shared with the sandbox
            else:
                raise InvalidInput(f"Filter name {name!r} is not NAMESPACE_ID or RESOURCE_OWNER")
        return json.dumps({"Services": [service.to_json() for service in services]})

    ServiceDiscoveryResponse.list_services = list_services  # type: ignore[method-assign]
    ServiceDiscoveryResponse._hako_like_aws = True  # type: ignore[attr-defined]


def scheduler_like_aws() -> None:
    """moto's EventBridge Scheduler (5.2.x) where it differs from AWS (scheduler NOTES.md §5), once
    per process: CreateSchedule into a missing group answers ResourceNotFoundException (moto:
    KeyError, HTTP 500); CreateScheduleGroup of an existing name answers ConflictException (moto
    replaced the group and dropped its schedules; API CreateScheduleGroup lists
    ConflictException); DeleteScheduleGroup of a missing group answers ResourceNotFoundException;
    TagResource takes only schedule groups (API TagResource: "You can only assign tags to
    schedule groups"); UpdateSchedule replaces the whole schedule (API UpdateSchedule: an
    omitted optional field is "set to its system-default value"): State back to ENABLED and
    ActionAfterCompletion to what the request says (moto kept the old one)."""
    from moto.core.exceptions import JsonRESTError
    from moto.scheduler.exceptions import ValidationException
    from moto.scheduler.models import EventBridgeSchedulerBackend
    from moto.scheduler.responses import EventBridgeSchedulerResponse

    if getattr(EventBridgeSchedulerBackend, "_hako_like_aws", False):
        return

    class Conflict(JsonRESTError):
        code = 409

        def __init__(self, message: str) -> None:
            super().__init__("ConflictException", message)

    create_schedule = EventBridgeSchedulerBackend.create_schedule
    create_group = EventBridgeSchedulerBackend.create_schedule_group
    delete_group = EventBridgeSchedulerBackend.delete_schedule_group
    tag_resource = EventBridgeSchedulerBackend.tag_resource
    update_handler = EventBridgeSchedulerResponse.update_schedule

    def create(self: Any, **kwargs: Any) -> Any:
        self.get_schedule_group(kwargs.get("group_name"))
        return create_schedule(self, **kwargs)

    def create_schedule_group(self: Any, name: str, tags: list[dict[str, str]]) -> Any:
        if name in self.schedule_groups:
            raise Conflict(f"Schedule group {name} already exists.")
        return create_group(self, name, tags)

    def delete_schedule_group(self: Any, name: str | None) -> None:
        self.get_schedule_group(name)
        delete_group(self, name)

    def tag(self: Any, resource_arn: str, tags: list[dict[str, str]]) -> None:
        if ":schedule-group/" not in resource_arn:
            raise ValidationException("You can only assign tags to schedule groups.")
        tag_resource(self, resource_arn, tags)

    def update(handler: Any) -> str:
        answer: str = update_handler(handler)
        name = handler.uri.split("?")[0].split("/")[-1]
        schedule = handler.scheduler_backend.get_schedule(handler._get_param("GroupName"), name)
        schedule.state = handler._get_param("State") or "ENABLED"
        schedule.action_after_completion = handler._get_param("ActionAfterCompletion")
        return answer

    setattr(EventBridgeSchedulerBackend, "create_schedule", create)  # noqa: B010
    setattr(EventBridgeSchedulerBackend, "create_schedule_group", create_schedule_group)  # noqa: B010
    setattr(EventBridgeSchedulerBackend, "delete_schedule_group", delete_schedule_group)  # noqa: B010
    setattr(EventBridgeSchedulerBackend, "tag_resource", tag)  # noqa: B010
    setattr(EventBridgeSchedulerResponse, "update_schedule", update)  # noqa: B010
    setattr(EventBridgeSchedulerBackend, "_hako_like_aws", True)  # noqa: B010


def all_schedules() -> list[tuple[Scope, dict[str, Any]]]:
    """Every schedule moto holds, as GetSchedule reports it (dates as datetimes), by scope."""
    from moto.scheduler.models import scheduler_backends

    found: list[tuple[Scope, dict[str, Any]]] = []
    for account, regions in list(scheduler_backends.items()):
        for region, backend in list(regions.items()):
            for group in list(backend.schedule_groups.values()):
                for schedule in list(group.schedules.values()):
                    data = copy.deepcopy(schedule.to_dict())
                    for key in ("CreationDate", "LastModificationDate", "StartDate", "EndDate"):
                        if isinstance(data.get(key), int | float):
                            data[key] = datetime.datetime.fromtimestamp(data[key], datetime.UTC)
                    found.append(((account, region), data))
    return found


# EventBridge ---------------------------------------------------------------------------------
def event_rules(account: str, region: str) -> list[dict[str, Any]]:
    """The default event bus's rules of one scope, as DescribeRule and ListTargetsByRule show them
    (Name, State, EventPattern text, Targets): the sandbox matches them itself (event_patterns)."""
    from moto.events.models import events_backends

    if account not in events_backends or region not in events_backends[account]:
        return []
    bus = events_backends[account][region].event_buses.get("default")
    if bus is None:
        return []
    return [{"Name": rule.name, "State": rule.state, "EventPattern": rule.event_pattern.dump(),
             "Targets": copy.deepcopy(list(rule.targets))} for rule in list(bus.rules.values())]


def api_destination(account: str, region: str, arn: str) -> dict[str, Any] | None:
    """The API destination of that ARN (DescribeApiDestination) with its connection's auth
    parameters (``AuthParameters``, secrets included: what EventBridge sends), or None."""
    from moto.events.models import events_backends

    if account not in events_backends or region not in events_backends[account]:
        return None
    backend = events_backends[account][region]
    for destination in list(backend.destinations.values()):
        if destination.arn == arn:
            found = copy.deepcopy(destination.describe())
            connection = next((c for c in list(backend.connections.values())
                               if c.arn == found.get("ConnectionArn")), None)
            found["AuthParameters"] = copy.deepcopy(connection.auth_parameters) if connection else {}
            return found
    return None


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return None


def task_state_event(task: Any) -> dict[str, Any]:
    """The "ECS Task State Change" event ECS sends EventBridge for *task* as it is now (ECS
    developer guide, ecs_task_events.html: ``detail`` is the task as DescribeTasks shows it,
    its times as ISO strings; a stopped container carries its ``exitCode``)."""
    account, region = scope_of(task.task_arn)
    containers = []
    for container in task.containers:
        shown: dict[str, Any] = {"containerArn": container.container_arn, "name": container.name,
                                 "lastStatus": task.last_status, "taskArn": task.task_arn}
        if task.last_status == "STOPPED" and getattr(container, "exitCode", None) is not None:
            shown["exitCode"] = container.exitCode
        if getattr(container, "reason", None):
            shown["reason"] = container.reason
        containers.append(shown)
    detail: dict[str, Any] = {
        "clusterArn": task.cluster_arn, "taskArn": task.task_arn, "taskDefinitionArn": task.task_definition_arn,
        "group": task.group, "startedBy": task.started_by or None, "launchType": task.launch_type,
        "lastStatus": task.last_status, "desiredStatus": task.desired_status,
        "stopCode": getattr(task, "stop_code", None), "stoppedReason": task.stopped_reason or None,
        "overrides": copy.deepcopy(task.overrides or {}), "containers": containers,
        "createdAt": _iso(getattr(task, "created_at", None)), "startedAt": _iso(getattr(task, "started_at", None)),
        "stoppedAt": _iso(getattr(task, "stopped_at", None)),
    }
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "ECS Task State Change", "source": "aws.ecs",
            "account": account, "time": _iso(utcnow()), "region": region, "resources": [task.task_arn],
            "detail": {k: v for k, v in detail.items() if v is not None}}
