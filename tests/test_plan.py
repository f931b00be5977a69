"""Plans as data (hako_py/plan): refs resolved by name, one executor, a dry run that shows
what runs. The executor talks to the sandbox over HTTP, like every command."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hako_py.aws import AwsClients, AwsOptions
from hako_py.plan import display
from hako_py.plan.data import plan_data
from hako_py.plan.executor import Executor
from hako_py.plan.instructions import (
    AwaitCloudMapOperation,
    Call,
    FollowRollout,
    Hook,
    Operation,
    Output,
    Plan,
    PointAlarm,
    Say,
    plan_of,
)
from hako_py.plan.values import MissingRef, Ref, ResourceLabel, Short, resolve, shown
from hako_py.sandbox.credentials import SANDBOX_CREDENTIALS
from tests.conftest import SandboxControl, unique
from tests.test_traffic import REGION, client, vpc_id


def clients() -> AwsClients:
    return AwsClients(AwsOptions(region=REGION, loopback_credentials=SANDBOX_CREDENTIALS))


def test_only_refs_are_resolved_never_strings_that_look_like_one() -> None:
    outputs = {"target-group:web": "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1"}
    value = {"ref": Ref("target-group:web"), "text": "{{target-group:web}}", "name": "target-group:web"}
    assert resolve(value, outputs) == {"ref": outputs["target-group:web"], "text": "{{target-group:web}}",
                                       "name": "target-group:web"}
    label = ResourceLabel("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/lb/9", Ref("target-group:web"))
    assert resolve(label, outputs) == "app/lb/9/targetgroup/web/1"
    assert shown([Ref("target-group:x", shown="{{target-group:x}}"), label]) == ["{{target-group:x}}",
                                                                                "{{resource-label}}"]


def test_a_ref_no_earlier_step_produces_is_an_error_naming_it_before_any_write(aws: SandboxControl) -> None:
    plan = plan_of(Call(Operation.DELETE_RULE, {"RuleArn": "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/x"},
                        "DeleteRule x"),
                   Call(Operation.MODIFY_TARGET_GROUP, {"TargetGroupArn": Ref("target-group:nowhere"),
                                                        "HealthCheckPath": "/up"}, "ModifyTargetGroup nowhere"))
    aws.reset()
    with pytest.raises(MissingRef, match=r"target-group:nowhere: no step before ModifyTargetGroup nowhere"):
        Executor(clients(), lambda line: None).run(plan)
    assert aws.requests()["writes"] == 0


def test_the_executor_passes_outputs_on_and_says_the_lines_the_dry_run_shows(aws: SandboxControl) -> None:
    name = unique("tg-")
    arn = Ref(f"target-group:{name}")
    plan = Plan((
        Call(Operation.CREATE_TARGET_GROUP, {"Name": name, "Protocol": "HTTP", "Port": 80, "VpcId": vpc_id(),
                                             "TargetType": "ip"}, f"CreateTargetGroup {name}",
             outputs=(Output(arn.name, ("TargetGroups", 0, "TargetGroupArn")),)),
        Call(Operation.MODIFY_TARGET_GROUP, {"TargetGroupArn": arn, "HealthCheckPath": "/up"},
             f"ModifyTargetGroup {name}: HealthCheckPath"),
    ))
    shown_lines: list[str] = []
    assert display.show(plan, shown_lines.append, header="would send") == plan.writes
    aws.reset()
    said: list[str] = []
    sent: list[str] = []
    outputs = Executor(clients(), said.append, sent=sent.append).run(plan)
    assert shown_lines == ["would send", *(f"  {line}" for line in said)]
    assert sent == said == plan.writes
    group = client("elbv2").describe_target_groups(Names=[name])["TargetGroups"][0]
    assert outputs[arn.name] == group["TargetGroupArn"] and group["HealthCheckPath"] == "/up"
    writes = {k: v for k, v in aws.requests()["byOperation"].items() if "Describe" not in k}
    assert writes == {"elasticloadbalancing.CreateTargetGroup": 1, "elasticloadbalancing.ModifyTargetGroup": 1}


def test_a_schedule_plan_refers_to_the_revision_it_registers_and_derives_the_cluster_arn_from_it() -> None:
    from hako_py.plan.instructions import RegisterTaskDefinition, check_refs
    from hako_py.schedules.planner import plan_schedules
    from hako_py.schedules.reader import SchedulesLive
    from hako_py.specs.schedules import cluster_ref, task_definition_ref

    request: dict[str, Any] = {"Name": "job.nightly", "GroupName": "hako-batch", "ScheduleExpression": "rate(1 day)",
               "FlexibleTimeWindow": {"Mode": "OFF"},
               "Target": {"Arn": cluster_ref("batch"), "RoleArn": "arn:aws:iam::1:role/r",
                          "EcsParameters": {"TaskDefinitionArn": task_definition_ref("job-oneshot"), "TaskCount": 1}}}
    task_definition = {"family": "job-oneshot", "containerDefinitions": [{"name": "app", "image": "busybox"}]}
    planned = plan_schedules("job", "apps/job.jsonnet", "job-oneshot", "batch", task_definition,
                             {"nightly": request}, SchedulesLive())
    register, group, create = planned.instructions
    assert isinstance(register, RegisterTaskDefinition) and isinstance(group, Call) and isinstance(create, Call)
    assert planned.steps == ["RegisterTaskDefinition family=job-oneshot", "CreateScheduleGroup hako-batch",
                             "CreateSchedule hako-batch/job.nightly (rate(1 day))"]
    check_refs(planned.instructions)  # the registration comes first and produces the revision
    # shown (diffs, dry runs) as render shows it; sent with the ARNs the registration makes known
    assert shown(create.parameters)["Target"]["Arn"] == "{{cluster:batch}}"
    assert "{{task-definition:job-oneshot}}" in planned.diff
    arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/job-oneshot:4"
    sent = resolve(dict(create.parameters), {register.output: arn})
    assert sent["Target"]["Arn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/batch"
    assert sent["Target"]["EcsParameters"]["TaskDefinitionArn"] == arn
    # the rendered request is left as render made it
    assert sent["Name"] == "job.nightly" and request["Target"]["Arn"] == "{{cluster:batch}}"


def test_plan_data_names_refs_and_masks_secrets_as_the_text_output_does() -> None:
    revision = Ref("new-revision", "<new revision>")
    task_definition = {"containerDefinitions": [{"name": "app", "environment": [
        {"name": "API_TOKEN", "value": "s3cr3t-value-123"}, {"name": "MODE", "value": "one"}]}]}
    data = plan_data(plan_of(
        Hook("deploy_finished", (task_definition, revision)),
        Say(("registered ", Short(revision))),
        FollowRollout("production", "web", revision, "rollout", timeout=30.0),
        AwaitCloudMapOperation(Ref("operation")),
        PointAlarm("high-cpu", Ref("policy")),
        Call(Operation.PUT_SCALING_POLICY, {"ResourceLabel": ResourceLabel("arn:lb", Ref("tg"))}, "PutScalingPolicy"),
    ))
    assert "s3cr3t" not in json.dumps(data)
    hook, say, follow, wait, alarm, call = data
    assert hook["arguments"][0]["containerDefinitions"][0]["environment"][0]["value"] == "<masked>"
    assert hook["arguments"][1] == {"ref": "new-revision", "shown": "<new revision>"}
    assert say == {"kind": "say", "message": "registered <new revision>"}
    assert follow["target"] == {"ref": "new-revision", "shown": "<new revision>"} and follow["timeoutSeconds"] == 30.0
    assert wait["operationId"]["ref"] == "operation" and alarm["policyArn"]["ref"] == "policy"
    label = call["parameters"]["ResourceLabel"]["resourceLabel"]
    assert label == {"loadBalancerArn": "arn:lb", "targetGroupArn": {"ref": "tg", "shown": "{{tg}}"}}
    assert (call["service"], call["operation"]) == ("application-autoscaling", "PutScalingPolicy")
