"""Plan, apply, show and remove everything traffic-related an app declares, in order.

Order on deploy: load balancer / target group / listeners / rule and Cloud Map services
first (the service needs their ARNs), then the ECS service, then autoscaling (it needs
the service). ``Traffic`` is built per command from the app and the AWS clients.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from hako_py.aws.scaling import resource_id
from hako_py.definition import AppDefinition
from hako_py.errors import HakoError
from hako_py.render import RenderedApp
from hako_py.specs.classic_elb import ClassicElbSpec, classic_elb_spec, instance_port
from hako_py.specs.traffic import (
    ElbSpec,
    ScalingSpec,
    attachments,
    discovery_specs,
    elb_spec,
    is_ref,
    scaling_spec,
    target_group_of,
)
from hako_py.traffic import classic_elb, discovery, elb, scaling
from hako_py.traffic.steps import Refs, ResourcePlan, Step


def declares_traffic(app: AppDefinition) -> bool:
    return any(app.scheduler.get(k) for k in ("load_balancers", "elb_v2", "elb", "service_discovery", "autoscaling"))


def resource_label(load_balancer_arn: str, target_group_arn: str) -> str:
    """ALBRequestCountPerTarget's label: app/LB/ID/targetgroup/TG/ID."""
    return f"{load_balancer_arn.split(':loadbalancer/', 1)[-1]}/{target_group_arn.rsplit(':', 1)[-1]}"


@dataclass
class TrafficPlan:
    """Every traffic write of one deploy, and the ARNs known so far."""

    refs: Refs
    before_service: list[ResourcePlan] = field(default_factory=list)
    after_service: list[ResourcePlan] = field(default_factory=list)
    keep_desired_count: bool = False
    clamp: Callable[[int | None], int] | None = None

    @property
    def steps(self) -> list[Step]:
        return [s for p in (*self.before_service, *self.after_service) for s in p.steps]

    @property
    def immutable(self) -> list[str]:
        return [i for p in (*self.before_service, *self.after_service) for i in p.immutable]

    @property
    def diff(self) -> str:
        return "".join(p.diff for p in (*self.before_service, *self.after_service))

    def run(self, plans: list[ResourcePlan], say: Callable[[str], None]) -> None:
        for resource in plans:
            for step in resource.steps:
                step.run(self.refs)
                say(step.text)

    def apply_to(self, rendered: RenderedApp, live_service: dict[str, Any] | None) -> RenderedApp:
        """Known ARNs in place of target group / Cloud Map names; autoscaling's desired count kept."""
        if rendered.service is None:
            return rendered
        service = self.refs.resolve(rendered.service)
        if self.keep_desired_count and live_service is not None:
            service["desiredCount"] = live_service.get("desiredCount")
        elif self.clamp is not None:
            service["desiredCount"] = self.clamp(service.get("desiredCount"))
        return replace(rendered, service=service)

    def unresolved(self, value: Any) -> list[str]:
        """References still without an ARN in *value* (after the steps ran, none should be left)."""
        resolved = self.refs.resolve(value)
        found: list[str] = []

        def walk(item: Any) -> None:
            if is_ref(item):
                found.append(str(item))
            elif isinstance(item, dict):
                for child in item.values():
                    walk(child)
            elif isinstance(item, list):
                for child in item:
                    walk(child)
        walk(resolved)
        return found


class Traffic:
    """The traffic resources of one app, over one command's AWS clients."""

    def __init__(self, clients: Any, app: AppDefinition, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.clients = clients
        self.app = app
        self.sleep = sleep
        self.elb_spec: ElbSpec | None = elb_spec(app.app_id, app.scheduler, app.containers)
        self.classic_spec: ClassicElbSpec | None = classic_elb_spec(app.app_id, app.scheduler, app.containers)
        self.discovery_specs = discovery_specs(app.app_id, app.scheduler)
        self.scaling_spec: ScalingSpec | None = scaling_spec(app.scheduler)
        self.resource_id = resource_id(app.cluster, app.app_id)

    def _named_target_groups(self, refs: Refs) -> None:
        """ARNs of the load_balancers entries given by name (read-only)."""
        for attachment in attachments(self.app.app_id, self.app.scheduler, self.app.containers):
            name = target_group_of(attachment.target_group)
            if name is None or attachment.target_group in refs:
                continue
            if self.elb_spec is not None and name == self.elb_spec.target_group_name:
                continue
            group = self.clients.elbv2().target_group(name=name)
            if group is None:
                raise HakoError(f"scheduler.load_balancers: target group {name} does not exist")
            refs[attachment.target_group] = str(group["TargetGroupArn"])

    def _label(self, refs: Refs) -> str | None:
        """ALBRequestCountPerTarget's resource label, when the load balancer and target group exist."""
        found = attachments(self.app.app_id, self.app.scheduler, self.app.containers)
        if len(found) != 1:
            return None
        tg_arn = refs.resolve(found[0].target_group)
        if is_ref(tg_arn):
            return None
        if self.elb_spec is not None:
            lb_arn = refs.get(f"load-balancer:{self.elb_spec.load_balancer_name}")
        else:
            group = self.clients.elbv2().target_group(arn=tg_arn)
            lb_arns = (group or {}).get("LoadBalancerArns") or []
            lb_arn = str(lb_arns[0]) if lb_arns else None
        return resource_label(lb_arn, str(tg_arn)) if lb_arn else None

    def plan(self, live_service: dict[str, Any] | None) -> TrafficPlan:
        """Read the live resources and decide the writes (no write happens here)."""
        refs = Refs()
        result = TrafficPlan(refs)
        if self.elb_spec is not None:
            api = self.clients.elbv2()
            live = elb.read_live(api, self.elb_spec)
            result.before_service.append(elb.plan(api, self.elb_spec, live, refs, self.app.file))
        if self.classic_spec is not None:
            classic_api = self.clients.elb()
            port = instance_port(self.classic_spec, self.app.scheduler, self.app.containers)
            result.before_service.append(classic_elb.plan(classic_api, self.classic_spec,
                                                          classic_elb.read_live(classic_api, self.classic_spec), port,
                                                          self.app.file))
        self._named_target_groups(refs)
        for spec in self.discovery_specs:
            api = self.clients.cloudmap()
            live_discovery = discovery.read_live(api, spec)
            result.before_service.append(discovery.plan(api, spec, live_discovery, refs, self.app.file, self.sleep))
        if self.scaling_spec is not None:
            spec_scaling = self.scaling_spec
            api = self.clients.scaling()
            label = self._label(refs) if any(p.get("predefined_metric_type") == "ALBRequestCountPerTarget"
                                             for p in spec_scaling.policies) else None
            live_scaling = scaling.read_live(api, self.resource_id) if live_service is not None else \
                scaling.ScalingLive(self.resource_id)
            result.after_service.append(scaling.plan(api, spec_scaling, live_scaling, label, self.app.file,
                                                     label_from=self._label))
            result.keep_desired_count = live_service is not None
            result.clamp = spec_scaling.clamp
        return result

    def removal(self) -> tuple[list[ResourcePlan], list[str]]:
        """Deletes of what hako created for this app (run after the ECS service is gone)."""
        plans: list[ResourcePlan] = []
        kept: list[str] = []
        if self.scaling_spec is not None:
            api = self.clients.scaling()
            plans.append(scaling.removal(api, scaling.read_live(api, self.resource_id)))
        for spec in self.discovery_specs:
            api = self.clients.cloudmap()
            try:
                live = discovery.read_live(api, spec)
            except HakoError as exc:  # a missing namespace holds nothing to remove
                kept.append(str(exc))
                continue
            plan, left = discovery.removal(api, spec, live, sleep=self.sleep)
            plans.append(plan)
            kept.extend(left)
        if self.elb_spec is not None:
            api = self.clients.elbv2()
            plan, left = elb.removal(api, self.elb_spec, elb.read_live(api, self.elb_spec), sleep=self.sleep)
            plans.append(plan)
            kept.extend(left)
        if self.classic_spec is not None:
            classic_api = self.clients.elb()
            plan, left = classic_elb.removal(classic_api, self.classic_spec,
                                             classic_elb.read_live(classic_api, self.classic_spec, tags=True),
                                             self._classic_users)
            plans.append(plan)
            kept.extend(left)
        return plans, kept

    def _classic_users(self) -> list[str]:
        """The other services of the cluster behind the classic load balancer (remove keeps it for them)."""
        assert self.classic_spec is not None
        ecs = self.clients.ecs()
        services = ecs.describe_services(self.app.cluster, ecs.list_services(self.app.cluster))
        return classic_elb.users(services, self.classic_spec.load_balancer_name, self.app.app_id)
