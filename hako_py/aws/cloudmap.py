"""AWS Cloud Map (service discovery): one method per operation hako uses.

Reads return plain dicts; writes take the operation's request as boto3 does, typed by the
types-boto3 stubs, and return its response.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hako_py.aws.errors import AwsError, aws_errors

if TYPE_CHECKING:
    from typing import Unpack

    from types_boto3_servicediscovery.client import ServiceDiscoveryClient
    from types_boto3_servicediscovery.type_defs import (
        CreateServiceRequestTypeDef,
        CreateServiceResponseTypeDef,
        DeleteServiceRequestTypeDef,
        GetOperationRequestTypeDef,
        GetOperationResponseTypeDef,
        UpdateServiceRequestTypeDef,
        UpdateServiceResponseTypeDef,
    )


class CloudMapApi:
    """Namespaces, discovery services and their instances."""

    def __init__(self, client: ServiceDiscoveryClient) -> None:
        self.client = client

    # reads ---------------------------------------------------------------------------------
    def namespace_id(self, name: str) -> str | None:
        """The id of the DNS namespace called *name* (private namespaces first)."""
        found: list[dict[str, Any]] = []
        with aws_errors(f"ListNamespaces {name}"):
            for page in self.client.get_paginator("list_namespaces").paginate():
                found.extend(dict(n) for n in page.get("Namespaces", []) if n.get("Name") == name)
        found.sort(key=lambda n: n.get("Type") != "DNS_PRIVATE")
        return str(found[0]["Id"]) if found else None

    def namespace(self, namespace_id: str) -> dict[str, Any] | None:
        try:
            with aws_errors(f"GetNamespace {namespace_id}"):
                found = self.client.get_namespace(Id=namespace_id)
        except AwsError as exc:
            if "NotFound" in exc.code:
                return None
            raise
        return dict(found["Namespace"])

    def find_service(self, namespace_id: str, name: str) -> dict[str, Any] | None:
        with aws_errors(f"ListServices {name}"):
            found = self.client.list_services(
                Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}])
        for summary in found.get("Services", []):
            if summary.get("Name") == name:
                return self.service(str(summary["Id"]))
        return None

    def service(self, service_id: str) -> dict[str, Any] | None:
        try:
            with aws_errors(f"GetService {service_id}"):
                return dict(self.client.get_service(Id=service_id)["Service"])
        except AwsError as exc:
            if "NotFound" in exc.code:
                return None
            raise

    def tags(self, arn: str) -> dict[str, str]:
        with aws_errors("ListTagsForResource"):
            found = self.client.list_tags_for_resource(ResourceARN=arn)
        return {t["Key"]: t.get("Value", "") for t in found.get("Tags", [])}

    def instances(self, service_id: str) -> list[dict[str, Any]]:
        with aws_errors("ListInstances"):
            found = self.client.list_instances(ServiceId=service_id)
        return [dict(instance) for instance in found.get("Instances", [])]

    def get_operation(self, **request: Unpack[GetOperationRequestTypeDef]) -> GetOperationResponseTypeDef:
        with aws_errors("GetOperation"):
            return self.client.get_operation(**request)

    # writes --------------------------------------------------------------------------------
    def create_service(self, **request: Unpack[CreateServiceRequestTypeDef]) -> CreateServiceResponseTypeDef:
        with aws_errors("CreateService"):
            return self.client.create_service(**request)

    def update_service(self, **request: Unpack[UpdateServiceRequestTypeDef]) -> UpdateServiceResponseTypeDef:
        with aws_errors("UpdateService"):
            return self.client.update_service(**request)

    def delete_service(self, **request: Unpack[DeleteServiceRequestTypeDef]) -> None:
        with aws_errors("DeleteService"):
            self.client.delete_service(**request)
