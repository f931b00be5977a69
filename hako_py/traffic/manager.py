"""Plan, apply, show and remove everything traffic-related an app declares, in order.

Order on deploy: load balancer / target group / listeners / rule and Cloud Map services
first (the service needs their ARNs), then the ECS service, then autoscaling (it needs
the service). ``Traffic`` is built per command from the app, the specs render derived and
the AWS clients.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hako_py.aws.scaling import resource_id
from hako_py.definition import AppDefinition
from hako_py.errors import HakoError
from hako_py.plan.instructions import Instruction, Plan
from hako_py.plan.operations import Facade
from hako_py.plan.values import Ref, ResourceLabel, resource_label
from hako_py.specs.traffic import ElbSpec, ScalingSpec, TrafficSpecs, is_ref, target_group_of
from hako_py.traffic import discovery, elb, scaling
from hako_py.traffic.steps import Known, ResourcePlan, ref_name


@dataclass
class TrafficPlan:
    """Every traffic write of one deploy, and the ARNs the reads found."""

    known: Known
    before_service: list[ResourcePlan] = field(default_factory=list)
    after_service: list[ResourcePlan] = field(default_factory=list)
    keep_desired_count: bool = False
    clamp: Callable[[int | None], int] | None = None

    @property
    def steps(self) -> list[Instruction]:
        return [s for p in (*self.before_service, *self.after_service) for s in p.steps]

    @property
    def writes(self) -> list[str]:
        return [s.text for s in self.steps if s.text is not None]

    @property
    def immutable(self) -> list[str]:
        return [i for p in (*self.before_service, *self.after_service) for i in p.immutable]

    @property
    def diff(self) -> str:
        return "".join(p.diff for p in (*self.before_service, *self.after_service))

    @property
    def before(self) -> Plan:
        """The writes the service needs done first (its load balancer, its Cloud Map services)."""
        return Plan(tuple(s for p in self.before_service for s in p.steps))

    @property
    def after(self) -> Plan:
        """The writes that need the service (autoscaling)."""
        return Plan(tuple(s for p in self.after_service for s in p.steps))

    def bind(self, service: dict[str, Any], live_service: dict[str, Any] | None) -> dict[str, Any]:
        """The CreateService request with ARNs (or refs to the writes creating them) in place of
        render's target group / Cloud Map placeholders; autoscaling's desired count kept."""
        bound = dict(service)
        if bound.get("loadBalancers"):
            bound["loadBalancers"] = [{**entry, "targetGroupArn": self._value(entry.get("targetGroupArn"))}
                                      for entry in bound["loadBalancers"]]
        if bound.get("serviceRegistries"):
            bound["serviceRegistries"] = [{**entry, "registryArn": self._value(entry.get("registryArn"))}
                                          for entry in bound["serviceRegistries"]]
        if self.keep_desired_count and live_service is not None:
            bound["desiredCount"] = live_service.get("desiredCount")
        elif self.clamp is not None:
            bound["desiredCount"] = self.clamp(bound.get("desiredCount"))
        return bound

    def _value(self, value: Any) -> Any:
        return self.known.value(ref_name(value)) if is_ref(value) else value


class Traffic:
    """The traffic resources of one app, over one command's AWS clients."""

    def __init__(self, clients: Facade, app: AppDefinition, specs: TrafficSpecs) -> None:
        """*specs*: as render derived them (``RenderedApp.specs``)."""
        self.clients = clients
        self.app = app
        self.elb_spec: ElbSpec | None = specs.elb
        self.discovery_specs = specs.discovery
        self.scaling_spec: ScalingSpec | None = specs.scaling
        self.attachments = specs.attachments
        self.resource_id = resource_id(app.cluster, app.app_id)

    def _named_target_groups(self, known: Known) -> None:
        """ARNs of the load_balancers entries given by name (read-only)."""
        for attachment in self.attachments:
            name = target_group_of(attachment.target_group)
            key = ref_name(attachment.target_group)
            if name is None or key in known:
                continue
            if self.elb_spec is not None and name == self.elb_spec.target_group_name:
                continue
            group = self.clients.elbv2().target_group(name=name)
            if group is None:
                raise HakoError(f"scheduler.load_balancers: target group {name} does not exist")
            known[key] = str(group["TargetGroupArn"])

    def _label(self, known: Known) -> str | ResourceLabel | None:
        """ALBRequestCountPerTarget's resource label: known, or made of refs to the load balancer
        and target group this deploy creates; None when there is none to have."""
        found = self.attachments
        if len(found) != 1:
            return None
        target = found[0].target_group
        tg_arn: str | Ref = known.value(ref_name(target)) if is_ref(target) else target
        lb_arn: str | Ref | None
        if self.elb_spec is not None:
            lb_arn = known.value(f"load-balancer:{self.elb_spec.load_balancer_name}")
        elif isinstance(tg_arn, Ref):
            return None
        else:
            group = self.clients.elbv2().target_group(arn=tg_arn)
            lb_arns = (group or {}).get("LoadBalancerArns") or []
            lb_arn = str(lb_arns[0]) if lb_arns else None
        if lb_arn is None:
            return None
        if isinstance(lb_arn, str) and isinstance(tg_arn, str):
            return resource_label(lb_arn, tg_arn)
        return ResourceLabel(lb_arn, tg_arn)

    def plan(self, live_service: dict[str, Any] | None) -> TrafficPlan:
        """Read the live resources and decide the writes (no write happens here)."""
        known = Known()
        result = TrafficPlan(known)
        if self.elb_spec is not None:
            live = elb.read_live(self.clients.elbv2(), self.elb_spec)
            result.before_service.append(elb.plan(self.elb_spec, live, known, self.app.file))
        self._named_target_groups(known)
        for spec in self.discovery_specs:
            live_discovery = discovery.read_live(self.clients.cloudmap(), spec)
            result.before_service.append(discovery.plan(spec, live_discovery, known, self.app.file))
        if self.scaling_spec is not None:
            spec_scaling = self.scaling_spec
            api = self.clients.scaling()
            label = self._label(known) if any(p.get("predefined_metric_type") == "ALBRequestCountPerTarget"
                                              for p in spec_scaling.policies) else None
            live_scaling = scaling.read_live(api, self.resource_id) if live_service is not None else \
                scaling.ScalingLive(self.resource_id)
            result.after_service.append(scaling.plan(spec_scaling, live_scaling, label, self.app.file))
            result.keep_desired_count = live_service is not None
            result.clamp = spec_scaling.clamp
        return result

    def removal(self) -> tuple[Plan, list[str]]:
        """Deletes of what hako created for this app (run after the ECS service is gone)."""
        plans: list[ResourcePlan] = []
        kept: list[str] = []
        if self.scaling_spec is not None:
            api = self.clients.scaling()
            plans.append(scaling.removal(scaling.read_live(api, self.resource_id)))
        for spec in self.discovery_specs:
            cloudmap = self.clients.cloudmap()
            try:
                live = discovery.read_live(cloudmap, spec)
            except HakoError as exc:  # a missing namespace holds nothing to remove
                kept.append(str(exc))
                continue
            plan, left = discovery.removal(spec, discovery.read_owner(cloudmap, spec, live))
            plans.append(plan)
            kept.extend(left)
        if self.elb_spec is not None:
            elbv2 = self.clients.elbv2()
            live_elb = elb.read_owners(elbv2, self.elb_spec, elb.read_live(elbv2, self.elb_spec))
            plan, left = elb.removal(self.elb_spec, live_elb)
            plans.append(plan)
            kept.extend(left)
        return Plan(tuple(s for p in plans for s in p.steps)), kept
