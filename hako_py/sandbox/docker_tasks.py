"""Run the sandbox's ECS tasks as real Docker containers.

Each task gets a private bridge network (containers reach each other by name, as with
``hako oneshot --local``) and one container per container definition. Images come from
the local engine and are never pulled (the sandbox's ECR holds no layers): an image runs
under its own name, else an ECR name (``ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]/NAME:TAG``)
runs the local ``NAME:TAG`` — the mapping ``oneshot --local`` falls back to
(:func:`hako_py.local.engine.present_image`). Container output is copied, every line and in
the order written (stderr merged into stdout, see :mod:`hako_py.local.output`), to the
task's awslogs streams in the sandbox's CloudWatch Logs, in PutLogEvents-sized batches. A
stopped task's containers are removed only once all their output has been delivered, in the
background (never under the simulator's lock); output that cannot be delivered is reported,
never dropped in silence.

Every container and network carries its sandbox's labels (:mod:`hako_py.local.ownership`),
so a sandbox that starts can remove what a killed one left behind, and nothing else.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from hako_py.ecr_images import local_image_name
from hako_py.local import ownership
from hako_py.local.engine import present_image
from hako_py.local.output import Lines, follow_output, lacks_shell, merged_program
from hako_py.references import awslogs_stream
from hako_py.sandbox.awslogs_batches import Batcher
from hako_py.sandbox.log_delivery import Destination
from hako_py.sandbox.problems import Problems

STOP_TIMEOUT = 2
TASK_LABEL = f"{ownership.SANDBOX}.task"  # the task ARN (containers and networks)
DRAIN_SECONDS = 300.0  # how long a stopped task's output may take to be delivered before removal anyway
CLOSE_SECONDS = 30.0  # at sandbox stop, how long removals may take


@dataclass
class _Pump:
    """One awslogs container's output on its way to CloudWatch Logs."""

    destination: Destination
    batcher: Batcher
    thread: threading.Thread | None = None


@dataclass
class TaskContainers:
    network: Any
    containers: dict[str, str] = field(default_factory=dict)
    pumps: list[_Pump] = field(default_factory=list)


class DockerTasks:
    """Start, watch and stop the containers of sandbox tasks (called under the simulator's lock).

    Every container and network it creates carries its owner's labels (``ownership``: one
    ``hako.sandbox.id`` per sandbox process), so that those of this sandbox can be told from
    another's on a shared engine."""

    def __init__(self, client: Any, emit: Callable[[Destination, list[tuple[int, str]]], None], *,
                 problems: Problems | None = None, owner: ownership.Owner | None = None) -> None:
        self.client = client
        self.api = client.api
        self.emit = emit  # (where, [(ms, line)])
        self.problems = problems or Problems()
        self.owner = owner or ownership.Owner.this_process()
        self.tasks: dict[str, TaskContainers] = {}
        self._removals: queue.Queue[TaskContainers | None] = queue.Queue()
        self._remover = threading.Thread(target=self._remove_in_turn, name="hako-sandbox-remover", daemon=True)
        self._remover.start()

    # orphans -------------------------------------------------------------------------------
    def reap_orphans(self) -> list[str]:
        """Remove the containers and networks of this user's sandboxes that are gone (killed
        with SIGKILL, say); returns what was removed, as ``NAME (sandbox ID)``."""
        return ownership.reap_orphans(self.client, self.owner)

    # tasks ---------------------------------------------------------------------------------
    def _labels(self, task_arn: str, **more: str) -> dict[str, str]:
        return {**self.owner.labels(), TASK_LABEL: task_arn, **more}

    def start(self, account: str, region: str, task_arn: str, definitions: list[dict[str, Any]],
              overrides: dict[str, Any]) -> None:
        """Create and start the task's containers; raises RuntimeError with a reason on failure."""
        task_id = task_arn.rsplit("/", 1)[-1]
        by_name = {o.get("name"): o for o in overrides.get("containerOverrides") or []}
        network = None
        network_name = "bridge"
        if len(definitions) > 1:  # a private network only when containers must reach each other
            network = self.client.networks.create(f"hako-sandbox-{task_id[:12]}", driver="bridge",
                                                  labels=self._labels(task_arn))
            network_name = network.name
        entry = TaskContainers(network)
        self.tasks[task_arn] = entry
        for definition in definitions:
            name = definition["name"]
            wanted = str(definition["image"])
            found = present_image(self.client, wanted)  # the same mapping as oneshot --local
            if found is None:
                local = local_image_name(wanted)
                raise RuntimeError(f"CannotPullContainerError: image {local} not found in the local Docker engine"
                                   + (f" (for {wanted})" if local != wanted else ""))
            image = found
            override = by_name.get(name) or {}
            env = {e["name"]: e["value"] for e in definition.get("environment") or []}
            env.update({e["name"]: e["value"] for e in override.get("environment") or []})
            settings = {
                "image": image, "name": f"hako-sandbox-{task_id[:12]}-{name}",
                "environment": [f"{k}={v}" for k, v in env.items()],
                "labels": self._labels(task_arn, **{"hako.container": name}),
                "host_config": self.api.create_host_config(network_mode=network_name),
                "networking_config": self.api.create_networking_config(
                    {network_name: self.api.create_endpoint_config(aliases=[name])}) if network else None,
            }
            entry.containers[name] = self._run(settings, definition.get("entryPoint"),
                                               override.get("command") or definition.get("command"))
            self._pump(entry, account, region, task_id, definition)

    def _run(self, settings: dict[str, Any], entrypoint: list[str] | None, command: list[str] | None) -> str:
        """Create and start one container, its stderr merged into stdout when the image has a shell."""
        merged = merged_program(self.api, settings["image"], entrypoint, command)
        if merged is not None:
            container_id = str(self.api.create_container(entrypoint=merged[0], command=merged[1], **settings)["Id"])
            try:
                self.api.start(container_id)
                return container_id
            except Exception as exc:
                with suppress(Exception):
                    self.api.remove_container(container_id, force=True)
                if not lacks_shell(exc):
                    raise RuntimeError(f"CannotStartContainerError: {exc}") from None
                self.problems.report(f"image {settings['image']}", RuntimeError(
                    "has no /bin/sh: its containers' stdout and stderr are read apart and may interleave out of "
                    "order"))
        container_id = str(self.api.create_container(entrypoint=entrypoint, command=command, **settings)["Id"])
        try:
            self.api.start(container_id)
        except Exception as exc:
            with suppress(Exception):
                self.api.remove_container(container_id, force=True)
            raise RuntimeError(f"CannotStartContainerError: {exc}") from None
        return container_id

    def _pump(self, entry: TaskContainers, account: str, region: str, task_id: str,
              definition: dict[str, Any]) -> None:
        config = definition.get("logConfiguration") or {}
        if config.get("logDriver") != "awslogs":
            return
        options = config.get("options") or {}
        destination = Destination(account, str(options.get("awslogs-region", region)),
                                  str(options.get("awslogs-group", "/ecs/sandbox")),
                                  awslogs_stream(options.get("awslogs-stream-prefix"), definition["name"], task_id))
        pump = _Pump(destination, Batcher(lambda events: self.emit(destination, events)))
        pump.thread = threading.Thread(target=self._copy, args=(pump, entry.containers[definition["name"]]),
                                       daemon=True, name=f"hako-sandbox-logs-{task_id[:8]}")
        pump.thread.start()
        entry.pumps.append(pump)

    def _copy(self, pump: _Pump, container_id: str) -> None:
        """Every line the container writes, until it exits; a broken stream is said in the stream
        itself (the reader of the logs sees it) and on stderr."""
        lines = Lines()
        try:
            for data in follow_output(self.api, container_id):
                pump.batcher.add(lines.feed(data))
            pump.batcher.add(lines.end())
        except Exception as exc:
            pump.batcher.add([*lines.end(), f"[hako sandbox] the rest of this container's output was lost: "
                                            f"{type(exc).__name__}: {exc}"])
            self.problems.report(f"output of container {container_id[:12]} to {pump.destination}", exc)
        finally:
            pump.batcher.flush()

    def flush(self) -> None:
        """Deliver what each running container wrote since the last flush (the simulator's tick)."""
        for entry in list(self.tasks.values()):
            for pump in entry.pumps:
                pump.batcher.flush()

    def delivered(self, task_arn: str) -> bool:
        """Whether all the output of the task's (stopped) containers has been delivered."""
        entry = self.tasks.get(task_arn)
        return entry is None or not any(p.thread is not None and p.thread.is_alive() for p in entry.pumps)

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
        """Remove the task's containers once their output is delivered, in the background."""
        entry = self.tasks.pop(task_arn, None)
        if entry is not None:
            self._removals.put(entry)

    def _remove_in_turn(self) -> None:
        while (entry := self._removals.get()) is not None:
            try:
                self._remove_now(entry, DRAIN_SECONDS)
            finally:
                self._removals.task_done()
        self._removals.task_done()

    def _remove_now(self, entry: TaskContainers, drain_seconds: float) -> None:
        for pump in entry.pumps:
            if pump.thread is not None:
                pump.thread.join(timeout=drain_seconds)
                if pump.thread.is_alive():
                    self.problems.report(f"output to {pump.destination}", TimeoutError(
                        f"not all delivered after {drain_seconds:g} s; the container is removed anyway"))
        for container_id in entry.containers.values():
            with suppress(Exception):  # already gone
                self.api.remove_container(container_id, force=True)
        if entry.network is not None:
            with suppress(Exception):
                entry.network.remove()

    def close(self) -> None:
        """Stop and remove every container (their output delivered first, within CLOSE_SECONDS)."""
        for task_arn in list(self.tasks):
            self.stop(task_arn)
            self.remove(task_arn)
        self._removals.put(None)
        self._remover.join(timeout=CLOSE_SECONDS)
        while True:  # whatever the remover did not reach in time
            try:
                entry = self._removals.get_nowait()
            except queue.Empty:
                break
            if entry is not None:
                self._remove_now(entry, 0)
