"""ECS: one method per operation hako uses, returning plain dicts (the documents deploy
compares and reports); every error becomes an AwsError. The boto3 client is typed by the
types-boto3 stubs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from hako_py.aws.errors import AwsError, aws_errors
from hako_py.aws.responses import plain

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_ecs.client import ECSClient
    from types_boto3_ecs.type_defs import (
        CreateServiceRequestTypeDef,
        DeleteServiceRequestTypeDef,
        DeregisterTaskDefinitionRequestTypeDef,
        RunTaskRequestTypeDef,
        StopTaskRequestTypeDef,
        TagResourceRequestTypeDef,
        UntagResourceRequestTypeDef,
        UpdateServiceRequestTypeDef,
    )


class EcsApi:
    """Typed wrapper around an ECS boto3 client."""

    def __init__(self, client: ECSClient, once: ECSClient | None = None) -> None:
        self.client = client
        self.once = once or client  # without automatic retries: for RegisterTaskDefinition

    def describe_service(self, cluster: str, service: str) -> dict[str, Any] | None:
        """The service, or None when it does not exist (or is INACTIVE after deletion)."""
        with aws_errors(f"DescribeServices {service}"):
            try:
                response = self.client.describe_services(cluster=cluster, services=[service], include=["TAGS"])
            except self.client.exceptions.ClusterNotFoundException:
                raise AwsError(f"cluster '{cluster}' does not exist", "ClusterNotFoundException") from None
        services = [plain(s) for s in response.get("services", []) if s.get("status") != "INACTIVE"]
        return services[0] if services else None

    def describe_task_definition(self, task_definition: str) -> tuple[dict[str, Any], list[dict[str, str]]] | None:
        """(task definition, tags), or None when the family/revision does not exist."""
        try:
            with aws_errors(f"DescribeTaskDefinition {task_definition}"):
                response = self.client.describe_task_definition(taskDefinition=task_definition, include=["TAGS"])
        except AwsError as exc:
            if exc.code == "ClientException":
                return None
            raise
        tags = [{str(k): str(v) for k, v in tag.items()} for tag in response.get("tags") or []]
        return plain(response["taskDefinition"]), tags

    def register_task_definition(self, request: dict[str, Any]) -> dict[str, Any]:
        """One attempt: RegisterTaskDefinition has no idempotency token, so a retry after a lost
        response would register a duplicate revision. Callers retry through
        :func:`hako_py.plan.register.register_once`, which checks first."""
        with aws_errors(f"RegisterTaskDefinition {request.get('family')}"):
            return plain(self.once.register_task_definition(**request)["taskDefinition"])

    def deregister_task_definition(self, **request: Unpack[DeregisterTaskDefinitionRequestTypeDef]) -> None:
        with aws_errors(f"DeregisterTaskDefinition {request['taskDefinition']}"):
            self.client.deregister_task_definition(**request)

    def list_task_definitions(self, family: str) -> list[str]:
        """ACTIVE revisions of *family*, newest first."""
        arns: list[str] = []
        with aws_errors(f"ListTaskDefinitions {family}"):
            paginator = self.client.get_paginator("list_task_definitions")
            for page in paginator.paginate(familyPrefix=family, status="ACTIVE", sort="DESC"):
                arns.extend(page.get("taskDefinitionArns", []))
        arns = [a for a in arns if a.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family]
        return sorted(arns, key=lambda a: int(a.rsplit(":", 1)[-1]), reverse=True)

    def list_services(self, cluster: str) -> list[str]:
        """The names of the services in *cluster* (hako drift: services no definition describes)."""
        names: list[str] = []
        with aws_errors(f"ListServices {cluster}"):
            try:
                for page in self.client.get_paginator("list_services").paginate(cluster=cluster):
                    names.extend(arn.rsplit("/", 1)[-1] for arn in page.get("serviceArns", []))
            except self.client.exceptions.ClusterNotFoundException:
                return []
        return sorted(names)

    def create_service(self, **request: Unpack[CreateServiceRequestTypeDef]) -> dict[str, Any]:
        """The service created."""
        with aws_errors(f"CreateService {request.get('serviceName')}"):
            return plain(self.client.create_service(**request)["service"])

    def update_service(self, **request: Unpack[UpdateServiceRequestTypeDef]) -> dict[str, Any]:
        """The service updated."""
        with aws_errors(f"UpdateService {request.get('service')}"):
            return plain(self.client.update_service(**request)["service"])

    def tag_resource(self, **request: Unpack[TagResourceRequestTypeDef]) -> None:
        with aws_errors(f"TagResource {request['resourceArn'].rsplit('/', 1)[-1]}"):
            self.client.tag_resource(**request)

    def untag_resource(self, **request: Unpack[UntagResourceRequestTypeDef]) -> None:
        with aws_errors(f"UntagResource {request['resourceArn'].rsplit('/', 1)[-1]}"):
            self.client.untag_resource(**request)

    def delete_service(self, **request: Unpack[DeleteServiceRequestTypeDef]) -> None:
        with aws_errors(f"DeleteService {request['service']}"):
            self.client.delete_service(**request)

    def list_service_tasks(self, cluster: str, service: str,
                           desired_status: Literal["PENDING", "RUNNING", "STOPPED"] = "RUNNING") -> list[str]:
        with aws_errors(f"ListTasks {service}"):
            response = self.client.list_tasks(cluster=cluster, serviceName=service, desiredStatus=desired_status)
        return list(response.get("taskArns", []))

    def describe_tasks(self, cluster: str, arns: list[str]) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        for start in range(0, len(arns), 100):
            with aws_errors("DescribeTasks"):
                response = self.client.describe_tasks(cluster=cluster, tasks=arns[start:start + 100])
            tasks.extend(plain(task) for task in response.get("tasks", []))
        return tasks

    def run_task(self, **request: Unpack[RunTaskRequestTypeDef]) -> dict[str, Any]:
        """RunTask; returns the raw {tasks, failures} so callers can judge failures."""
        with aws_errors(f"RunTask {request.get('taskDefinition')}"):
            return plain(self.client.run_task(**request))

    def stop_task(self, **request: Unpack[StopTaskRequestTypeDef]) -> None:
        with aws_errors(f"StopTask {request['task'].rsplit('/', 1)[-1]}"):
            self.client.stop_task(**request)

    def list_tasks_started_by(self, cluster: str, started_by: str) -> list[str]:
        with aws_errors("ListTasks"):
            response = self.client.list_tasks(cluster=cluster, startedBy=started_by, desiredStatus="RUNNING")
        return list(response.get("taskArns", []))

    def list_family_tasks(self, cluster: str, family: str,
                          desired_status: Literal["PENDING", "RUNNING", "STOPPED"]) -> list[str]:
        """Task ARNs of *family* in *cluster*, RUNNING or STOPPED ("stopped tasks appear in the
        returned results for at least one hour", API DescribeTasks), every page."""
        arns: list[str] = []
        with aws_errors(f"ListTasks {family}"):
            for page in self.client.get_paginator("list_tasks").paginate(cluster=cluster, family=family,
                                                                         desiredStatus=desired_status):
                arns.extend(page.get("taskArns", []))
        return arns
