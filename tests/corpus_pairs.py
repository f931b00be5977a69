"""The corpus of published ECS responses (``tests/corpus``) and the definition paired with each.

A *pair* is one recorded sample plus the hako definition (``tests/corpus/apps/<sample>/``)
that renders the request which produced it. What the endpoint serves for a pair:

* a task definition sample: the recorded task definition, and a **synthetic** service that
  runs it (``hako deploy`` needs a service; none was recorded with these samples);
* a service sample: the recorded service, and a **synthetic** task definition at the ARN the
  service names (none of the recorded services runs a task definition that is in the corpus);
* a tasks sample: the recorded tasks, and a synthetic service they belong to (for ``status``).

Synthetic objects are built from the definition's own rendered request plus only fill-ins
documented in ``docs/ecs-defaults.md`` (cited where each is added). They
are never presented as recorded.

One adjustment is made to recorded objects, forced by hako's conventions and listed per
pair (``Pair.renames``): hako's main container is always named ``app``, so a recorded
container name is read as ``app`` (in the task definition and in the service's load
balancers). Everything else is served as published.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.recorded_aws import ACCOUNT_ID, Recordings, last_segment

CORPUS = Path(__file__).resolve().parent / "corpus"
APPS = CORPUS / "apps"
GROUPS = ("task_definitions", "services", "tasks", "logs")
TERRAFORM_REGION = "us-east-1"  # terraform's fragments name no region; their definitions use this one


def sample_path(name: str) -> Path:
    for group in GROUPS:
        path = CORPUS / group / f"{name}.json"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no corpus sample {name}")


def load_sample(name: str) -> dict[str, Any]:
    """A fresh copy each time: tests adjust what they serve, never the files."""
    loaded: dict[str, Any] = json.loads(sample_path(name).read_text(encoding="utf-8"))
    return loaded


# --- what a sample records ---------------------------------------------------------------------------

def recorded_task_definition(sample: dict[str, Any]) -> dict[str, Any]:
    """The task definition a sample's response embeds, whatever the operation's envelope."""
    response = sample["response"]
    if isinstance(response, list):  # a console export saved as an array of one object
        response = response[0]
    if "taskDefinitions" in response:  # DeleteTaskDefinitions
        return dict(response["taskDefinitions"][0])
    if "taskDefinition" in response:  # Describe/Register/DeregisterTaskDefinition
        return dict(response["taskDefinition"])
    return dict(response)  # console export: the task definition itself


def recorded_tags(sample: dict[str, Any]) -> list[dict[str, str]]:
    """DescribeTaskDefinition's top-level tags, where the envelope was published."""
    response = sample["response"]
    return list(response.get("tags") or []) if isinstance(response, dict) and "taskDefinition" in response else []


def recorded_service(sample: dict[str, Any]) -> dict[str, Any]:
    response = sample["response"]
    return dict(response["service"] if "service" in response else response["services"][0])


def recorded_tasks(sample: dict[str, Any]) -> list[dict[str, Any]]:
    response = sample["response"]
    return list(response["tasks"] if "tasks" in response else [response["task"]])


# --- hako's container naming ---------------------------------------------------------------------

def renamed_containers(containers: list[dict[str, Any]], renames: Mapping[str, str]) -> list[dict[str, Any]]:
    """Container definitions with recorded names read as hako's (also where one names another)."""
    def name(value: str) -> str:
        return renames.get(value, value)

    result = []
    for original in containers:
        container = copy.deepcopy(original)
        container["name"] = name(container["name"])
        if "links" in container:
            container["links"] = [name(link) for link in container["links"]]
        for entry in container.get("volumesFrom") or []:
            entry["sourceContainer"] = name(entry["sourceContainer"])
        for entry in container.get("dependsOn") or []:
            entry["containerName"] = name(entry["containerName"])
        result.append(container)
    return result


def renamed_load_balancers(service: dict[str, Any], renames: Mapping[str, str]) -> dict[str, Any]:
    service = copy.deepcopy(service)
    for entry in service.get("loadBalancers") or []:
        if entry.get("containerName") in renames:
            entry["containerName"] = renames[entry["containerName"]]
    return service


# --- synthetic objects: documented fill-ins only -------------------------------------------------------

def _arn_parts(arn: str) -> tuple[str, str]:
    """(region, account) of an ECS ARN; the tutorial's placeholders pass through as they are."""
    parts = arn.split(":")
    return parts[3], parts[4]


def _revision(arn: str) -> int:
    suffix = last_segment(arn).rsplit(":", 1)[-1]
    return int(suffix) if suffix.isdigit() else 1


def _filled_port(mapping: dict[str, Any], network_mode: str | None) -> dict[str, Any]:
    filled = dict(mapping)
    filled.setdefault("protocol", "tcp")  # docs/ecs-defaults.md §1 portMappings[].protocol (Medium-High)
    if network_mode == "awsvpc":
        filled.setdefault("hostPort", filled["containerPort"])  # §1 portMappings[].hostPort (awsvpc), High
    return filled


def _filled_container(container: dict[str, Any], network_mode: str | None) -> dict[str, Any]:
    filled = dict(container)
    filled.setdefault("essential", True)  # §1 essential, High
    for key in ("environment", "mountPoints", "portMappings", "volumesFrom"):
        filled.setdefault(key, [])  # §1 "empty lists", High
    filled["portMappings"] = [_filled_port(m, network_mode) for m in filled["portMappings"]]
    return filled


def synthetic_task_definition(request: dict[str, Any], arn: str) -> dict[str, Any]:
    """How ECS describes a registration of *request* (RegisterTaskDefinition), served at *arn*.

    Only High-confidence fill-ins of docs/ecs-defaults.md (plus ``protocol: tcp``); container
    ``cpu: 0`` (Medium) is left out. The family is the definition's, even where *arn* (the
    recorded service's reference) names another family.
    """
    network_mode = request.get("networkMode")
    task_definition = {k: v for k, v in request.items() if k != "tags"}  # tags come beside it (§2 tags)
    task_definition["containerDefinitions"] = [
        _filled_container(c, network_mode) for c in request["containerDefinitions"]
    ]
    task_definition.setdefault("volumes", [])  # §2 volumes, High
    task_definition.setdefault("placementConstraints", [])  # §2 placementConstraints, High
    fargate = "FARGATE" in (request.get("requiresCompatibilities") or [])
    task_definition.update(
        taskDefinitionArn=arn,  # §2 response-only members
        revision=_revision(arn),
        status="ACTIVE",
        compatibilities=["EC2", "FARGATE"] if fargate else ["EXTERNAL", "EC2"],  # §2 compatibilities (values seen)
    )
    return task_definition


def wrapped_fragment(containers: list[dict[str, Any]], family: str, region: str) -> dict[str, Any]:
    """A task definition around terraform's recorded ``containerDefinitions`` (kept verbatim).

    The task level is what a request of only ``family`` + ``containerDefinitions`` gets back:
    no networkMode (§2 networkMode: not filled), ``volumes: []`` and ``placementConstraints:
    []`` (§2, High), the response-only members, compatibilities as the sleep360 sample shows.
    """
    return {
        "taskDefinitionArn": f"arn:aws:ecs:{region}:{ACCOUNT_ID}:task-definition/{family}:1",
        "containerDefinitions": containers,
        "family": family,
        "revision": 1,
        "volumes": [],
        "status": "ACTIVE",
        "placementConstraints": [],
        "compatibilities": ["EXTERNAL", "EC2"],
    }


def _network(request: dict[str, Any]) -> dict[str, Any] | None:
    network = copy.deepcopy(request.get("networkConfiguration"))
    if network and "awsvpcConfiguration" in network:
        network["awsvpcConfiguration"].setdefault("assignPublicIp", "DISABLED")  # §3 assignPublicIp, High
    return network


def synthetic_service(request: dict[str, Any], task_definition_arn: str) -> dict[str, Any]:
    """How ECS describes a service made by *request* (CreateService), running *task_definition_arn*.

    The request echoed, plus the fill-ins the AWS CLI's create-service Example 2 output shows
    (docs/ecs-defaults.md §3, all High). Newer fill-ins (circuit breaker, strategy, ...) are left
    out on purpose: recorded services test those; a synthetic service only carries a
    recorded task definition or recorded tasks.
    """
    region, account = _arn_parts(task_definition_arn)
    cluster, name = str(request["cluster"]), str(request["serviceName"])
    desired = int(request.get("desiredCount") or 0)
    service = {k: v for k, v in request.items() if k not in ("cluster", "tags", "role")}
    service.update(
        serviceArn=f"arn:aws:ecs:{region}:{account}:service/{cluster}/{name}",
        clusterArn=f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
        taskDefinition=task_definition_arn,
        status="ACTIVE",
        runningCount=desired,
        pendingCount=0,
        deploymentConfiguration={"maximumPercent": 200, "minimumHealthyPercent": 100,  # §3, REPLICA
                                 **request.get("deploymentConfiguration", {})},
        deployments=[{"id": "ecs-svc/synthetic", "status": "PRIMARY", "taskDefinition": task_definition_arn,
                      "desiredCount": desired, "runningCount": desired, "pendingCount": 0}],
        events=[],
    )
    network = _network(request)
    if network:
        service["networkConfiguration"] = network
    if not request.get("launchType") and not request.get("capacityProviderStrategy"):
        service["launchType"] = "EC2"  # §3 launchType (no cluster default strategy)
    if service.get("launchType") == "FARGATE":
        service.setdefault("platformVersion", "LATEST")  # §3 platformVersion
    for key, default in (("schedulingStrategy", "REPLICA"), ("propagateTags", "NONE"), ("enableECSManagedTags", False),
                         ("placementConstraints", []), ("placementStrategy", []), ("loadBalancers", []),
                         ("serviceRegistries", [])):
        service.setdefault(key, default)  # §3, each High
    return service


# --- pairs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """A real change to a definition; ``expect`` must show on an added line of the diff."""

    name: str
    expect: str
    tag: str | None = None
    override: str | None = None


IMAGE_TAG = Change("image-tag", expect="corpus-change", tag="corpus-change")
ENV_VAR = Change("env-var", expect='"CORPUS_CHANGE"', override="{ app+: { env+: { CORPUS_CHANGE: 'added' } } }")
DESIRED_COUNT = Change("desired-count", expect='"desiredCount": 7', override="{ scheduler+: { desired_count: 7 } }")


@dataclass(frozen=True)
class Pair:
    """A recorded sample and its definition (``apps/<sample>/<family>.jsonnet``).

    ``renames``: recorded container name -> hako's. ``task_definition_request`` /
    ``service_request``: the published request as JSON (``None`` where none was published);
    for the AWS CLI examples that only print a command, the command's request written out.
    ``request_overrides``: where the definition departs from the published request, and why
    (in a comment at the pair). ``tasks_sample``: recorded tasks of the same service.
    """

    sample: str
    family: str
    renames: Mapping[str, str] = field(default_factory=dict)
    changes: tuple[Change, ...] = (IMAGE_TAG,)
    task_definition_request: dict[str, Any] | None = None
    service_request: dict[str, Any] | None = None
    request_overrides: Mapping[str, Any] = field(default_factory=dict)
    tasks_sample: str | None = None

    @property
    def definition(self) -> Path:
        return APPS / self.sample / f"{self.family}.jsonnet"

    @property
    def group(self) -> str:
        return sample_path(self.sample).parent.name

    def recordings(self, rendered_task_definition: dict[str, Any],
                   rendered_service: dict[str, Any] | None) -> Recordings:
        """What the endpoint serves for this pair (see the module docstring)."""
        sample = load_sample(self.sample)
        recordings = Recordings()
        if self.group == "task_definitions":
            task_definition = self.served_task_definition(sample)
            recordings.add_task_definition(task_definition, recorded_tags(sample))
            assert rendered_service is not None, "the definitions of task definition samples define a service"
            recordings.add_service(synthetic_service(rendered_service, task_definition["taskDefinitionArn"]))
        elif self.group == "services":
            service = renamed_load_balancers(recorded_service(sample), self.renames)
            recordings.add_service(service)
            recordings.add_task_definition(synthetic_task_definition(rendered_task_definition, self.reference(service)),
                                           list(rendered_task_definition.get("tags") or []))
        else:
            assert rendered_service is not None, "the definitions of task samples define a service"
            arn = str(recorded_tasks(sample)[0]["taskDefinitionArn"])
            recordings.add_service(synthetic_service(rendered_service, arn))
        tasks_sample = self.tasks_sample or (self.sample if self.group == "tasks" else None)
        for task in recorded_tasks(load_sample(tasks_sample)) if tasks_sample else []:
            recordings.add_task(task)
        return recordings

    def reference(self, service: dict[str, Any]) -> str:
        """The task definition a recorded service runs; for an EXTERNAL one (none), the family's first."""
        if service.get("taskDefinition"):
            return str(service["taskDefinition"])
        region, account = _arn_parts(str(service["serviceArn"]))
        return f"arn:aws:ecs:{region}:{account}:task-definition/{self.family}:1"

    def served_task_definition(self, sample: dict[str, Any]) -> dict[str, Any]:
        """The recorded task definition, its containers read with hako's names."""
        if isinstance(sample["request"], list):  # terraform's containerDefinitions fragment
            containers = renamed_containers(sample["response"], self.renames)
            return wrapped_fragment(containers, self.family, TERRAFORM_REGION)
        task_definition = recorded_task_definition(sample)
        task_definition["containerDefinitions"] = renamed_containers(task_definition["containerDefinitions"],
                                                                     self.renames)
        return task_definition


def _published(name: str, *path: str) -> dict[str, Any]:
    """A request printed with a sample (``request.cli_input_json``, botocore's input, ...)."""
    value: Any = load_sample(name)
    for key in path:
        value = value[key]
    return {"containerDefinitions": value} if isinstance(value, list) else dict(value)


PAIRS: tuple[Pair, ...] = (
    # task definitions
    Pair("awscli-register-task-definition-sleep360", "sleep360", {"sleep": "app"}, (IMAGE_TAG, ENV_VAR),
         task_definition_request=_published("awscli-register-task-definition-sleep360", "request", "cli_input_json")),
    Pair("botocore-register-task-definition-sleep360", "sleep360", {"sleep": "app"}, (IMAGE_TAG, ENV_VAR),
         task_definition_request=_published("botocore-register-task-definition-sleep360", "request")),
    Pair("awscli-deregister-task-definition-curler-inactive", "curler", {"curler": "app"}, (IMAGE_TAG, ENV_VAR)),
    Pair("awscli-delete-task-definitions-curltest-delete-in-progress", "curltest", {"ctest": "app"},
         (IMAGE_TAG, ENV_VAR)),
    Pair("awscli-describe-task-definition-hello-world", "hello_world", {"wordpress": "app"}, (IMAGE_TAG, ENV_VAR)),
    Pair("repo-taskdef-fargate-efs-console-export", "flowise-ld-TaskDefinitionFlowise-AnWVUMNBJ1nU",
         {"flowise-service": "app"}, (IMAGE_TAG, ENV_VAR)),
    Pair("repo-taskdef-fargate-enable-fault-injection-2024", "split-go-pdf0", {}, (IMAGE_TAG, ENV_VAR)),
    Pair("repo-taskdef-fargate-enable-fault-injection-2026", "Nebula-Worker-Task", {"nebula-container": "app"},
         (IMAGE_TAG, ENV_VAR)),
    Pair("tf-apirep-port-mapping-host-port-0", "wordpress", {"wordpress": "app"}, (IMAGE_TAG, ENV_VAR),
         task_definition_request=_published("tf-apirep-port-mapping-host-port-0", "request")),
    Pair("tf-apirep-health-check-defaults", "nginx", {"nginx": "app"}, (IMAGE_TAG, ENV_VAR),
         task_definition_request=_published("tf-apirep-health-check-defaults", "request")),
    # services
    Pair("awscli-create-service-fargate", "MyService", changes=(IMAGE_TAG, DESIRED_COUNT), service_request={
        "cluster": "MyCluster", "serviceName": "MyService", "taskDefinition": "sample-fargate:1", "desiredCount": 2,
        "launchType": "FARGATE", "platformVersion": "LATEST",
        "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-12344321"],
                                                         "securityGroups": ["sg-12344321"],
                                                         "assignPublicIp": "ENABLED"}},
        "tags": [{"key": "key1", "value": "value1"}, {"key": "key2", "value": "value2"},
                 {"key": "key3", "value": "value3"}]}),
    Pair("awscli-create-service-ec2-default-launch-type", "ecs-simple-service", changes=(IMAGE_TAG, DESIRED_COUNT),
         service_request={"cluster": "MyCluster", "serviceName": "ecs-simple-service",
                          "taskDefinition": "sleep360:2", "desiredCount": 1}),
    Pair("awscli-create-service-external-deployment-controller", "MyService", changes=(IMAGE_TAG, DESIRED_COUNT),
         service_request={"cluster": "MyCluster", "serviceName": "MyService",
                          "deploymentController": {"type": "EXTERNAL"}, "desiredCount": 1}),
    Pair("awscli-describe-services-my-http-service-legacy", "my-http-service", changes=(IMAGE_TAG, DESIRED_COUNT)),
    Pair("awscli-update-service-new-task-definition-fargate", "my-http-service", changes=(IMAGE_TAG, DESIRED_COUNT)),
    Pair("awscli-update-service-desired-count-capacity-provider", "my-http-service",
         changes=(IMAGE_TAG, DESIRED_COUNT)),
    Pair("awscli-update-service-remove-ebs-volume", "my-http-service", changes=(IMAGE_TAG, DESIRED_COUNT)),
    Pair("botocore-describe-services-placement-failure", "ecs-simple-service", changes=(IMAGE_TAG, DESIRED_COUNT)),
    Pair("devguide-describe-services-fargate-tutorial", "fargate-service", {"fargate-app": "app"},
         (IMAGE_TAG, DESIRED_COUNT),
         task_definition_request=_published("devguide-describe-services-fargate-tutorial", "request",
                                            "related_register_task_definition_input"),
         service_request={"cluster": "fargate-cluster", "serviceName": "fargate-service",
                          "taskDefinition": "sample-fargate:1", "desiredCount": 1, "launchType": "FARGATE",
                          "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-abcd1234"],
                                                                           "securityGroups": ["sg-abcd1234"]}}},
         # the published output says desiredCount 2 though the tutorial's command says 1 (INDEX.md §3)
         request_overrides={"desiredCount": 2}),
    Pair("repo-describe-services-daemon-ec2", "avc-frontend-service", changes=(IMAGE_TAG, ENV_VAR),
         tasks_sample="repo-describe-tasks-ec2-daemon-task"),
    Pair("repo-update-service-2026-rolling-strategy-alb", "ui", {"application": "app"}, (IMAGE_TAG, DESIRED_COUNT)),
)
DEFINITION_PAIRS = tuple(p for p in PAIRS if p.group in ("task_definitions", "services"))
TASK_PAIRS = (
    Pair("awscli-describe-tasks-ec2-running", "testupdate", changes=()),
    Pair("awscli-describe-tasks-fargate-two-tasks", "tdsevicetag", changes=()),
)


def pair(sample: str) -> Pair:
    return next(p for p in (*PAIRS, *TASK_PAIRS) if p.sample == sample)
