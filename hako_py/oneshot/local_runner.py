"""``hako oneshot --local``: the rendered oneshot task on the local Docker engine.

Differences from ECS awsvpc, and how they are bridged: ECS gives a task's containers one
network namespace, so they reach each other on localhost; Docker containers each have
their own. hako puts the task's containers on one private bridge network where each is
reachable by its container name (a network alias), e.g. ``http://front:80`` instead of
``http://localhost:80``. Port mappings are published on 127.0.0.1 (ephemeral host ports,
printed on stderr). CPU units become CPU shares, memory/memoryReservation become Docker
memory limits/reservations.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from hako_py.definition import APP_CONTAINER, AppDefinition
from hako_py.errors import HakoError
from hako_py.local import ownership
from hako_py.local.images import ImageSource, Login, StartFailed
from hako_py.local.output import Lines, follow_output, lacks_shell, merged_program
from hako_py.oneshot.request import TaskRunOptions
from hako_py.oneshot.runner import EXIT_NO_CODE, EXIT_NOT_STARTED, EXIT_TIMEOUT, Interrupts
from hako_py.redaction import redact, remember

DEFAULT_STOP_TIMEOUT = 30
DEPENDENCY_TIMEOUT = 300.0
OUTPUT_DRAIN_SECONDS = 120.0  # after the app exited, how long reading the rest of its output may take
NANOSECONDS = 1_000_000_000


class DependencyFailed(HakoError):
    """A dependency condition can no longer be met (exit 127: the app never ran)."""


@dataclass(frozen=True)
class LocalOptions(TaskRunOptions):
    pull: str = "missing"
    secrets_file: dict[str, str] | None = None
    interval: float = 0.02  # a local inspect costs ~1 ms; polling often makes exit detection immediate


def start_order(definitions: dict[str, dict[str, Any]]) -> list[str]:
    """Dependencies first (validation already rejected cycles); otherwise definition order."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name in ordered:
            return
        for dependency in definitions[name].get("dependsOn") or []:
            if dependency["containerName"] in definitions:
                visit(dependency["containerName"])
        ordered.append(name)

    for name in definitions:
        visit(name)
    return ordered


def healthcheck(check: dict[str, Any] | None) -> dict[str, Any] | None:
    if not check:
        return None
    result: dict[str, Any] = {"Test": list(check["command"])}
    for key, docker_key in (("interval", "Interval"), ("timeout", "Timeout"), ("startPeriod", "StartPeriod")):
        if check.get(key) is not None:
            result[docker_key] = int(check[key]) * NANOSECONDS
    if check.get("retries") is not None:
        result["Retries"] = int(check["retries"])
    return result


class LocalRunner:
    def __init__(self, docker: Any, secret_value: Callable[[str, str], str] | None, stdout: TextIO, stderr: TextIO,
                 options: LocalOptions, *, interrupts: Interrupts | None = None, login: Login | None = None,
                 owner: ownership.Owner | None = None) -> None:
        """*login* gives the ECR login of a registry (for pulls of ECR images; None: no AWS access).
        *owner* labels what the run creates (default: this process; see local/ownership.py)."""
        self.docker = docker
        self.login = login
        self.api = docker.api
        self.secret_value = secret_value
        self.stdout = stdout
        self.stderr = stderr
        self.options = options
        self.interrupts = interrupts or Interrupts()
        self.run_id = uuid.uuid4().hex[:8]
        self.owner = owner or ownership.Owner.this_process(ownership.LOCAL)
        self.containers: dict[str, str] = {}
        self.network: Any = None
        self.output_error: str | None = None  # why the app's output is incomplete, if it is
        self.started = False  # a container of the task started: from here on its outcome is the job's

    def say(self, message: str) -> None:
        self.stderr.write(redact(message) + "\n")
        self.stderr.flush()

    # configuration -----------------------------------------------------------------------
    def _environment(self, definition: dict[str, Any]) -> list[str]:
        env = {e["name"]: e["value"] for e in definition.get("environment") or []}
        for secret in definition.get("secrets") or []:
            name = secret["name"]
            if self.options.secrets_file is not None and name in self.options.secrets_file:
                env[name] = self.options.secrets_file[name]
            elif self.secret_value is not None:
                env[name] = self.secret_value(name, secret["valueFrom"])
            else:
                raise StartFailed(f"secret {name} of container {definition['name']}: no value (give --secrets-file "
                                  "or AWS access)")
        if definition["name"] == APP_CONTAINER:
            env.update(dict(self.options.overrides.env))
        # Docker quotes entries in its errors; make sure no secret value reaches the user.
        remember(str(env[secret["name"]]) for secret in definition.get("secrets") or [])
        return [f"{k}={v}" for k, v in env.items()]

    def _create(self, definition: dict[str, Any], image: str, network_name: str, app_id: str, *,
                merge: bool = True) -> str:
        """Create one container from *image*; with *merge* its stderr goes into its stdout
        (hako_py.local.output: Docker reads the two apart and loses their order)."""
        name = definition["name"]
        is_app = name == APP_CONTAINER
        overrides = self.options.overrides
        command = list(overrides.command) if is_app and overrides.command else definition.get("command")
        entrypoint = definition.get("entryPoint")
        if merge:
            try:
                merged = merged_program(self.api, image, entrypoint, command)
            except Exception as exc:
                raise StartFailed(f"cannot inspect image {definition['image']}: {exc}") from None
            if merged is not None:
                entrypoint, command = merged
        cpu = overrides.cpu if is_app and overrides.cpu is not None else definition.get("cpu")
        memory = overrides.memory if is_app and overrides.memory is not None else definition.get("memory")
        linux = definition.get("linuxParameters") or {}
        from docker.types import Ulimit

        mappings = [(int(p["containerPort"]), str(p.get("protocol", "tcp")))
                    for p in definition.get("portMappings") or []]
        ports = {f"{port}/{protocol}": ("127.0.0.1",) for port, protocol in mappings}  # ephemeral host port
        host_config = self.api.create_host_config(
            network_mode=network_name,
            port_bindings=ports or None,
            cpu_shares=int(cpu) if cpu else None,
            mem_limit=f"{int(memory)}m" if memory else None,
            mem_reservation=f"{int(definition['memoryReservation'])}m" if definition.get("memoryReservation") else None,
            ulimits=[Ulimit(name=u["name"], soft=u["softLimit"], hard=u["hardLimit"])
                     for u in definition.get("ulimits") or []] or None,
            init=bool(linux.get("initProcessEnabled")) or None,
            read_only=bool(definition.get("readonlyRootFilesystem")),
            extra_hosts={h["hostname"]: h["ipAddress"] for h in definition.get("extraHosts") or []} or None,
        )
        networking = None
        if network_name != "bridge":  # the default bridge network has no aliases
            networking = self.api.create_networking_config({network_name: self.api.create_endpoint_config(
                aliases=[name])})
        try:
            created = self.api.create_container(
                image=image,
                command=command,
                entrypoint=entrypoint,
                environment=self._environment(definition),
                user=definition.get("user"),
                working_dir=definition.get("workingDirectory"),
                labels={**(definition.get("dockerLabels") or {}), **self.owner.labels(), "hako.app": app_id,
                        "hako.run": self.run_id, "hako.container": name},
                ports=mappings or None,
                healthcheck=healthcheck(definition.get("healthCheck")),
                stop_timeout=definition.get("stopTimeout"),
                host_config=host_config,
                networking_config=networking,
                name=f"hako-{app_id}-{self.run_id}-{name}",
            )
        except Exception as exc:
            raise StartFailed(f"cannot create container {name}: {exc}") from None
        container_id = str(created["Id"])
        self.containers[name] = container_id
        return container_id

    # lifecycle ---------------------------------------------------------------------------
    def _state(self, name: str) -> dict[str, Any]:
        state: dict[str, Any] = self.api.inspect_container(self.containers[name])["State"]
        return state

    def _wait_for(self, dependency: dict[str, Any]) -> None:
        name, condition = dependency["containerName"], dependency.get("condition", "START")
        deadline = time.monotonic() + DEPENDENCY_TIMEOUT
        while True:
            state = self._state(name)
            exited = state.get("Status") == "exited"
            if condition == "START" and (state.get("Running") or exited):
                return
            if condition == "COMPLETE" and exited:
                return
            if condition == "SUCCESS" and exited:
                if state.get("ExitCode") == 0:
                    return
                raise DependencyFailed(f"dependency {name} exited {state.get('ExitCode')} (condition SUCCESS)")
            if condition == "HEALTHY":
                health = (state.get("Health") or {}).get("Status")
                if health == "healthy":
                    return
                if exited or health == "unhealthy":
                    raise DependencyFailed(f"dependency {name} did not become healthy")
            if self.interrupts.signum is not None:
                raise DependencyFailed(f"interrupted while waiting for {name}")
            if time.monotonic() > deadline:
                raise DependencyFailed(f"dependency {name} did not reach {condition} in {DEPENDENCY_TIMEOUT:g}s")
            self.interrupts.wait(self.options.interval)

    def _stream_logs(self, container_id: str) -> threading.Thread:
        def pump() -> None:
            lines = Lines()
            try:
                for data in follow_output(self.api, container_id):
                    self._write(lines.feed(data))
            except Exception as exc:
                self.output_error = f"{type(exc).__name__}: {exc}"
            self._write(lines.end(), last=True)

        thread = threading.Thread(target=pump, name="hako-local-logs", daemon=True)
        thread.start()
        return thread

    def _write(self, lines: list[str], *, last: bool = False) -> None:
        """Whole lines to stdout (a last line without a newline stays without one)."""
        if lines:
            self.stdout.write("\n".join(lines) + ("" if last else "\n"))
            self.stdout.flush()

    def _stop_all(self, definitions: dict[str, dict[str, Any]]) -> None:
        """Stop the running containers as ECS stops a task's: SIGTERM, then SIGKILL after the
        container's stop timeout. The wait is said on stderr, since it can be long (30 s by
        default) and would otherwise look like a hang; ``--timeout`` does not shorten it (see
        the README: the app keeps its shutdown window, as on ECS)."""
        for name in reversed(list(self.containers)):
            try:
                if self._state(name).get("Running"):
                    configured = definitions[name].get("stopTimeout")
                    timeout = int(configured) if configured else DEFAULT_STOP_TIMEOUT
                    default = "" if configured else ", the default"
                    self.say(f"stopping container {name}: SIGTERM now, SIGKILL if it still runs after its stop "
                             f"timeout ({timeout}s{default}), as ECS does")
                    self.api.stop(self.containers[name], timeout=timeout)
            except Exception as exc:  # keep stopping the others
                self.say(f"could not stop {name}: {exc}")

    def _cleanup(self) -> None:
        for name, container_id in self.containers.items():
            try:
                self.api.remove_container(container_id, force=True)
            except Exception as exc:
                self.say(f"could not remove container {name}: {exc}")
        if self.network is not None:
            try:
                self.network.remove()
            except Exception as exc:
                self.say(f"could not remove network {self.network.name}: {exc}")

    def run(self, app: AppDefinition, task_definition: dict[str, Any]) -> int:
        """Run *task_definition* (the oneshot's, built once by the command) on the local engine."""
        self.interrupts.install()
        try:
            return self._run(app, task_definition)
        finally:
            self.interrupts.restore()

    def _reap_orphans(self) -> None:
        """What runs killed with SIGKILL left behind (they could not remove it): removed, said once."""
        try:
            removed = ownership.reap_orphans(self.docker, self.owner)
        except Exception as exc:  # never a reason not to run the job
            self.say(f"could not look for containers of killed hako runs: {exc}")
            return
        if removed:
            self.say(f"removed what killed hako runs left behind: {', '.join(removed)}")

    def _run(self, app: AppDefinition, td: dict[str, Any]) -> int:
        self._reap_orphans()
        definitions = {c["name"]: c for c in td["containerDefinitions"]}
        try:
            source = ImageSource(self.docker, self.options.pull, self.login, self.say)
            images = {name: source.resolve(str(definition["image"])) for name, definition in definitions.items()}
            # A private network only when containers must reach each other (creating one costs ~0.3 s).
            network_name = "bridge"
            if len(definitions) > 1:
                self.network = self.docker.networks.create(f"hako-{app.app_id}-{self.run_id}", driver="bridge",
                                                           labels={**self.owner.labels(), "hako.app": app.app_id,
                                                                   "hako.run": self.run_id})
                network_name = self.network.name
            for name in start_order(definitions):
                definition = definitions[name]
                self._create(definition, images[name], network_name, app.app_id)
                for dependency in definition.get("dependsOn") or []:
                    self._wait_for(dependency)
                self._start(definition, images[name], network_name, app.app_id)
                self.started = True
                self.say(f"started container {name} ({images[name]})")
                if definition.get("portMappings"):
                    self._report_ports(name)
            return self._follow(definitions)
        except StartFailed as exc:
            self.say(f"the task could not be started: {exc}")
            return EXIT_NOT_STARTED
        except DependencyFailed as exc:
            self.say(f"the app did not run: {exc}")
            self._stop_all(definitions)
            if self.interrupts.signum is not None:
                return 128 + int(self.interrupts.signum)
            return EXIT_NO_CODE
        finally:
            self._cleanup()

    def _start(self, definition: dict[str, Any], image: str, network_name: str, app_id: str) -> None:
        """Start a created container; an image without /bin/sh (for the merging wrapper) runs its
        program as written instead, its two output streams read apart."""
        name = definition["name"]
        try:
            self.api.start(self.containers[name])
            return
        except Exception as exc:
            if not lacks_shell(exc):
                raise StartFailed(f"cannot start container {name}: {exc}") from None
        self.say(f"image {image} has no /bin/sh: container {name}'s stdout and stderr are read apart "
                 "and may interleave out of order")
        self.api.remove_container(self.containers.pop(name), force=True)
        self._create(definition, image, network_name, app_id, merge=False)
        try:
            self.api.start(self.containers[name])
        except Exception as exc:
            raise StartFailed(f"cannot start container {name}: {exc}") from None

    def _report_ports(self, name: str) -> None:
        ports = self.api.inspect_container(self.containers[name])["NetworkSettings"].get("Ports") or {}
        for port, bindings in ports.items():
            for binding in bindings or []:
                self.say(f"  {name} {port} -> {binding.get('HostIp')}:{binding.get('HostPort')}")

    def _follow(self, definitions: dict[str, dict[str, Any]]) -> int:
        logs = self._stream_logs(self.containers[APP_CONTAINER])
        started = time.monotonic()
        stop_reason: str | None = None
        while True:
            state = self._state(APP_CONTAINER)
            if not state.get("Running") and state.get("Status") in ("exited", "dead"):
                break
            if stop_reason is None and self.interrupts.signum is not None:
                import signal

                stop_reason = signal.Signals(self.interrupts.signum).name
                self.say(f"received {stop_reason}: stopping the task's containers")
                self._stop_all(definitions)
                continue
            timeout = self.options.timeout
            if stop_reason is None and timeout is not None and time.monotonic() - started >= timeout:
                stop_reason = "timeout"
                self.say(f"timed out after {timeout:g}s: stopping the task's containers")
                self._stop_all(definitions)
                continue
            self.interrupts.wait(self.options.interval)
        logs.join(timeout=OUTPUT_DRAIN_SECONDS)
        if logs.is_alive():
            self.output_error = f"not all read {OUTPUT_DRAIN_SECONDS:g} s after the app exited"
        if len(self.containers) > 1:
            self._stop_all(definitions)  # the essential container exited: ECS stops the rest too
        exit_code = state.get("ExitCode")
        for name in definitions:
            if name in self.containers:
                code = self._state(name).get("ExitCode")
                self.say(f"  container {name}: exit code {code}")
        if self.output_error is not None:
            self.say(f"the app's output is incomplete: {self.output_error}")
            if exit_code == 0 and stop_reason is None:
                return 1  # never a success with lines missing
        if stop_reason == "timeout":
            return EXIT_TIMEOUT
        if exit_code is None:
            return 128 + int(self.interrupts.signum) if self.interrupts.signum is not None else EXIT_NO_CODE
        return int(exit_code)
