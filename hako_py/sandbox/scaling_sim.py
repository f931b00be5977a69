"""Application Auto Scaling as the sandbox plays it: registering a scalable target moves the
service's desired count into [min, max] (as AWS does) and records a scaling activity, which
DescribeScalingActivities (not implemented by moto) then reports."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from hako_py.sandbox import moto_glue as glue


class ScalingSimulator:
    def __init__(self) -> None:
        self.activities: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def registered(self, region: str, request: dict[str, Any]) -> None:
        """After RegisterScalableTarget: clamp the service's desired count."""
        resource = str(request.get("ResourceId", ""))
        service = glue.service_by_resource_id(region, resource)
        if service is None or request.get("ServiceNamespace") != "ecs":
            return
        low, high = request.get("MinCapacity"), request.get("MaxCapacity")
        current = int(service.desired_count or 0)
        wanted = current
        if isinstance(low, int) and current < low:
            wanted, cause = low, f"minimum capacity was set to {low}"
        elif isinstance(high, int) and current > high:
            wanted, cause = high, f"maximum capacity was set to {high}"
        if wanted == current:
            return
        glue.set_desired_count(service, wanted)
        now = datetime.datetime.now(datetime.UTC)
        self.activities.setdefault((region, resource), []).insert(0, {
            "ActivityId": str(uuid.uuid4()),
            "ServiceNamespace": "ecs",
            "ResourceId": resource,
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": f"Setting desired count to {wanted}.",
            "Cause": f"{now:%Y-%m-%dT%H:%M:%SZ} {cause}",
            "StartTime": now.timestamp(),
            "EndTime": now.timestamp(),
            "StatusCode": "Successful",
            "StatusMessage": f"Successfully set desired count to {wanted}. Change successfully fulfilled by ecs.",
        })

    def describe(self, region: str, request: dict[str, Any]) -> dict[str, Any]:
        found = self.activities.get((region, str(request.get("ResourceId", ""))), [])
        return {"ScalingActivities": found[: int(request.get("MaxResults") or 50)]}
