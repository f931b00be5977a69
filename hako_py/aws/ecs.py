"""ECS calls hako-py makes, returning plain dicts; every error becomes an AwsError."""

from __future__ import annotations

from typing import Any

from hako_py.aws.errors import AwsError, aws_errors


def _plain(response: dict[str, Any]) -> dict[str, Any]:
    response.pop("ResponseMetadata", None)
    return response


class EcsApi:
    """Typed wrapper around an ECS boto3 client."""

    def __init__(self, client: Any, once: Any = None) -> None:
        self.client = client
        self.once = once or client  # without automatic retries: for RegisterTaskDefinition

    def describe_service(self, cluster: str, service: str) -> dict[str, Any] | None:
        """The service, or None when it does not exist (or is INACTIVE after deletion)."""
        with aws_errors(f"DescribeServices {service}"):
            try:
                response = self.client.describe_services(cluster=cluster, services=[service], include=["TAGS"])
            except self.client.exceptions.ClusterNotFoundException:
                raise AwsError(f"cluster '{cluster}' does not exist", "ClusterNotFoundException") from None
        services = [s for s in response.get("services", []) if s.get("status") != "INACTIVE"]
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
        return response["taskDefinition"], list(response.get("tags") or [])

    def register_task_definition(self, request: dict[str, Any]) -> dict[str, Any]:
        """One attempt: RegisterTaskDefinition has no idempotency token, so a retry after a lost
        response would register a duplicate revision. Callers retry through
        :func:`hako_py.deploy.register.register_once`, which checks first."""
        with aws_errors(f"RegisterTaskDefinition {request.get('family')}"):
            result: dict[str, Any] = self.once.register_task_definition(**request)["taskDefinition"]
        return result

    def deregister_task_definition(self, arn: str) -> None:
        with aws_errors(f"DeregisterTaskDefinition {arn}"):
            self.client.deregister_task_definition(taskDefinition=arn)

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

    def describe_services(self, cluster: str, names: list[str]) -> list[dict[str, Any]]:
        """The ACTIVE services among *names*, ten per request (DescribeServices' limit)."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(names), 10):
            with aws_errors(f"DescribeServices {cluster}"):
                response = self.client.describe_services(cluster=cluster, services=names[start:start + 10])
            found.extend(s for s in response.get("services", []) if s.get("status") != "INACTIVE")
        return found

    def create_service(self, request: dict[str, Any]) -> dict[str, Any]:
        with aws_errors(f"CreateService {request.get('serviceName')}"):
            result: dict[str, Any] = self.client.create_service(**request)["service"]
        return result

    def update_service(self, request: dict[str, Any]) -> dict[str, Any]:
        with aws_errors(f"UpdateService {request.get('service')}"):
            result: dict[str, Any] = self.client.update_service(**request)["service"]
        return result

    def tag_resource(self, arn: str, tags: dict[str, str]) -> None:
        with aws_errors(f"TagResource {arn.rsplit('/', 1)[-1]}"):
            self.client.tag_resource(resourceArn=arn, tags=[{"key": k, "value": v} for k, v in sorted(tags.items())])

    def untag_resource(self, arn: str, keys: list[str]) -> None:
        with aws_errors(f"UntagResource {arn.rsplit('/', 1)[-1]}"):
            self.client.untag_resource(resourceArn=arn, tagKeys=keys)

    def delete_service(self, cluster: str, service: str) -> None:
        with aws_errors(f"DeleteService {service}"):
            self.client.delete_service(cluster=cluster, service=service)

    def list_service_tasks(self, cluster: str, service: str, desired_status: str = "RUNNING") -> list[str]:
        with aws_errors(f"ListTasks {service}"):
            response = self.client.list_tasks(cluster=cluster, serviceName=service, desiredStatus=desired_status)
        return list(response.get("taskArns", []))

    def describe_tasks(self, cluster: str, arns: list[str]) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        for start in range(0, len(arns), 100):
            with aws_errors("DescribeTasks"):
                response = self.client.describe_tasks(cluster=cluster, tasks=arns[start:start + 100])
            tasks.extend(response.get("tasks", []))
        return tasks

    def run_task(self, request: dict[str, Any]) -> dict[str, Any]:
        """RunTask; returns the raw {tasks, failures} so callers can judge failures."""
        with aws_errors(f"RunTask {request.get('taskDefinition')}"):
            return _plain(self.client.run_task(**request))

    def stop_task(self, cluster: str, task: str, reason: str) -> None:
        with aws_errors(f"StopTask {task.rsplit('/', 1)[-1]}"):
            self.client.stop_task(cluster=cluster, task=task, reason=reason[:255])

    def list_tasks_started_by(self, cluster: str, started_by: str) -> list[str]:
        with aws_errors("ListTasks"):
            response = self.client.list_tasks(cluster=cluster, startedBy=started_by, desiredStatus="RUNNING")
        return list(response.get("taskArns", []))

    def list_family_tasks(self, cluster: str, family: str, desired_status: str) -> list[str]:
        """Task ARNs of *family* in *cluster*, RUNNING or STOPPED ("stopped tasks appear in the
        returned results for at least one hour", API DescribeTasks), every page."""
        arns: list[str] = []
        with aws_errors(f"ListTasks {family}"):
            for page in self.client.get_paginator("list_tasks").paginate(cluster=cluster, family=family,
                                                                         desiredStatus=desired_status):
                arns.extend(page.get("taskArns", []))
        return arns
