"""Run a definition's scripts at each hook, in list order."""

from __future__ import annotations

import copy
from typing import Any

from hako_py.definition import AppDefinition
from hako_py.errors import HakoError
from hako_py.scripts.base import Script, ScriptContext, ScriptError, ScriptWrite
from hako_py.scripts.registry import instantiate

#: the hooks after which shape_containers runs: hako calls deploy_started(containers, front_port)
#: in deploys only (lib/hako/schedulers/ecs.rb:147), never for oneshot, rollback or remove
SHAPED_AFTER = ("deploy_starting", None)


class ScriptSet:
    """The scripts of one command run; an app without scripts costs nothing."""

    def __init__(self, app: AppDefinition, context: ScriptContext) -> None:
        self.app = app
        self.context = context
        self.scripts: list[Script] = instantiate(app.scripts, context) if app.scripts else []

    def fire(self, hook: str, *args: Any) -> None:
        self._each(hook, *args)

    def _each(self, hook: str, *args: Any) -> list[Any]:
        """*hook* of every script in list order, and what each returned."""
        results: list[Any] = []
        for index, script in enumerate(self.scripts):
            try:
                results.append(getattr(script, hook)(*args))
            except HakoError:
                raise
            except Exception as exc:
                raise ScriptError(f"{self.app.file}: scripts[{index}] ({script.type_name}) failed in {hook}: "
                                  f"{type(exc).__name__}: {exc}") from None
        return results

    def prepared(self, hook: str | None) -> AppDefinition:
        """configure, then *hook* (deploy_starting / oneshot_starting; None: none, for hako diff)
        on a copy of the containers, then for a deploy shape_containers with the front port."""
        if not self.scripts:
            return self.app
        self.fire("configure")
        containers = copy.deepcopy(self.app.containers)
        if hook is not None:
            self.fire(hook, containers)
        if hook in SHAPED_AFTER and any(type(s).shape_containers is not Script.shape_containers
                                        for s in self.scripts):
            from hako_py.scripts.front_port import front_port

            self.fire("shape_containers", containers, front_port(self.app, self.context.aws))
        from dataclasses import replace

        return replace(self.app, containers=containers)

    def planned_writes(self) -> list[ScriptWrite]:
        """Every script's planned writes, in list order (reads AWS: call it once per command)."""
        return [write for writes in self._each("planned_writes") for write in writes]

    def s3_buckets(self) -> list[tuple[str, str]]:
        """(bucket, region) the scripts write to, for hako verify."""
        return sorted({bucket for buckets in self._each("s3_buckets") for bucket in buckets})

    @property
    def creates_log_groups(self) -> bool:
        return any(s.creates_log_groups for s in self.scripts)


class NoScripts(ScriptSet):
    """For callers that run without a definition's scripts."""

    def __init__(self) -> None:
        self.scripts = []
