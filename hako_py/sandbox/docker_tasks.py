"""Run the sandbox's ECS tasks as real Docker containers.

Each task gets a private bridge network (containers reach each other by name, as with
``hako oneshot --local``) and one container per container definition. ECR image names map
to local images: ``123456789012.dkr.ecr.REGION.amazonaws.com/NAME:TAG`` runs the local
``NAME:TAG``. Container output is copied, line by line, to the task's awslogs streams in
the sandbox's CloudWatch Logs.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from hako_py.references import awslogs_stream, local_image_name

STOP_TIMEOUT = 2


@dataclass
class TaskContainers:
    network: Any
    containers: dict[str, str] = field(default_factory=dict)
    threads: list[threading.Thread] = field(default_factory=list)


class DockerTasks:
    """Start, watch and stop the containers of sandbox tasks (called under the simulator's lock).

    Every container and network it creates is labelled ``hako.sandbox.id=<sandbox_id>`` (one
    id per instance), so that those of this sandbox can be told from another's on a shared
    engine."""

    def __init__(self, client: Any, emit: Callable[[str, str, str, list[tuple[int, str]]], None]) -> None:
        self.client = client
        self.api = client.api
        self.emit = emit  # (region, group, stream, [(ms, line)])
        self.tasks: dict[str, TaskContainers] = {}
        self.sandbox_id = uuid.uuid4().hex

    def start(self, region: str, task_arn: str, definitions: list[dict[str, Any]], overrides: dict[str, Any]) -> None:
        """Create and start the task's containers; raises RuntimeError with a reason on failure."""
        task_id = task_arn.rsplit("/", 1)[-1]
        by_name = {o.get("name"): o for o in overrides.get("containerOverrides") or []}
        network = None
        network_name = "bridge"
        if len(definitions) > 1:  # a private network only when containers must reach each other
            network = self.client.networks.create(f"hako-sandbox-{task_id[:12]}", driver="bridge",
                                                  labels={"hako.sandbox.task": task_arn,
                                                          "hako.sandbox.id": self.sandbox_id})
            network_name = network.name
        entry = TaskContainers(network)
        self.tasks[task_arn] = entry
        for definition in definitions:
            name = definition["name"]
            image = local_image_name(str(definition["image"]))
            override = by_name.get(name) or {}
            env = {e["name"]: e["value"] for e in definition.get("environment") or []}
            env.update({e["name"]: e["value"] for e in override.get("environment") or []})
            try:
                self.client.images.get(image)
            except Exception:
                raise RuntimeError(f"CannotPullContainerError: image {image} not found in the local Docker "
                                   f"engine (for {definition['image']})") from None
            created = self.api.create_container(
                image=image, command=override.get("command") or definition.get("command"),
                entrypoint=definition.get("entryPoint"), environment=[f"{k}={v}" for k, v in env.items()],
                labels={"hako.sandbox.task": task_arn, "hako.sandbox.id": self.sandbox_id, "hako.container": name},
                host_config=self.api.create_host_config(network_mode=network_name),
                networking_config=self.api.create_networking_config(
                    {network_name: self.api.create_endpoint_config(aliases=[name])}) if network else None,
            )
            entry.containers[name] = str(created["Id"])
        for definition in definitions:
            container_id = entry.containers[definition["name"]]
            self.api.start(container_id)
            config = definition.get("logConfiguration") or {}
            if config.get("logDriver") == "awslogs":
                options = config.get("options") or {}
                stream = awslogs_stream(options.get("awslogs-stream-prefix"), definition["name"], task_id)
                group = str(options.get("awslogs-group", "/ecs/sandbox"))
                thread = threading.Thread(target=self._pump, daemon=True, name=f"hako-sandbox-logs-{task_id[:8]}",
                                          args=(options.get("awslogs-region", region), group, stream, container_id))
                thread.start()
                entry.threads.append(thread)

    def _pump(self, region: str, group: str, stream: str, container_id: str) -> None:
        buffer = ""
        try:
            for chunk in self.api.logs(container_id, stream=True, follow=True, stdout=True, stderr=True):
                buffer += chunk.decode("utf-8", "replace")
                *lines, buffer = buffer.split("\n")
                if lines:
                    now = int(time.time() * 1000)
                    self.emit(region, group, stream, [(now, line) for line in lines])
        except Exception:
            return
        if buffer:
            self.emit(region, group, stream, [(int(time.time() * 1000), buffer)])

    def states(self, task_arn: str) -> dict[str, dict[str, Any]]:
        entry = self.tasks.get(task_arn)
        if entry is None:
            return {}
        return {name: self.api.inspect_container(cid)["State"] for name, cid in entry.containers.items()}

    def stop(self, task_arn: str) -> None:
        entry = self.tasks.get(task_arn)
        if entry is None:
            return
        for container_id in entry.containers.values():
            with suppress(Exception):  # already gone: nothing to stop
                self.api.stop(container_id, timeout=STOP_TIMEOUT)

    def remove(self, task_arn: str) -> None:
        entry = self.tasks.pop(task_arn, None)
        if entry is None:
            return
        for thread in entry.threads:
            thread.join(timeout=5)
        for container_id in entry.containers.values():
            with suppress(Exception):  # already gone
                self.api.remove_container(container_id, force=True)
        if entry.network is not None:
            with suppress(Exception):
                entry.network.remove()

    def close(self) -> None:
        for task_arn in list(self.tasks):
            self.stop(task_arn)
            self.remove(task_arn)
