"""The definition a command acts on: loaded, validated and rendered, its warnings one line.

Every command that takes a definition FILE starts here, so they all fail the same way on an
invalid one and point to ``hako validate`` for its warnings (see :mod:`hako_py.cli.hints`).
"""

from __future__ import annotations

import shlex
from typing import Any

from hako_py.cli.hints import warnings_hint
from hako_py.cli.options import build_load_options
from hako_py.cli.outcome import Outcome
from hako_py.errors import HakoError
from hako_py.pipeline import CheckedApp, check_file
from hako_py.render import RenderOptions
from hako_py.reporter import Reporter


def check_definition(file: str, loader: dict[str, Any], reporter: Reporter, outcome: Outcome | None = None, *,
                     tag: str | None = None, expand: bool = True, need_service: bool = False) -> CheckedApp:
    """Load, validate and render *file* (*loader*: the values of ``loader_options``); its warnings
    become a one-line hint, and *outcome* learns the app and cluster for ``--output json``."""
    checked = check_file(file, build_load_options(**loader, expand=expand), RenderOptions(tag=tag))
    if outcome is not None:
        outcome.describe(checked)
    warnings_hint(checked, reporter)
    if need_service and not checked.app.has_service and not checked.app.schedules:
        raise HakoError(f"{checked.loaded.file}: defines no service (no scheduler.desired_count) and no schedules; "
                        f"run it with: hako oneshot {shlex.quote(checked.loaded.file)} -- COMMAND")
    return checked
