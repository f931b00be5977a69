"""Start and stop the sandbox: moto's server and the ECS simulator in this process."""

from __future__ import annotations

import logging
import threading
from typing import Any

from hako_py.hosts import bare_host, http_url
from hako_py.sandbox import moto_ecs_hooks
from hako_py.sandbox import moto_glue as glue
from hako_py.sandbox.client import control
from hako_py.sandbox.control import SandboxApp
from hako_py.sandbox.docker_tasks import DockerTasks
from hako_py.sandbox.ecs_sim import EcsSimulator, put_in_moto
from hako_py.sandbox.guard import NOT_LOOPBACK, Guard, is_loopback_address
from hako_py.sandbox.log_delivery import LogDelivery
from hako_py.sandbox.problems import Problems
from hako_py.sandbox.scheduler_sim import ScheduleSimulator
from hako_py.sandbox.task_events import TaskEvents


def _docker_tasks(wanted: bool, logs: LogDelivery) -> DockerTasks | None:
    """Containers only when asked for: whether an engine happens to answer must not change
    what a deploy against the sandbox does (the example images exist nowhere locally)."""
    if not wanted:
        return None
    from hako_py.local.engine import connect

    return DockerTasks(connect(), logs.put, problems=logs.problems)


class Sandbox:
    """An AWS-shaped endpoint on loopback; ``url`` is what AWS_ENDPOINT_URL should be."""

    def __init__(self, host: str = "127.0.0.1", port: int = 4566, *, rollout_seconds: float = 3.0,
                 task_seconds: float = 1.0, tick: float = 0.05, docker: bool = False) -> None:
        """``docker``: True runs tasks as containers (an engine is required, else NoDockerEngine),
        False (the default) simulates them. *host* must be a loopback address: the sandbox serves
        only its local user (ValueError otherwise)."""
        if not is_loopback_address(host):
            raise ValueError(NOT_LOOPBACK.format(host=host))
        self.host = bare_host(host)  # [::1] as typed in a URL: sockets take ::1
        self.port = port
        self.problems = Problems()
        logs = LogDelivery(put_in_moto, problems=self.problems)
        self.simulator = EcsSimulator(rollout_seconds=rollout_seconds, task_seconds=task_seconds, tick=tick,
                                      docker=_docker_tasks(docker, logs), logs=logs, problems=self.problems)
        self.schedules = ScheduleSimulator(self.problems, self.simulator.lock)
        self.events = TaskEvents(self.problems, self.simulator.lock)
        self.simulator.task_stopped = self.events.task_changed
        self.guard = Guard()
        self.app: SandboxApp | None = None
        self.reaped: list[str] = []  # Docker mode: what sandboxes that are gone left behind, removed at start
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return http_url(str(host), port)

    @property
    def tells_users_apart(self) -> bool:
        """Whether connections of other local users are refused (Linux); elsewhere any local user is served."""
        return self.guard.peers.available

    def start(self) -> str:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        def wrap(moto_app: Any) -> SandboxApp:
            self.app = SandboxApp(moto_app, self.simulator, self.guard, self.schedules, self.events)
            return self.app

        if self.simulator.docker is not None:
            self.reaped = self.simulator.docker.reap_orphans()
        moto_ecs_hooks.install()
        glue.page_log_events_like_cloudwatch()
        glue.default_load_balancer_scheme()
        glue.scheduler_like_aws()
        glue.cloud_map_like_aws()
        self._server = glue.make_server(self.host, self.port, wrap)
        self._thread = threading.Thread(target=self._server.serve_forever, name="hako-sandbox-http", daemon=True)
        self._thread.start()
        self.events.start()
        self.simulator.start()
        self.schedules.start(self.url)
        control(self.url, "")  # it answers
        return self.url

    def stop(self) -> None:
        self.schedules.stop()
        self.simulator.stop()
        self.events.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def runs_containers(self) -> bool:
        return self.simulator.docker is not None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
