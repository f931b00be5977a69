"""Run a definition's scripts at each hook, in list order."""

from __future__ import annotations

import copy
from typing import Any

from hako_py.definition import AppDefinition
from hako_py.errors import HakoError
from hako_py.scripts.base import Script, ScriptContext, ScriptError
from hako_py.scripts.registry import instantiate


class ScriptSet:
    """The scripts of one command run; an app without scripts costs nothing."""

    def __init__(self, app: AppDefinition, context: ScriptContext) -> None:
        self.app = app
        self.context = context
        self.scripts: list[Script] = instantiate(app.scripts, context) if app.scripts else []

    def fire(self, hook: str, *args: Any) -> None:
        for index, script in enumerate(self.scripts):
            try:
                getattr(script, hook)(*args)
            except HakoError:
                raise
            except Exception as exc:
                raise ScriptError(f"{self.app.file}: scripts[{index}] ({script.type_name}) failed in {hook}: "
                                  f"{type(exc).__name__}: {exc}") from None

    def prepared(self, hook: str) -> AppDefinition:
        """configure, then *hook* (deploy_starting / oneshot_starting) on a copy of the containers."""
        if not self.scripts:
            return self.app
        self.fire("configure")
        containers = copy.deepcopy(self.app.containers)
        self.fire(hook, containers)
        from dataclasses import replace

        return replace(self.app, containers=containers)

    @property
    def creates_log_groups(self) -> bool:
        return any(s.creates_log_groups for s in self.scripts)


class NoScripts(ScriptSet):
    """For callers that run without a definition's scripts."""

    def __init__(self) -> None:
        self.scripts = []
