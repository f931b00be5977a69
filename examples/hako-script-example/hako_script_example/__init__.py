"""An example script type for hako-py.

``{ type: 'record_hooks', tag: 'v42' }`` appends one JSON line per hook to the file named by
``$HAKO_RECORD_HOOKS`` (when set) and, in ``deploy_starting``/``oneshot_starting``, sets the
app image tag to ``tag`` when given. It shows every hook a team's script can implement.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from hako_py.scripts import Script


class UpperProvider:
    """A value provider: environment variables, upper-cased (shows the env-provider interface)."""

    def __init__(self, base_dir: object, options: dict[str, Any], **_: Any) -> None:
        import os

        self.environ = dict(os.environ)

    def ask(self, keys: list[str]) -> dict[str, str]:
        return {k: self.environ[k].upper() for k in keys if k in self.environ}


class RecordHooks(Script):
    type_name = "record_hooks"
    options_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"tag": {"type": "string", "minLength": 1, "description": "Image tag to set on the app."}},
    }

    def _record(self, hook: str, **details: Any) -> None:
        path = self.context.env.get("HAKO_RECORD_HOOKS")
        if path:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps({"hook": hook, "dry_run": self.context.dry_run, **details}, default=str) + "\n")

    def _set_tag(self, hook: str, containers: dict[str, dict[str, Any]]) -> None:
        if self.options.get("tag") and not self.context.tag_override:
            containers["app"]["tag"] = self.options["tag"]
        self._record(hook, containers=sorted(containers))

    def configure(self) -> None:
        self._record("configure", app=self.context.app.app_id)

    def deploy_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        self._set_tag("deploy_starting", containers)

    def shape_containers(self, containers: dict[str, dict[str, Any]], front_port: int | None) -> None:
        self._record("shape_containers", front_port=front_port)

    def before_writes(self, task_definition: dict[str, Any]) -> None:
        self._record("before_writes", family=task_definition.get("family"))

    def deploy_started(self, service: dict[str, Any] | None) -> None:
        self._record("deploy_started", service=(service or {}).get("serviceName"))

    def deploy_finished(self, task_definition_arn: str) -> None:
        self._record("deploy_finished", task_definition=task_definition_arn)

    def deploy_failed(self, stopped_tasks: list[dict[str, Any]]) -> None:
        self._record("deploy_failed", stopped=len(stopped_tasks))

    def rollback_starting(self, current: str, target: str) -> None:
        self._record("rollback_starting", current=current, target=target)

    def rollback_finished(self, target: str, succeeded: bool) -> None:
        self._record("rollback_finished", target=target, succeeded=succeeded)

    def oneshot_starting(self, containers: dict[str, dict[str, Any]]) -> None:
        self._set_tag("oneshot_starting", containers)

    def oneshot_started(self, task: dict[str, Any]) -> None:
        self._record("oneshot_started", task=task.get("taskArn"))

    def oneshot_finished(self, exit_code: int) -> None:
        self._record("oneshot_finished", exit_code=exit_code)

    def remove_starting(self) -> None:
        self._record("remove_starting")

    def remove_finished(self) -> None:
        self._record("remove_finished")


