"""ECS's server-side defaults and checks, run inside moto's ECS request handling (moto 5.2.x).

moto answers an ECS request in one method of its response class: the method reads the
request's parameters, calls the backend and returns the objects moto then serializes. Each
hook here wraps one such method. Before it, the request is completed as ECS completes it
(:mod:`hako_py.sandbox.ecs_defaults`), a bare family is resolved to its latest ACTIVE
revision, or the request is refused as ECS refuses it. After it, what moto's parser drops
(such as ``enableFaultInjection``) is stored on moto's objects before they are serialized, so
both this answer and every later Describe carry it. With :mod:`hako_py.sandbox.moto_glue`,
the only module that reaches into moto's internals.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

from botocore import xform_name

from hako_py.sandbox import ecs_defaults
from hako_py.sandbox import moto_glue as glue

INACTIVE = "TaskDefinition is inactive"
EXTERNAL = "EXTERNAL"
CREATE_SERVICE_TAGS = "CreateServiceResponse.service.tags"
# CreateService members moto's create_service drops, stored as UpdateService would store them.
SERVICE_MEMBERS = ("deploymentConfiguration", "healthCheckGracePeriodSeconds", "enableExecuteCommand",
                   "placementStrategy", "placementConstraints", "capacityProviderStrategy", "enableECSManagedTags",
                   "propagateTags", "availabilityZoneRebalancing", "platformFamily")
_MEMORY_KEYS = ("memory", "memoryReservation", "Memory", "MemoryReservation")


class Call:
    """One ECS request inside moto: its parameters (replaceable before :meth:`proceed`) and backend."""

    def __init__(self, handler: Any, original: Callable[[Any], Any]) -> None:
        self.handler = handler
        self._original = original

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = self.handler.params
        return params

    def replace(self, params: dict[str, Any]) -> None:
        self.handler.params = params

    @property
    def backend(self) -> Any:
        return self.handler.ecs_backend

    def proceed(self) -> Any:
        """moto's own handling of the (possibly changed) request: an ActionResult whose
        ``result`` holds the objects moto is about to serialize."""
        return self._original(self.handler)


def install() -> None:
    """Wrap moto's ECS handlers (once per process; every sandbox in it wants ECS's answers)."""
    from moto.ecs.models import EC2ContainerServiceBackend
    from moto.ecs.responses import EC2ContainerServiceResponse

    if getattr(EC2ContainerServiceResponse, "_hako_hooks", False):
        return
    for name, hook in HOOKS.items():
        original = getattr(EC2ContainerServiceResponse, name)
        setattr(EC2ContainerServiceResponse, name, _wrapped(hook, original))
    requirements = EC2ContainerServiceBackend._calculate_task_resource_requirements
    setattr(EC2ContainerServiceBackend, "_calculate_task_resource_requirements",  # noqa: B010
            staticmethod(_requirements(requirements)))
    glue.allow_network_interfaces_without_dns_names()
    setattr(EC2ContainerServiceResponse, "_hako_hooks", True)  # noqa: B010


def _wrapped(hook: Callable[[Call], Any], original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def method(handler: Any) -> Any:
        return hook(Call(handler, original))

    return method


# task definitions ------------------------------------------------------------------------------
def _not_found() -> Exception:
    from moto.ecs.exceptions import TaskDefinitionNotFoundException

    return TaskDefinitionNotFoundException()


def _resolve(backend: Any, reference: str) -> str:
    """A bare family names its latest ACTIVE revision (API DescribeTaskDefinitionRequest.taskDefinition,
    CreateServiceRequest.taskDefinition, operation UpdateService); moto takes its latest revision,
    even an INACTIVE one. A family without an ACTIVE revision is not found."""
    name = reference.rsplit("/", 1)[-1]
    if ":" in name:
        return reference
    revisions = backend.task_definitions.get(name) or {}
    active = [number for number, definition in revisions.items() if definition.status == "ACTIVE"]
    if not active:
        raise _not_found()
    return str(revisions[max(active)].arn)


def _active_definition(call: Call, refusal: Callable[[str], Exception]) -> Any:
    """The ACTIVE task definition the request names (its ARN put into the request), or *refusal*.
    Operation DeregisterTaskDefinition: "you can't use an INACTIVE task definition to run new tasks
    or create new services, and you can't update an existing service to reference an INACTIVE task
    definition"; operation DeleteTaskDefinitions: DELETE_IN_PROGRESS likewise."""
    reference = call.params.get("taskDefinition")
    if not isinstance(reference, str) or not reference:
        return None
    definition = call.backend.describe_task_definition(_resolve(call.backend, reference))
    if definition.status != "ACTIVE":
        raise refusal(INACTIVE)
    call.params["taskDefinition"] = definition.arn
    return definition


def _client_error(message: str) -> Exception:
    from moto.ecs.exceptions import EcsClientException

    return EcsClientException(message)


def _invalid_parameter(message: str) -> Exception:
    from moto.ecs.exceptions import InvalidParameterException

    return InvalidParameterException(message)


def register_task_definition(call: Call) -> Any:
    sent = call.params
    completed = ecs_defaults.task_definition(sent)
    call.replace(completed)
    result = call.proceed()
    definition = result.result["taskDefinition"]
    definition.enable_fault_injection = bool(completed["enableFaultInjection"])
    definition.registered_at = glue.utcnow()  # CLI describe-task-definition.rst: registeredAt
    if "networkMode" in sent:
        # REAL repo-register-task-definition-ecs-anywhere-bridge: an EXTERNAL definition stays "bridge"; moto
        # answers awsvpc for every definition that requires anything but EC2.
        definition.network_mode = sent["networkMode"]
    elif "FARGATE" not in (sent.get("requiresCompatibilities") or []):
        # CLI register-task-definition.rst, describe-task-definition.rst: no networkMode key when none was
        # sent (API: "If no network mode is specified, the default is bridge"); moto answers "bridge".
        definition.network_mode = None
    definition.compatibilities = ecs_defaults.compatibilities({**completed, "networkMode": definition.network_mode})
    return result


def describe_task_definition(call: Call) -> Any:
    reference = call.params.get("taskDefinition")
    if isinstance(reference, str) and reference:
        call.params["taskDefinition"] = _resolve(call.backend, reference)
    return call.proceed()


def deregister_task_definition(call: Call) -> Any:
    result = call.proceed()
    # API TaskDefinition.deregisteredAt; REAL awscli-delete-task-definitions-curltest-delete-in-progress.
    result.result["taskDefinition"].deregistered_at = glue.utcnow()
    return result


def _network_with_groups(call: Call, network: Any) -> Any:
    """*network* with the VPC's default security group where it names none (see moto_glue)."""
    if not isinstance(network, dict):
        return network
    return glue.with_security_groups(network, call.backend.region_name, call.backend.account_id)


def _check_subnets(call: Call, network: Any) -> None:
    """RunTask naming a subnet EC2 does not have (moto failed making the task's network interface, with an
    EC2 error ECS never answers). REAL (research code-index 69703269087, 25854792116): "InvalidParameter
    Exception: Error retrieving subnet information for [subnet-0d6..., subnet-058...]: The subnet ID
    'subnet-058...' does not exist (ErrorCode: InvalidSubnetID.NotFound)"."""
    awsvpc = network.get("awsvpcConfiguration") if isinstance(network, dict) else None
    subnets = [str(s) for s in (awsvpc or {}).get("subnets") or []]
    missing = glue.missing_subnet(call.backend.region_name, call.backend.account_id, subnets)
    if missing is not None:
        raise _invalid_parameter(f"Error retrieving subnet information for [{', '.join(subnets)}]: The subnet ID "
                                 f"'{missing}' does not exist (ErrorCode: InvalidSubnetID.NotFound)")


def run_task(call: Call) -> Any:
    # ISSUE DefangLabs/defang PR #775: RunTask of an INACTIVE revision: InvalidParameterException.
    _active_definition(call, _invalid_parameter)
    if "networkConfiguration" in call.params:
        _check_subnets(call, call.params["networkConfiguration"])
        call.params["networkConfiguration"] = _network_with_groups(call, call.params["networkConfiguration"])
    try:
        result = call.proceed()
    except Exception as exc:
        # moto raises a bare Exception (HTTP 500) for a task placed on EC2 in a cluster without
        # container instances; ECS answers HTTP 400 InvalidParameterException "No Container
        # Instances were found in your cluster." (CloudTrail record in ISSUE linz/geostore#1687,
        # "Status Code: 400" in ISSUE jenkinsci/amazon-ecs-plugin#217, aws/amazon-ecs-cli#1122).
        if type(exc) is Exception and str(exc).startswith("No instances found in cluster"):
            raise _invalid_parameter("No Container Instances were found in your cluster.") from None
        raise
    for task in result.result.get("tasks") or []:
        glue.drop_empty_attachment_details(task)
    return result


def _requirements(original: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """moto adds up container memory and fails (HTTP 500) on a container with neither memory nor
    memoryReservation; API ContainerDefinition.memory: "If using the Fargate launch type, this
    parameter is optional" (the task-level memory is what the task reserves)."""

    def calculate(task_definition: Any) -> dict[str, Any]:
        containers = task_definition.container_definitions
        if all(any(key in c for key in _MEMORY_KEYS) for c in containers):
            return original(task_definition)
        reserved = [c if any(key in c for key in _MEMORY_KEYS) else {**c, "memoryReservation": 0} for c in containers]
        needs = original(types.SimpleNamespace(container_definitions=reserved))
        task_memory = str(task_definition.memory or "")
        if task_memory.isdigit():
            needs["MEMORY"] = max(int(needs["MEMORY"]), int(task_memory))
        return needs

    return calculate


# services --------------------------------------------------------------------------------------
def _cluster(call: Call) -> Any:
    name = str(call.params.get("cluster") or "default").rsplit("/", 1)[-1]
    return call.backend.clusters.get(name)


def _store(service: Any, members: dict[str, Any]) -> None:
    for key, value in members.items():
        setattr(service, xform_name(key), value)


def _deployment_settings(service: Any, deployment_only: dict[str, Any]) -> dict[str, Any]:
    """The service's current settings a deployment shows (see ecs_defaults.deployment)."""
    return {
        "launchType": service.launch_type,
        "capacityProviderStrategy": getattr(service, "capacity_provider_strategy", None),
        "networkConfiguration": getattr(service, "network_configuration", None),
        "platformVersion": service.platform_version,
        "platformFamily": getattr(service, "platform_family", None),
        **deployment_only,
    }


def _deployment_only(request: dict[str, Any], cluster: Any, previous: dict[str, Any]) -> dict[str, Any]:
    """The request's Service Connect, EBS volume and VPC Lattice settings (else the previous
    deployment's), which ECS shows on deployments, not on the service."""
    settings = {key: request[key] if key in request else previous.get(key) for key in ecs_defaults.DEPLOYMENT_ONLY}
    connect = settings.get("serviceConnectConfiguration")
    if isinstance(connect, dict):
        namespace = (getattr(cluster, "service_connect_defaults", None) or {}).get("namespace")
        settings["serviceConnectConfiguration"] = ecs_defaults.service_connect(connect, namespace)
    return settings


def create_service(call: Call) -> Any:
    # Operation DeregisterTaskDefinition: no new services of an INACTIVE revision (the error's code
    # and wording are UpdateService's; CreateService's own are not published).
    definition = _active_definition(call, _client_error)
    cluster = _cluster(call)
    system = ((getattr(definition, "runtime_platform", None) or {}).get("operatingSystemFamily")
              if definition is not None else None)
    completed = ecs_defaults.service(call.params, operating_system=system,
                                     cluster_strategy=getattr(cluster, "default_capacity_provider_strategy", None))
    # API CreateServiceRequest.launchType: EXTERNAL runs tasks on capacity registered to the cluster (ECS
    # Anywhere); moto knows only EC2 and FARGATE, so it stores an EC2 service the answer then corrects.
    sent_to_moto = dict(completed)
    if completed.get("launchType") == EXTERNAL:
        sent_to_moto["launchType"] = "EC2"
    if "networkConfiguration" in completed:  # moto checks the security groups it reads (see moto_glue)
        sent_to_moto["networkConfiguration"] = _network_with_groups(call, completed["networkConfiguration"])
    call.replace(sent_to_moto)
    # CLI create-service.rst: Example 1 (tags sent) answers with them, Example 2 (none) has no tags key; moto
    # answers tags [] (its transformers are per operation and live on the class: set them on every call).
    if completed.get("tags"):
        call.handler._include_in_response(CREATE_SERVICE_TAGS)
    else:
        call.handler._exclude_from_response(CREATE_SERVICE_TAGS)
    result = call.proceed()
    service = result.result["service"]
    _store(service, {key: completed[key] for key in SERVICE_MEMBERS if key in completed})
    # CLI create-service.rst Example 2: no key without a network configuration (moto answers {}). One without
    # security groups stays without: aws/containers-roadmap issue #1765 (a service "created, but without any
    # security group" where the VPC has no default one); the task's interface gets the VPC's default group.
    service.network_configuration = completed.get("networkConfiguration") or None
    if completed.get("capacityProviderStrategy"):
        # API Service.launchType / Service.capacityProviderStrategy: a service has one or the other;
        # moto makes every service without a launch type an EC2 one.
        service.launch_type = None
    elif completed.get("launchType") == EXTERNAL:
        service.launch_type = EXTERNAL  # REAL repo-update-service-ecs-anywhere-external
    if completed["schedulingStrategy"] == "DAEMON":
        service.desired_count = glue.daemon_desired_count(service)
    if completed["deploymentController"].get("type") == "ECS":
        # No ECS-controller service in the corpus has taskSets (CLI create-service.rst Example 3 shows
        # taskSets [] for the EXTERNAL controller); moto lists []. moto's serializer looks for an attribute
        # named like the member's shape (TaskSets) before task_sets, which moto's own code keeps using.
        service.TaskSets = None
    deployment_only = _deployment_only(completed, cluster, {})
    fields = ecs_defaults.deployment(_deployment_settings(service, deployment_only))
    glue.set_deployment_fields(service, fields)
    for deployment in service.deployments:  # moto's first deployment, made before these settings
        for key in ("launchType", "platformVersion", "platformFamily", "networkConfiguration"):
            deployment.pop(key, None)
        deployment.update(fields, desiredCount=service.desired_count)
    return result


def _existing_service(call: Call) -> Any:
    try:
        return call.backend._get_service(str(call.params.get("cluster") or "default"),
                                         str(call.params.get("service", "")).rsplit("/", 1)[-1])
    except Exception:  # moto answers it (ServiceNotFoundException, ClusterNotFoundException)
        return None


def update_service(call: Call) -> Any:
    # API operation DeregisterTaskDefinition; REAL operator log (research: code-index 66045849313):
    # "ClientException: TaskDefinition is inactive".
    _active_definition(call, _client_error)
    existing = _existing_service(call)
    if existing is None:
        return call.proceed()
    completed = ecs_defaults.service_update(call.params, scheduling=existing.scheduling_strategy,
                                            controller=existing.deployment_controller.get("type", "ECS"))
    # moto would set every member as an attribute; these are the deployments' (ecs_defaults.DEPLOYMENT_ONLY).
    call.replace({key: value for key, value in completed.items() if key not in ecs_defaults.DEPLOYMENT_ONLY})
    result = call.proceed()
    service = result.result["service"]
    if completed.get("capacityProviderStrategy"):
        service.launch_type = None  # API Service.launchType: not with a capacity provider strategy
        if ecs_defaults.runs_on_fargate({"capacityProviderStrategy": completed["capacityProviderStrategy"]}):
            service.platform_version = service.platform_version or "LATEST"
    deployment_only = _deployment_only(completed, _cluster(call), glue.deployment_fields(service))
    glue.set_deployment_fields(service, ecs_defaults.deployment(_deployment_settings(service, deployment_only)))
    return result


def list_services(call: Call) -> Any:
    """Only the ACTIVE services of exactly the cluster named. botocore's ECS model, operation
    DeleteService: a deleted service moves to DRAINING, then INACTIVE, and "is no longer visible
    in the console or in the ListServices API operation" (DescribeServices still shows it);
    moto lists INACTIVE ones too, and matches the cluster as a substring (``prod`` listed the
    services of ``preprod``)."""
    result = call.proceed()
    name = str(call.params.get("cluster") or "default").rsplit("/", 1)[-1]
    listed = {str(service.arn) for key, service in call.backend.services.items()
              if key.split(":", 1)[0] == name and service.status == "ACTIVE"}
    result.result["serviceArns"] = [arn for arn in result.result["serviceArns"] if arn in listed]
    return result


HOOKS: dict[str, Callable[[Call], Any]] = {
    "register_task_definition": register_task_definition,
    "describe_task_definition": describe_task_definition,
    "deregister_task_definition": deregister_task_definition,
    "run_task": run_task,
    "create_service": create_service,
    "update_service": update_service,
    "list_services": list_services,
}
