"""``hako verify`` checks for load balancers, Cloud Map and autoscaling (read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from hako_py.aws.errors import AwsError
from hako_py.definition import AppDefinition, as_int
from hako_py.formatting import shown
from hako_py.plan.operations import Facade
from hako_py.specs.traffic import ElbSpec, TrafficSpecs
from hako_py.verify.check import NG, OK, Check, guarded


def traffic_checks(app: AppDefinition, task_definition: dict[str, Any], clients: Facade,
                   specs: TrafficSpecs) -> Iterator[Check]:
    """*specs*: as render derived them (``RenderedApp.specs``)."""
    for attachment in specs.attachments:
        yield _container_check(task_definition, attachment.container_name, attachment.container_port)
    for entry in app.scheduler.get("load_balancers") or []:
        yield guarded(f"target group {entry.get('target_group_arn') or entry.get('target_group_name')}",
                      partial(_target_group_check, app, clients, entry))
    if specs.elb is not None:
        yield from _elb_checks(specs.elb, clients)
    for discovery in specs.discovery:
        subject = f"Cloud Map namespace {discovery.namespace_label}"
        yield guarded(subject, partial(_namespace_check, clients, discovery.namespace_id, discovery.namespace,
                                       subject))
    scaling = specs.scaling
    alarms = sorted({str(a) for p in (scaling.policies if scaling else ()) for a in p.get("alarms") or []})
    if alarms:
        yield guarded(f"CloudWatch alarms {', '.join(alarms)}", lambda: _alarms_check(clients, alarms))


def _container_check(td: dict[str, Any], name: str, port: int) -> Check:
    subject = f"traffic container {name}:{port}"
    for container in td.get("containerDefinitions") or []:
        if container.get("name") == name:
            ports = {as_int(m.get("containerPort")) for m in container.get("portMappings") or []}
            if port in ports:
                return Check(OK, subject, "in the task definition")
            return Check(NG, subject, f"container {name} does not map port {port}")
    return Check(NG, subject, f"no container {name} in the task definition")


def _target_group_check(app: AppDefinition, clients: Facade, entry: dict[str, Any]) -> Check:
    subject = f"target group {entry.get('target_group_arn') or entry.get('target_group_name')}"
    group = clients.elbv2().target_group(name=entry.get("target_group_name"), arn=entry.get("target_group_arn"))
    if group is None:
        return Check(NG, subject, "does not exist")
    awsvpc = app.scheduler.get("network_mode") == "awsvpc"
    if awsvpc and group.get("TargetType") != "ip":
        return Check(NG, subject, f"target type {shown(group.get('TargetType'), 'not set')}; tasks with awsvpc "
                     "need 'ip'")
    attached = "attached to a load balancer" if group.get("LoadBalancerArns") else "not attached to any load balancer"
    return Check(OK, subject, attached)


def _elb_checks(spec: ElbSpec, clients: Facade) -> Iterator[Check]:
    api = clients.elbv2()
    lb_subject = f"load balancer {spec.load_balancer_name}"
    try:
        lb = api.load_balancer(spec.load_balancer_name)
    except AwsError as exc:
        yield Check(NG, lb_subject, f"cannot check: {exc}")
        return
    if lb is None:
        yield Check(OK, lb_subject, "will be created") if spec.creates_load_balancer else \
            Check(NG, lb_subject, "does not exist")
    else:
        yield Check(OK, lb_subject, shown(lb.get("DNSName"), ""))
    tg_subject = f"target group {spec.target_group_name}"
    group = _guarded_value(lambda: api.target_group(name=spec.target_group_name))
    if group is None:
        yield Check(OK, tg_subject, "will be created") if spec.creates_target_group else \
            Check(NG, tg_subject, "does not exist")
    else:
        yield Check(OK, tg_subject)
    if spec.listener_rule is not None and lb is not None:
        port = as_int(spec.listener_rule.get("port"))
        ports = {ls.get("Port") for ls in api.listeners(str(lb["LoadBalancerArn"]))}
        subject = f"listener {spec.load_balancer_name}:{port}"
        yield Check(OK, subject) if port in ports else Check(NG, subject, "does not exist on the load balancer")


def _guarded_value(read: Any) -> Any:
    try:
        return read()
    except AwsError:
        return None


def _namespace_check(clients: Facade, namespace_id: str | None, name: str | None, subject: str) -> Check:
    api = clients.cloudmap()
    found = api.namespace(namespace_id) is not None if namespace_id else bool(name and api.namespace_id(name))
    return Check(OK, subject) if found else Check(NG, subject, "does not exist")


def _alarms_check(clients: Facade, names: list[str]) -> Check:
    found = clients.scaling().alarms(names)
    missing = [n for n in names if n not in found]
    subject = f"CloudWatch alarms {', '.join(names)}"
    return Check(NG, subject, f"missing: {', '.join(missing)}") if missing else Check(OK, subject)

