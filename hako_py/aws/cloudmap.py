"""AWS Cloud Map (service discovery) calls hako-py makes, returning plain dicts."""

from __future__ import annotations

from typing import Any

from hako_py.aws.calls import Writes, call
from hako_py.aws.errors import AwsError, aws_errors


class CloudMapApi(Writes):
    """Namespaces, discovery services and their instances."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def namespace_id(self, name: str) -> str | None:
        """The id of the DNS namespace called *name* (private namespaces first)."""
        found: list[dict[str, Any]] = []
        with aws_errors(f"ListNamespaces {name}"):
            for page in self.client.get_paginator("list_namespaces").paginate():
                found.extend(n for n in page.get("Namespaces", []) if n.get("Name") == name)
        found.sort(key=lambda n: n.get("Type") != "DNS_PRIVATE")
        return str(found[0]["Id"]) if found else None

    def namespace(self, namespace_id: str) -> dict[str, Any] | None:
        try:
            found = call(self.client, "get_namespace", f"GetNamespace {namespace_id}", Id=namespace_id)
        except AwsError as exc:
            if "NotFound" in exc.code:
                return None
            raise
        return dict(found["Namespace"])

    def find_service(self, namespace_id: str, name: str) -> dict[str, Any] | None:
        found = call(self.client, "list_services", f"ListServices {name}",
                     Filters=[{"Name": "NAMESPACE_ID", "Values": [namespace_id], "Condition": "EQ"}])
        for summary in found.get("Services", []):
            if summary.get("Name") == name:
                return self.service(str(summary["Id"]))
        return None

    def service(self, service_id: str) -> dict[str, Any] | None:
        try:
            return dict(call(self.client, "get_service", f"GetService {service_id}", Id=service_id)["Service"])
        except AwsError as exc:
            if "NotFound" in exc.code:
                return None
            raise

    def tags(self, arn: str) -> dict[str, str]:
        found = call(self.client, "list_tags_for_resource", "ListTagsForResource", ResourceARN=arn)
        return {t["Key"]: t.get("Value", "") for t in found.get("Tags", [])}

    def instances(self, service_id: str) -> list[dict[str, Any]]:
        return list(call(self.client, "list_instances", "ListInstances", ServiceId=service_id).get("Instances", []))

